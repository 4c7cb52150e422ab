// The server as a child process: killed with SIGKILL in the middle of a
// job, and stopped with SIGTERM. The child is this test executable running
// the skipped "child" case below (--no-skip selects it).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <stop_token>
#include <vector>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "reviewer/server/server.h"
#include "server_fixture.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::server;
using namespace std::chrono_literals;

extern char** environ;

namespace {

// Appends "start <id>" / "done <id>" to a marker file around a sleep.
class SlowHandler : public JobHandler {
 public:
  SlowHandler(std::filesystem::path marker, int sleep_ms) : marker_(std::move(marker)), sleep_ms_(sleep_ms) {}
  JobResult handle(const Job& job, std::stop_token stop) override {
    append(fmt::format("start {}\n", job.id));
    // Sleeps, as a long review would, unless serve asks it to stop.
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    if (cv.wait_for(lock, stop, std::chrono::milliseconds(sleep_ms_), [] { return false; }) || stop.stop_requested()) {
      append(fmt::format("stopped {}\n", job.id));
      return {JobResult::Status::retry, "stopped", {}};
    }
    // Like the publisher's ledger: a head already done (by a run whose
    // instance died before finishing the job) is not done again.
    const auto key = fmt::format("{}#{}@{}", job.repository, job.pr_number, job.head_sha);
    if (!already_done(key)) append(fmt::format("done {} {}\n", job.id, key));
    return {JobResult::Status::done, "slept", {}};
  }

 private:
  bool already_done(const std::string& key) {
    std::ifstream in(marker_);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("done ", 0) == 0 && line.substr(line.find(' ', 5) + 1) == key) return true;
    }
    return false;
  }
  void append(const std::string& line) {
    int fd = ::open(marker_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    [[maybe_unused]] auto n = ::write(fd, line.data(), line.size());
    ::fsync(fd);
    ::close(fd);
  }
  std::filesystem::path marker_;
  int sleep_ms_;
};

struct Child {
  pid_t pid = -1;
  int port = 0;
};

