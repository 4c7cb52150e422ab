#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "audit/migrate.h"
#include "audit/store.h"
#include "cli_fixture.h"
#include "support/postgres.h"

using namespace reviewer;

TEST_SUITE("cli serve") {
  TEST_CASE("serve refuses to start on invalid guidance, naming file, line and column") {
    auto dir = test::scratch_dir("serve-bad-guidance");
    test::write_text(dir / "guidance" / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: lots\n");
    std::string out;
    // `timeout`: were the check missing, the server would run until killed.
    int rc = test::run_command("REVIEWER_WEBHOOK_SECRET=s3cret-for-tests REVIEWER_LISTEN=127.0.0.1:18099 "
                               "REVIEWER_DATA_DIR=" + (dir / "data").string() +
                                   " REVIEWER_GUIDANCE_DIR=" + (dir / "guidance").string() + " timeout 20 " +
                                   REVIEWER_BINARY + " serve",
                               &out, /*merge_stderr=*/true);
    CHECK(rc == 1);
    CHECK(out.find("team.yml:3:16: 'max_lines' must be an integer, got 'lots'") != std::string::npos);
  }
}

// Issue 20, "Bad input and faults": the database named by
// REVIEWER_DATABASE_URL cannot be used at start.
namespace cli_serve_test {

// A loopback port that accepts connections and never says a word: a
// database host that hangs (libpq, without a connect timeout, would wait
// for its greeting forever).
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

test::CliRun serve_with_database(const std::string& url, const std::string& label) {
  auto dir = test::scratch_dir(label);
  return test::reviewer_cli_env("REVIEWER_WEBHOOK_SECRET=s3cret-for-tests REVIEWER_LISTEN=127.0.0.1:0 REVIEWER_DATA_DIR=" +
                                    (dir / "data").string() + " REVIEWER_DATABASE_URL='" + url + "'",
                                "serve");
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n + (!s.empty() && s.back() != '\n');
}

}  // namespace cli_serve_test

TEST_SUITE("cli serve") {
  TEST_CASE("serve exits 1 with one line when the database cannot be reached, and does not hang on a silent host") {
    auto dir = test::scratch_dir("serve-no-db");
    // No server at all: the socket folder is empty.
    auto r = cli_serve_test::serve_with_database("postgresql://reviewer:pw@/reviewer?host=" + dir.string(), "serve-no-db-1");
    CHECK(r.rc == 1);
    CHECK(cli_serve_test::lines(r.err) == 1);
    CHECK(r.err.find("postgresql://reviewer@/reviewer") != std::string::npos);
    CHECK(r.err.find("cannot connect") != std::string::npos);
    CHECK(r.err.find("pw") == std::string::npos);
    // A host that accepts and never answers: given up after the default
    // connect timeout (5 s), not after `timeout`'s 30 s.
    cli_serve_test::SilentListener silent;
    const auto t0 = std::chrono::steady_clock::now();
    r = cli_serve_test::serve_with_database(fmt::format("postgresql://reviewer@127.0.0.1:{}/reviewer", silent.port()),
                                            "serve-no-db-2");
    CHECK(r.rc == 1);
    CHECK(cli_serve_test::lines(r.err) == 1);
    CHECK(r.err.find("cannot connect") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  }

  TEST_CASE("serve refuses a database written by a newer reviewer, naming both schema versions") {
    auto s = test::PgSchema::create("serve-newer");
    if (!s) return;
    audit::AuditStore::open_url(s->url());
    const int latest = audit::latest_schema_version();
    test::log_scalar(s->url(), fmt::format("INSERT INTO schema_migrations VALUES ({}, '999_future.sql', 'x') RETURNING 1",
                                           latest + 1));
    auto r = cli_serve_test::serve_with_database(s->url(), "serve-newer");
    CHECK(r.rc == 1);
    CHECK(cli_serve_test::lines(r.err) == 1);
    CHECK(r.err.find(fmt::format("schema version {}", latest + 1)) != std::string::npos);
    CHECK(r.err.find(fmt::format("(up to {})", latest)) != std::string::npos);
  }
}
