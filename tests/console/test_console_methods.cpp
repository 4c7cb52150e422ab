// No request to the console can change the log: every method but GET and
// HEAD, on every route, is answered 405 before its body is read; and no
// GET writes either. Every answer carries the security headers.
#include <doctest/doctest.h>

#include <sys/socket.h>

#include "audit/audit_fixtures.h"
#include "audit/verify.h"
#include "console_fixture.h"
#include "reviewer/console/html.h"
#include "server_fixture.h"
#include "support/loopback.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

namespace verb = boost::beast::http;

const char* kRoutes[] = {"/",      "/changes", "/changes.csv", "/change?repo=acme/web&pr=1", "/sample?n=2&seed=1",
                         "/sample/pack.tar?n=2&seed=1", "/sql?q=select+1", "/sql.csv?q=select+1", "/login",
                         "/logout", "/static/chart.js", "/static/console.js", "/nope", "/?token=" };

// Everything a client could read from the raw answer to `raw`.
std::string raw_exchange(int port, const std::string& raw) {
  const int fd = test::connect_loopback(port);
  REQUIRE(fd >= 0);
  test::send_all(fd, raw);
  std::string out;
  char buf[65536];
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace

TEST_SUITE("console::Console") {
  TEST_CASE("every method but GET and HEAD is 405 on every route, with or without a token, and nothing changes") {
    const auto path = test::console_log(test::scratch_dir("methods"));
    Console c(test::console_options(path.string()));
    const auto before = audit::checkpoint(path);
    // Every method Beast knows (unknown, 0, cannot be set on a request: a
    // raw unknown method is tried over the listener below).
    for (int v = 1; v <= static_cast<int>(verb::verb::unlink); ++v) {
      const auto method = static_cast<verb::verb>(v);
      if (method == verb::verb::get || method == verb::verb::head) continue;
      for (const char* route : kRoutes) {
        for (bool token : {false, true}) {
          CAPTURE(route);
          CAPTURE(verb::to_string(method));
          test::Headers h;
          if (token) h.emplace_back("Authorization", "Bearer " + test::kToken);
          const auto a = test::request(c, std::string(route) + (std::string(route) == "/?token=" ? test::kToken : ""),
                                       h, method, "q=DELETE+FROM+findings");
          CHECK(a.status == 405);
          CHECK(test::header_of(a, "Allow") == "GET, HEAD");
        }
      }
    }
    // Every page read as well, the SQL page with statements that would write.
    for (const char* route : kRoutes) CHECK(test::get(c, route).status < 500);
    for (const char* sql : {"DELETE FROM findings", "UPDATE review_runs SET title = 'x'", "DROP TABLE findings",
                            "INSERT INTO overrides SELECT * FROM overrides", "ATTACH DATABASE '/tmp/x.db' AS x",
                            "PRAGMA journal_mode = DELETE", "SELECT 1; DELETE FROM findings", "VACUUM"}) {
      CAPTURE(sql);
      const auto a = test::get(c, "/sql?q=" + url_encode(sql));
      CHECK(a.status == 400);
      CHECK(a.body.find("Refused: ") != std::string::npos);
    }
    const auto after = audit::checkpoint(path);
    CHECK(after.rows == before.rows);
    CHECK(after.head_hash == before.head_hash);
    CHECK(audit::verify(path).ok);
  }

  TEST_CASE("over the listener: a POST is answered 405 unread, HEAD gets headers only, every answer is hardened") {
    const auto path = test::console_log(test::scratch_dir("listener"));
    Console c(test::console_options(path.string()));
    http::HttpListener listener({}, c.routes());
    const int port = test::free_port();
    listener.listen("127.0.0.1", port);
    const auto rows = audit::checkpoint(path).rows;

    const std::string post = raw_exchange(port, "POST /sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + test::kToken +
                                                "\r\nContent-Length: 20\r\n\r\nq=DELETE+FROM+x");
    CHECK(post.starts_with("HTTP/1.1 405"));
    CHECK(post.find("Allow: GET, HEAD") != std::string::npos);

    const std::string get = raw_exchange(port, "GET /changes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: "
                                           "Bearer " + test::kToken + "\r\n\r\n");
    const std::string head = raw_exchange(port, "HEAD /changes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: "
                                            "Bearer " + test::kToken + "\r\n\r\n");
    CHECK(get.starts_with("HTTP/1.1 200"));
    CHECK(head.starts_with("HTTP/1.1 200"));
    CHECK(head.ends_with("\r\n\r\n"));  // no body
    const auto length = [](const std::string& a) {
      const auto at = a.find("Content-Length: ");
      return at == std::string::npos ? std::string() : a.substr(at + 16, a.find("\r\n", at) - at - 16);
    };
    CHECK(length(head) == length(get));
    CHECK(std::stoul(length(get)) == get.size() - get.find("\r\n\r\n") - 4);

    // A method no standard names, and Beast does not know.
    const std::string foo = raw_exchange(port, "FOO / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: "
                                           "Bearer " + test::kToken + "\r\n\r\n");
    CHECK(foo.starts_with("HTTP/1.1 405"));
    CHECK(foo.find("Allow: GET, HEAD") != std::string::npos);

    // A GET may carry no body.
    const std::string with_body = raw_exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(with_body.starts_with("HTTP/1.1 413"));

    for (const auto& answer : {post, get, head, foo, with_body, raw_exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")}) {
      CHECK(answer.find("Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src "
                        "'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors "
                        "'none'\r\n") != std::string::npos);
      CHECK(answer.find("X-Content-Type-Options: nosniff\r\n") != std::string::npos);
      CHECK(answer.find("Referrer-Policy: no-referrer\r\n") != std::string::npos);
      CHECK(answer.find("Cache-Control: no-store\r\n") != std::string::npos);
    }
    listener.shutdown(std::chrono::seconds(2));
    CHECK(audit::checkpoint(path).rows == rows);
  }
}

}  // namespace reviewer::console
