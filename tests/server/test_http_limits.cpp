// The listener's limits, timeouts and framing checks, tried as an attacker
// would over raw sockets against the real server (small limits and short
// timeouts through its settings, so each case takes well under a second).
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/metrics.h"
#include "reviewer/server/settings.h"
#include "server_fixture.h"
#include "support/loopback.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace std::chrono_literals;

namespace lt {

// One client connection that stays open across requests, so a test can
// send a request a byte at a time, stall, or read several answers.
class Client {
 public:
  explicit Client(int port) : fd_(test::connect_loopback(port)) {}
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False once the server has closed or reset the connection.
  bool send(const std::string& bytes) { return test::send_all(fd_, bytes); }
  // Reads one answer (headers and a Content-Length body); status 0 when
  // the connection closed or `timeout` passed first.
  test::HttpReply read_answer(std::chrono::milliseconds timeout = 5s) {
    test::HttpReply r;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto end = in_.find("\r\n\r\n");
      if (end != std::string::npos) {
        auto cl = in_.find("Content-Length: ");
        size_t want = cl != std::string::npos && cl < end ? std::stoul(in_.substr(cl + 16)) : 0;
        if (in_.size() >= end + 4 + want) {
          if (in_.rfind("HTTP/1.1 ", 0) == 0) r.status = std::stoi(in_.substr(9, 3));
          r.body = in_.substr(end + 4, want);
          in_.erase(0, end + 4 + want);
          return r;
        }
      }
      if (!fill(deadline)) return r;
    }
  }
  // Stops sending, then true when the server's close is orderly (FIN)
  // within `timeout`; false on a reset or no close.
  bool ends_without_reset(std::chrono::milliseconds timeout) {
    ::shutdown(fd_, SHUT_WR);
    pollfd p{fd_, POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }
  // True when the server closes the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) {
    }
    return eof_;
  }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    in_.append(buf, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool eof_ = false;
  std::string in_;
};

std::string payload() { return test::webhook_examples("pull_request").at(0).dump(); }

// A signed delivery that keeps its connection open.
std::string keep_alive_request(const std::string& body) {
  std::string req = test::webhook_request(body, {});
  req.replace(req.find("Connection: close\r\n"), 19, "");
  return req;
}

std::string deliveries(const test::LiveServer& s) {
  return test::query_one(s.settings.queue_db(), "SELECT COUNT(*) FROM deliveries");
}

double refused(test::LiveServer& s, const std::string& reason) {
  return s.server->metrics().counter("reviewer_http_refused_total", {{"reason", reason}});
}

server::Environment fast_limits() {
  return {{"REVIEWER_HEADER_TIMEOUT_MS", "300"}, {"REVIEWER_BODY_TIMEOUT_MS", "300"},
          {"REVIEWER_IDLE_TIMEOUT_MS", "300"}, {"REVIEWER_MAX_BODY_BYTES", "65536"}};
}

}  // namespace lt