// Starts this executable as a server child with data in `dir`.
// With `database_url`, the child keeps its queue on that PostgreSQL database.
Child spawn_server(const std::filesystem::path& dir, int sleep_ms, int grace_s, int port = 0,
                   const std::string& database_url = "") {
  Child c;
  c.port = port ? port : test::free_port();
  // Everything the child needs is prepared before fork(): between fork and
  // exec only async-signal-safe calls are allowed (other threads may hold
  // the allocator's lock).
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("TMPDIR=", 0) != 0) env.emplace_back(*e);
  }
  std::filesystem::create_directories(dir / "tmp");
  env.push_back("TMPDIR=" + (dir / "tmp").string());
  env.push_back("REVIEWER_TEST_CHILD_DIR=" + dir.string());
  env.push_back(fmt::format("REVIEWER_TEST_CHILD_PORT={}", c.port));
  env.push_back(fmt::format("REVIEWER_TEST_CHILD_SLEEP_MS={}", sleep_ms));
  env.push_back(fmt::format("REVIEWER_TEST_CHILD_GRACE={}", grace_s));
  if (!database_url.empty()) env.push_back("REVIEWER_TEST_CHILD_DB_URL=" + database_url);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> args = {"test_server", "--no-skip", "--test-case=server child process*", "--no-version"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log_fd = ::open((dir / "child.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  c.pid = ::fork();
  if (c.pid == 0) {
    ::dup2(null_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  REQUIRE(c.pid > 0);
  REQUIRE(test::wait_until([&] { return test::http_get(c.port, "/healthz").status == 200; }, 20s));
  return c;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int count_lines(const std::filesystem::path& p, const std::string& prefix) {
  std::ifstream in(p);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) n += line.rfind(prefix, 0) == 0;
  return n;
}

}  // namespace

TEST_SUITE("server::process") {
  TEST_CASE("server child process (helper run by the other cases)" * doctest::skip()) {
    const char* dir = std::getenv("REVIEWER_TEST_CHILD_DIR");
    REQUIRE(dir);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    Environment env = {{"REVIEWER_WEBHOOK_SECRET", test::kSecret},
                       {"REVIEWER_LISTEN", fmt::format("127.0.0.1:{}", std::getenv("REVIEWER_TEST_CHILD_PORT"))},
                       {"REVIEWER_DATA_DIR", dir},
                       {"REVIEWER_WORKERS", "1"},
                       {"REVIEWER_LEASE_SECONDS", "2"},
                       {"REVIEWER_SHUTDOWN_GRACE_SECONDS", std::getenv("REVIEWER_TEST_CHILD_GRACE")}};
    if (const char* url = std::getenv("REVIEWER_TEST_CHILD_DB_URL")) env["REVIEWER_DATABASE_URL"] = url;
    auto settings = load_settings(std::nullopt, env);
    auto handler = std::make_shared<SlowHandler>(std::filesystem::path(dir) / "marker",
                                                 std::atoi(std::getenv("REVIEWER_TEST_CHILD_SLEEP_MS")));
    app::JsonLog log(stderr);
    Server server(settings, [&](app::JsonLog&, Metrics&) { return handler; }, log);
    server.start();
    int sig = 0;
    sigwait(&stop, &sig);
    int released = server.stop();  // joins every worker: nothing runs on
    std::fflush(stderr);
    std::exit(released > 0 ? 3 : 0);
  }

  // Slow (waits out a lease): in the suite "slow", out of the default ctest run (tests/CMakeLists.txt).
  TEST_CASE("a job whose worker is killed mid-job completes exactly once after a restart" *
            doctest::test_suite("slow")) {
    auto dir = test::scratch_dir("sigkill");
    auto marker = dir / "marker";
    Child c = spawn_server(dir, 60'000, 1);
    auto r = test::post_webhook(c.port, test::pull_request_payload("o/r", 1, std::string(40, 'a')), {});
    CHECK(r.status == 202);
    REQUIRE(test::wait_until([&] { return count_lines(marker, "start") == 1; }, 10s));
    ::kill(c.pid, SIGKILL);
    CHECK(wait_exit(c.pid) == 128 + SIGKILL);
    CHECK(count_lines(marker, "done") == 0);
    CHECK(test::query_one(dir / "queue.db", "SELECT state FROM jobs") == "leased");

    // Restarted with a quick handler: the lease (2 s) expires, the job runs again, once.
    Child again = spawn_server(dir, 100, 5);
    REQUIRE(test::wait_until([&] { return count_lines(marker, "done") == 1; }, 15s));
    std::this_thread::sleep_for(2500ms);  // longer than a lease: no second run
    ::kill(again.pid, SIGTERM);
    CHECK(wait_exit(again.pid) == 0);
    CHECK(count_lines(marker, "start") == 2);
    CHECK(count_lines(marker, "done") == 1);
    CHECK(test::query_one(dir / "queue.db", "SELECT state || ' ' || attempts FROM jobs") == "done 2");
    CHECK(test::query_one(dir / "queue.db", "SELECT COUNT(*) FROM jobs") == "1");
  }

  // Issue 20's chaos test, scaled to the suite "slow": 3 instances on one
  // PostgreSQL database, deliveries round-robin over them, one SIGKILLed
  // mid-run and started again.
  TEST_CASE("three instances on PostgreSQL, one killed mid-run: nothing acknowledged is lost, each head runs once" *
            doctest::test_suite("slow")) {
    auto schema = test::PgSchema::create("chaos");
    if (!schema) return;
    auto root = test::scratch_dir("chaos");
    auto marker = root / "marker";
    std::vector<Child> instances;
    for (int i = 0; i < 3; ++i) {
      auto dir = root / fmt::format("i{}", i);
      std::filesystem::create_directories(dir);
      std::filesystem::create_symlink(marker, dir / "marker");  // one marker file for all
      instances.push_back(spawn_server(dir, 5, 1, 0, schema->url()));
    }
    constexpr int kPrs = 100, kPushes = 20;
    int acknowledged = 0;
    std::map<int, std::string> last_head;
    for (int n = 0; n < kPrs * kPushes; ++n) {
      const int pr = n % kPrs + 1;
      const std::string head = fmt::format("{:040x}", n + 1);
      if (n == kPrs * kPushes / 2) {
        ::kill(instances[1].pid, SIGKILL);  // mid-run, jobs leased
        wait_exit(instances[1].pid);
        instances[1] = spawn_server(root / "i1", 5, 1, instances[1].port, schema->url());
      }
      auto r = test::post_webhook(instances[static_cast<std::size_t>(n % 3)].port,
                                  test::pull_request_payload("o/r", pr, head), {});
      if (r.status == 202) {
        ++acknowledged;
        last_head[pr] = head;
      }
    }
    auto open_jobs = [&] {
      return test::log_scalar(schema->url(), "SELECT count(*) FROM queue_jobs WHERE state IN ('pending', 'leased')");
    };
    REQUIRE(test::wait_until([&] { return open_jobs() == "0"; }, 60s));
    for (auto& c : instances) ::kill(c.pid, SIGTERM);
    for (auto& c : instances) wait_exit(c.pid);

    CHECK(acknowledged == kPrs * kPushes);
    CHECK(test::log_scalar(schema->url(), "SELECT count(*) FROM queue_deliveries") == std::to_string(acknowledged));
    // Each (PR, head) ran to its end at most once, and every PR's newest head did.
    std::ifstream in(marker);
    std::map<std::string, int> done;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("done ", 0) == 0) ++done[line.substr(line.find(' ', 5) + 1)];
    }
    for (const auto& [key, n] : done) {
      CAPTURE(key);
      CHECK(n == 1);
    }
    for (const auto& [pr, head] : last_head) CHECK(done.count(fmt::format("o/r#{}@{}", pr, head)) == 1);
    CHECK(test::log_scalar(schema->url(), "SELECT count(*) FROM queue_jobs WHERE state = 'leased'") == "0");
    CHECK(test::log_scalar(schema->url(), "SELECT count(*) FROM queue_jobs WHERE state IN ('dead', 'failed')") == "0");
  }

  TEST_CASE("SIGTERM stops within the grace period and releases a job still running") {
    auto dir = test::scratch_dir("sigterm");
    Child c = spawn_server(dir, 30'000, 1);
    CHECK(test::post_webhook(c.port, test::pull_request_payload("o/r", 2, std::string(40, 'b')), {}).status == 202);
    REQUIRE(test::wait_until([&] { return count_lines(dir / "marker", "start") == 1; }, 10s));
    const auto t0 = std::chrono::steady_clock::now();
    ::kill(c.pid, SIGTERM);
    CHECK(wait_exit(c.pid) == 3);  // exited, one job released
    CHECK(std::chrono::steady_clock::now() - t0 < 4s);
    // Its handler was asked to stop and returned (joined, not left running).
    CHECK(count_lines(dir / "marker", "stopped") == 1);
    CHECK(test::query_one(dir / "queue.db", "SELECT state || ' ' || attempts FROM jobs") == "pending 0");
    // Deliveries acknowledged before the signal are all there.
    CHECK(test::query_one(dir / "queue.db", "SELECT COUNT(*) FROM deliveries") == "1");
  }

  TEST_CASE("SIGTERM lets a short job finish before exiting") {
    auto dir = test::scratch_dir("sigterm-finish");
    Child c = spawn_server(dir, 1500, 10);
    CHECK(test::post_webhook(c.port, test::pull_request_payload("o/r", 3, std::string(40, 'c')), {}).status == 202);
    REQUIRE(test::wait_until([&] { return count_lines(dir / "marker", "start") == 1; }, 10s));
    ::kill(c.pid, SIGTERM);
    CHECK(wait_exit(c.pid) == 0);
    CHECK(count_lines(dir / "marker", "done") == 1);
    CHECK(test::query_one(dir / "queue.db", "SELECT state FROM jobs") == "done");
  }
}
