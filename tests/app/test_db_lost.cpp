// Issue 20, "Bad input and faults": the database lost while `reviewer
// serve` runs. One real serve process on a PostgreSQL cluster of the
// test's own (support/pg_cluster.h: stopping the run's shared cluster would
// break the tests beside this one), deliveries flowing, then the server
// stopped (pg_ctl stop -m fast) and started again, and later every session
// terminated (pg_terminate_backend). While it is away: /readyz 503 within a
// few seconds, webhooks 503 promptly (GitHub redelivers), serve keeps
// running; once it is back: /readyz 200, intake 202, the pending jobs run,
// every acknowledged delivery is stored once and no head is reviewed twice.
#include <doctest/doctest.h>

#include <signal.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "serve_fleet.h"
#include "server_fixture.h"
#include "support/pg_cluster.h"
#include "support/serve_process.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace std::chrono_literals;

namespace db_lost_test {

struct Run {
  test::PullRequestFeed& feed;
  int port;
  std::set<std::string> acked;
  std::vector<std::pair<std::string, std::string>> refused;  // id, body: to redeliver
  int next_id = 0;

  // One delivery per PR at head k; returns the statuses seen.
  std::multiset<int> round(int k, std::chrono::milliseconds* slowest = nullptr) {
    std::multiset<int> statuses;
    for (int n = 1; n <= feed.prs(); ++n) {
      feed.push(n, k);
      const std::string id = fmt::format("lost-{}", next_id++), body = feed.payload(n, k);
      const auto t0 = std::chrono::steady_clock::now();
      const int status = test::deliver({port}, 0, body, id, 1);
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      if (slowest) *slowest = std::max(*slowest, took);
      statuses.insert(status);
      if (status == 202 || status == 200) {
        acked.insert(id);
      } else {
        refused.emplace_back(id, body);
      }
    }
    return statuses;
  }

  // GitHub's redelivery of what was refused: the same ids, until 2xx.
  void redeliver() {
    for (const auto& [id, body] : refused) {
      if (test::deliver({port}, 0, body, id, 40) == 202) acked.insert(id);
    }
    refused.clear();
  }
};

// What a round of 8 deliveries answers when every one gets `status`.
std::multiset<int> all(int status) { return {status, status, status, status, status, status, status, status}; }

int ready(int port) { return test::http_get(port, "/readyz").status; }

std::string scalar(const test::PgCluster& c, const std::string& sql) { return test::log_scalar(c.url(), sql); }

}  // namespace db_lost_test

TEST_SUITE("app::db_lost") {
  TEST_CASE("serve loses its PostgreSQL server while working: 503 meanwhile, nothing lost or run twice after") {
    auto cluster = test::PgCluster::create("db-lost");
    if (!cluster) return;
    auto root = test::scratch_dir("db-lost");
    test::FakeGitHub fake;
    fake.accept_token("ghp_fleet");
    fake.set_bot_login("reviewer-token-user");
    test::PullRequestFeed feed(root, fake, 8, 6);
    const int port = test::free_port();
    auto env = test::serve_env(root / "data", cluster->url(), fake);
    env["REVIEWER_LEASE_SECONDS"] = "20";  // outlives the outage: running jobs keep their leases
    test::ServeProcess serve(env, port, root / "serve.log");
    db_lost_test::Run run{feed, port, {}, {}, 0};

    CHECK(run.round(0) == db_lost_test::all(202));
    CHECK(run.round(1) == db_lost_test::all(202));  // jobs running or pending as it goes
    cluster->stop();
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(test::wait_until([&] { return db_lost_test::ready(port) == 503; }, 5s));
    MESSAGE("readyz 503 after ", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), " s");
    std::chrono::milliseconds slowest{0};
    CHECK(run.round(2, &slowest) == db_lost_test::all(503));
    CHECK(slowest < 6s);  // refused at once, never left hanging
    std::this_thread::sleep_for(2s);  // workers and intake keep failing for a while
    CHECK(serve.running());
    CHECK(test::http_get(port, "/healthz").status == 200);
    CHECK(db_lost_test::ready(port) == 503);

    cluster->start();
    CHECK(test::wait_until([&] { return db_lost_test::ready(port) == 200; }, 10s));
    run.redeliver();
    CHECK(run.round(3) == db_lost_test::all(202));

    // Every session cut (an administrator, a fail-over): the calls that
    // were using a connection fail once, the next ones reconnect.
    CHECK(cluster->terminate_backends() >= 1);
    run.round(4);
    CHECK(test::wait_until([&] { return db_lost_test::ready(port) == 200; }, 10s));
    run.redeliver();
    CHECK(run.round(5) == db_lost_test::all(202));

    CHECK(test::wait_until(
        [&] {
          return db_lost_test::scalar(*cluster,
                                      "SELECT count(*) FROM queue_jobs WHERE state IN ('pending', 'leased')") == "0";
        },
        60s));
    CHECK(serve.stop(SIGTERM) == 0);
    const std::string log = test::read_text(root / "serve.log");
    CHECK(log.find("\"database_lost\"") != std::string::npos);
    CHECK(log.find("\"database_back\"") != std::string::npos);
    // No job ran to its end twice; those the outage interrupted ran again.
    std::map<std::int64_t, int> started, finished;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("job_id")) continue;
      if (j.value("event", "") == "job_started") ++started[j["job_id"].get<std::int64_t>()];
      if (j.value("event", "") == "job_finished" && j.value("state", "") != "pending") {
        ++finished[j["job_id"].get<std::int64_t>()];
      }
    }
    int again = 0;
    for (const auto& [id, n] : started) again += n > 1;
    for (const auto& [id, n] : finished) {
      CAPTURE(id);
      CHECK(n == 1);
    }
    MESSAGE(started.size(), " jobs started, ", again, " of them more than once (interrupted by the outage)");

    // Each acknowledged delivery stored once; every job ended, none failed.
    CHECK(run.refused.empty());
    CHECK(run.acked.size() == 6u * 8u);
    CHECK(db_lost_test::scalar(*cluster, "SELECT count(*) FROM queue_deliveries") == std::to_string(run.acked.size()));
    CHECK(db_lost_test::scalar(*cluster, "SELECT count(*) FROM queue_jobs") == std::to_string(run.acked.size()));
    CHECK(db_lost_test::scalar(*cluster, "SELECT count(*) FROM queue_jobs WHERE state NOT IN ('done', 'superseded')") ==
          "0");
    // No head reviewed twice, the newest of each PR reviewed; the log intact.
    test::check_one_review_per_head(fake, feed);
    std::string out;
    CHECK_MESSAGE(test::run_command(fmt::format("{} audit verify --database-url '{}' 2>&1", REVIEWER_BINARY,
                                                cluster->url()),
                                    &out) == 0,
                  out);
  }
}