TEST_SUITE("server::HttpListener") {
  TEST_CASE("every limit is a setting, checked at start") {
    const server::Environment base = {{"REVIEWER_WEBHOOK_SECRET", "s"}};
    auto with = [&](const std::string& key, const std::string& value) {
      auto env = base;
      env[key] = value;
      return server::load_settings(std::nullopt, env);
    };
    auto s = with("REVIEWER_MAX_CONNECTIONS", "300");
    CHECK(s.max_connections == 300);
    CHECK(with("REVIEWER_MAX_HEADER_BYTES", "8192").max_header_bytes == 8192);
    CHECK(with("REVIEWER_HEADER_TIMEOUT_MS", "2500").header_timeout_ms == 2500);
    CHECK(with("REVIEWER_BODY_TIMEOUT_MS", "2500").body_timeout_ms == 2500);
    CHECK(with("REVIEWER_MIN_BODY_RATE", "65536").min_body_rate == 65536);
    CHECK(with("REVIEWER_IDLE_TIMEOUT_MS", "1000").idle_timeout_ms == 1000);
    for (const auto& [key, bad] : std::vector<std::pair<std::string, std::string>>{
             {"REVIEWER_MAX_CONNECTIONS", "1"}, {"REVIEWER_MAX_HEADER_BYTES", "100"},
             {"REVIEWER_HEADER_TIMEOUT_MS", "0"}, {"REVIEWER_MIN_BODY_RATE", "fast"}}) {
      CAPTURE(key);
      try {
        with(key, bad);
        FAIL("accepted");
      } catch (const Error& e) {
        CHECK(std::string(e.what()).find(key) != std::string::npos);
      }
    }
  }

  TEST_CASE("a slowloris sending one header byte at a time is cut off at the header timeout") {
    test::LiveServer s(test::scratch_dir("slowloris"), 1, nullptr, lt::fast_limits());
    lt::Client c(s.port);
    REQUIRE(c.connected());
    const std::string head = "POST /webhook HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const auto t0 = std::chrono::steady_clock::now();
    bool cut = false;
    for (char ch : head) {
      if (!c.send(std::string(1, ch)) || c.closed_within(50ms)) {
        cut = true;
        break;
      }
    }
    CHECK(cut);
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    // Beast closes the socket when the timer fires, before the handler counts it.
    CHECK(test::wait_until([&] { return lt::refused(s, "header_timeout") == 1; }, 1s));
    CHECK(test::post_webhook(s.port, lt::payload(), {}).status == 202);
  }

  TEST_CASE("a body that stalls is cut off at the body timeout and nothing is stored") {
    test::LiveServer s(test::scratch_dir("stall"), 1, nullptr, lt::fast_limits());
    lt::Client c(s.port);
    const std::string req = test::webhook_request(lt::payload(), {});
    REQUIRE(c.send(req.substr(0, req.size() - 500)));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(c.closed_within(3s));
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    CHECK(test::wait_until([&] { return lt::refused(s, "body_timeout") == 1; }, 1s));
    CHECK(lt::deliveries(s) == "0");
  }

  TEST_CASE("a body that trickles below the minimum rate is cut off soon after the body timeout") {
    auto env = lt::fast_limits();
    env["REVIEWER_MIN_BODY_RATE"] = "1024";
    test::LiveServer s(test::scratch_dir("trickle"), 1, nullptr, env);
    lt::Client c(s.port);
    // Declared at 60,000 bytes: at 1 KiB/s that length alone would be
    // worth a minute; sent at 100 bytes a second it falls behind at once.
    std::string head = test::webhook_request("", {});
    head.replace(head.find("Content-Length: 0"), 17, "Content-Length: 60000");
    REQUIRE(c.send(head));
    const auto t0 = std::chrono::steady_clock::now();
    bool cut = false;
    while (std::chrono::steady_clock::now() - t0 < 5s) {
      if (!c.send(std::string(10, 'x')) || c.closed_within(100ms)) {
        cut = true;
        break;
      }
    }
    CHECK(cut);
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    CHECK(test::wait_until([&] { return lt::refused(s, "body_timeout") == 1; }, 1s));
  }

  TEST_CASE("past the bodies' memory limit the body read longest is closed, and a delivery still gets through") {
    test::LiveServer s(test::scratch_dir("bodymem"), 1, nullptr,
                       {{"REVIEWER_MAX_BODY_BYTES", "65536"}, {"REVIEWER_MAX_BODY_MEMORY_BYTES", "65536"}});
    lt::Client hog(s.port);
    std::string head = test::webhook_request("", {});
    head.replace(head.find("Content-Length: 0"), 17, "Content-Length: 60000");
    // One byte, then nothing: the declared length is what Beast reserves,
    // so it is what counts.
    REQUIRE(hog.send(head + "x"));
    std::this_thread::sleep_for(200ms);
    const std::string body = lt::payload();
    REQUIRE(body.size() > 65536 - 60000);
    CHECK(test::post_webhook(s.port, body, {}).status == 202);
    CHECK(hog.closed_within(2s));
    CHECK(lt::refused(s, "evicted_reading") == 1);
    CHECK(lt::deliveries(s) == "1");
  }

  TEST_CASE("the bodies' memory limit may not be below the largest body") {
    CHECK_THROWS_WITH_AS(server::load_settings(std::nullopt, {{"REVIEWER_WEBHOOK_SECRET", "s"},
                                                              {"REVIEWER_MAX_BODY_MEMORY_BYTES", "1048576"}}),
                         doctest::Contains("REVIEWER_MAX_BODY_MEMORY_BYTES (1048576) is below REVIEWER_MAX_BODY_BYTES"),
                         Error);
  }

  TEST_CASE("an idle keep-alive connection is closed at the idle timeout") {
    test::LiveServer s(test::scratch_dir("idle"), 1, nullptr, lt::fast_limits());
    lt::Client c(s.port);
    REQUIRE(c.send(lt::keep_alive_request(lt::payload())));
    CHECK(c.read_answer().status == 202);
    CHECK(c.closed_within(2s));
  }

  TEST_CASE("a declared 200 MB body is answered 413 in under a second, without reading it") {
    test::LiveServer s(test::scratch_dir("declared"));
    lt::Client c(s.port);
    std::string head = test::webhook_request("", {});
    head.replace(head.find("Content-Length: 0"), 17, "Content-Length: 200000000");
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(c.send(head + std::string(1000, 'x')));
    auto r = c.read_answer(1s);
    CHECK(r.status == 413);
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);
    CHECK(c.closed_within(1s));
    CHECK(s.server->metrics().counter("reviewer_webhook_rejected_total", {{"reason", "too_large"}}) == 1);
  }

  TEST_CASE("a client still sending a refused body reads its 413: the connection is drained, not reset") {
    test::LiveServer s(test::scratch_dir("drain"));
    lt::Client c(s.port);
    std::string head = test::webhook_request("", {});
    head.replace(head.find("Content-Length: 0"), 17, "Content-Length: 200000000");
    REQUIRE(c.send(head));
    // The body keeps coming after the answer was sent: closing with these
    // bytes unread would reset the connection and drop the 413 on the way.
    std::this_thread::sleep_for(100ms);
    bool sent = true;
    for (int i = 0; i < 8; ++i) sent = c.send(std::string(32 * 1024, 'x')) && sent;
    CHECK(sent);  // a reset would fail the writes
    std::this_thread::sleep_for(200ms);
    CHECK(c.read_answer(2s).status == 413);
    CHECK(c.ends_without_reset(3s));
  }

  TEST_CASE("a chunked webhook gets its 411 at once; a chunked body elsewhere is cut off at the cap") {
    test::LiveServer s(test::scratch_dir("chunked"), 1, nullptr, lt::fast_limits());
    lt::Client hook(s.port);
    REQUIRE(hook.send("POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n"));
    CHECK(hook.read_answer(1s).status == 411);
    // Other routes read at most 64 KiB of a body: four 16 KiB chunks fill
    // it and get no answer; the fifth passes it and is answered at once,
    // without a last chunk.
    lt::Client other(s.port);
    REQUIRE(other.send("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk = "4000\r\n" + std::string(0x4000, 'a') + "\r\n";
    for (int i = 0; i < 4; ++i) REQUIRE(other.send(chunk));
    CHECK(other.read_answer(150ms).status == 0);  // at the cap, not past it: still reading
    CHECK(lt::refused(s, "body_too_large") == 0);
    REQUIRE(other.send(chunk));
    CHECK(other.read_answer(1s).status == 413);
    CHECK(lt::refused(s, "body_too_large") == 1);
  }

  TEST_CASE("conflicting framing is refused with 400 and a close") {
    test::LiveServer s(test::scratch_dir("framing"));
    const std::string body = lt::payload();
    const std::string req = test::webhook_request(body, {});
    const auto cl = req.find("Content-Length:");
    const auto line_end = req.find("\r\n", cl) + 2;
    const std::string cl_line = req.substr(cl, line_end - cl);
    const std::vector<std::string> attacks = {
        req.substr(0, line_end) + cl_line + req.substr(line_end),              // the same Content-Length twice
        req.substr(0, cl) + "Content-Length: 5\r\n" + req.substr(cl),          // two different ones
        req.substr(0, cl) + "Transfer-Encoding: chunked\r\n" + req.substr(cl),  // TE then CL
        req.substr(0, line_end) + "Transfer-Encoding: chunked\r\n" + req.substr(line_end),  // CL then TE
        req.substr(0, cl) + "Transfer-Encoding: gzip\r\n" + req.substr(line_end),           // unknown coding
        req.substr(0, cl) + "Transfer-Encoding: gzip, chunked\r\n" + req.substr(line_end),  // coded then chunked
    };
    for (size_t i = 0; i < attacks.size(); ++i) {
      CAPTURE(i);
      lt::Client c(s.port);
      REQUIRE(c.send(attacks[i]));
      CHECK(c.read_answer(2s).status == 400);
      CHECK(c.closed_within(2s));
    }
    CHECK(lt::refused(s, "bad_framing") == double(attacks.size()));
    CHECK(lt::deliveries(s) == "0");
  }

  TEST_CASE("headers above the limit get 431") {
    test::LiveServer s(test::scratch_dir("headers"), 1, nullptr, {{"REVIEWER_MAX_HEADER_BYTES", "4096"}});
    lt::Client c(s.port);
    REQUIRE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8192, 'a') + "\r\n\r\n"));
    CHECK(c.read_answer(2s).status == 431);
    CHECK(lt::refused(s, "header_too_large") == 1);
    CHECK(test::http_get(s.port, "/healthz").status == 200);
  }

  TEST_CASE("keep-alive: several requests and answers on one connection") {
    test::LiveServer s(test::scratch_dir("keepalive"));
    lt::Client c(s.port);
    for (int i = 0; i < 3; ++i) {
      CAPTURE(i);
      REQUIRE(c.send(lt::keep_alive_request(lt::payload())));
      CHECK(c.read_answer().status == 202);
    }
    // Two pipelined requests in one write.
    REQUIRE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(c.read_answer().status == 200);
    CHECK(c.read_answer().status == 404);
    CHECK(lt::deliveries(s) == "3");
  }

  TEST_CASE("at the connection cap the oldest idle connection makes room, then the request read longest, else 503") {
    test::LiveServer s(test::scratch_dir("cap"), 1, nullptr,
                       {{"REVIEWER_MAX_CONNECTIONS", "4"}, {"REVIEWER_HEADER_TIMEOUT_MS", "60000"}});
    std::vector<std::unique_ptr<lt::Client>> idle;
    for (int i = 0; i < 4; ++i) {
      idle.push_back(std::make_unique<lt::Client>(s.port));
      std::this_thread::sleep_for(20ms);  // accepted in this order
    }
    CHECK(test::post_webhook(s.port, lt::payload(), {}).status == 202);
    // The oldest was closed for it, not by a timeout (60 s here); the rest stay.
    CHECK(idle[0]->closed_within(1s));
    for (int i = 1; i < 4; ++i) CHECK_FALSE(idle[static_cast<std::size_t>(i)]->closed_within(100ms));
    CHECK(lt::refused(s, "evicted_idle") == 1);
    idle.clear();
    REQUIRE(test::wait_until([&] { return s.server->metrics().render().find("reviewer_http_connections{kind=\"open\"} 0\n") != std::string::npos; }, 5s));
    // Four connections each in the middle of a request: none is idle.
    std::vector<std::unique_ptr<lt::Client>> busy;
    for (int i = 0; i < 4; ++i) {
      busy.push_back(std::make_unique<lt::Client>(s.port));
      REQUIRE(busy.back()->send("POST /webhook HTTP/1.1\r\nHost: x\r\n"));
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE(test::wait_until([&] { return s.server->metrics().render().find("reviewer_http_connections{kind=\"idle\"} 0\n") != std::string::npos; }, 5s));
    // Begun under a second ago: they may be clients' own, so the newcomer waits.
    lt::Client late(s.port);
    CHECK(late.read_answer(5s).status == 503);
    CHECK(lt::refused(s, "too_many_connections") == 1);
    // A second later the request read longest makes room, and a delivery gets through.
    std::this_thread::sleep_for(1200ms);
    CHECK(test::post_webhook(s.port, lt::payload(), {}).status == 202);
    CHECK(busy[0]->closed_within(1s));
    for (int i = 1; i < 4; ++i) CHECK_FALSE(busy[static_cast<std::size_t>(i)]->closed_within(100ms));
    CHECK(lt::refused(s, "evicted_reading") == 1);
  }

  TEST_CASE("graceful shutdown: every request in flight is answered, and every 202 is stored") {
    test::LiveServer s(test::scratch_dir("shutdown"), 1);
    std::atomic<int> accepted{0}, unavailable{0}, unanswered{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&] {
        for (int i = 0; i < 30; ++i) {
          auto r = test::post_webhook(s.port, lt::payload(), {});
          if (r.status == 202) ++accepted;
          else if (r.status == 503) ++unavailable;
          else ++unanswered;  // refused connection after the listener closed
        }
      });
    }
    test::wait_until([&] { return accepted > 20; }, 5s);
    // A delivery whose body is still arriving when the stop begins.
    lt::Client late(s.port);
    const std::string req = test::webhook_request(lt::payload(), {});
    REQUIRE(late.send(req.substr(0, req.size() - 10)));
    std::this_thread::sleep_for(200ms);  // accepted: a connection still in the backlog is reset
    std::thread stopper([&] { s.server->stop(); });
    std::this_thread::sleep_for(100ms);
    CHECK(late.send(req.substr(req.size() - 10)));
    CHECK(late.read_answer(3s).status == 503);
    stopper.join();
    for (auto& t : clients) t.join();
    CHECK(accepted > 0);
    CHECK(lt::deliveries(s) == std::to_string(accepted.load()));
    MESSAGE(fmt::format("accepted {}, 503 {}, no answer {}", accepted.load(), unavailable.load(), unanswered.load()));
  }
}
