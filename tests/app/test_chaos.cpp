// Issue 20's chaos test: 3 real `reviewer serve` processes on one
// PostgreSQL database (queue and audit log), active mode against the fake
// GitHub in this process, signed deliveries for many pull requests of a
// real repository sent round-robin over the instances by several client
// threads, one instance SIGKILLed mid-run and started again. Afterwards
// every acknowledged delivery is stored, each reviewed (PR, head) has
// exactly one review on GitHub and every PR's newest head has one, no job
// is left leased, dead or failed, and `reviewer audit verify` passes.
//
// The full size (10,000 deliveries, 200 PRs) is in the suite "slow"; a
// scaled one with the same checks runs in the default suite.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "serve_fleet.h"
#include "server_fixture.h"
#include "support/postgres.h"
#include "support/serve_process.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace std::chrono_literals;

namespace chaos_test {

struct ChaosSize {
  int deliveries, prs, heads_per_pr, client_threads;
  std::chrono::seconds drain;  // how long the queue may take to empty after the last delivery
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void run_chaos(const ChaosSize& size) {
  auto schema = test::PgSchema::create("chaos");
  if (!schema) return;
  const auto t0 = std::chrono::steady_clock::now();
  auto root = test::scratch_dir("chaos");
  test::FakeGitHub fake;
  fake.accept_token("ghp_fleet");
  fake.set_bot_login("reviewer-token-user");  // a token's reviews are its user's
  test::PullRequestFeed feed(root, fake, size.prs, size.heads_per_pr);

  std::vector<int> ports;
  std::vector<std::unique_ptr<test::ServeProcess>> instances;
  for (int i = 0; i < 3; ++i) {
    ports.push_back(test::free_port());
    instances.push_back(std::make_unique<test::ServeProcess>(
        test::serve_env(root / fmt::format("i{}", i), schema->url(), fake), ports.back(),
        root / fmt::format("i{}.log", i)));
  }

  // Delivery i is for PR i % prs; each PR's heads advance over its
  // deliveries, several deliveries per head (GitHub redelivers; edits and
  // reopenings name the same head). A push happens before the first
  // delivery naming its head is sent; the threads' deliveries interleave,
  // so some arrive after a newer head's, as they can from GitHub.
  const int per_pr = size.deliveries / size.prs;
  std::mutex acked_mu;
  std::set<std::string> acked;
  std::atomic<int> next{0}, unacknowledged{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < size.client_threads; ++t) {
    clients.emplace_back([&] {
      for (int i = next++; i < size.deliveries; i = next++) {
        if (i == size.deliveries / 2) {
          // Mid-run, with jobs leased on it: no goodbye, then a restart on
          // the same port and data folder. Deliveries meanwhile move on to
          // the next instance.
          instances[1]->stop(SIGKILL);
          instances[1] = std::make_unique<test::ServeProcess>(test::serve_env(root / "i1", schema->url(), fake),
                                                              ports[1], root / "i1.log");
        }
        const int n = i % size.prs + 1;
        const int k = (i / size.prs) * size.heads_per_pr / per_pr;
        feed.push(n, k);
        const std::string id = fmt::format("chaos-{}", i);
        const int status = test::deliver(ports, static_cast<std::size_t>(i % 3), feed.payload(n, k), id, 20);
        if (status != 202 && status != 200) {
          ++unacknowledged;
          continue;
        }
        std::lock_guard lock(acked_mu);
        acked.insert(id);
      }
    });
  }
  for (auto& c : clients) c.join();
  const double sending = seconds_since(t0);

  auto open_jobs = [&] {
    return test::log_scalar(schema->url(), "SELECT count(*) FROM queue_jobs WHERE state IN ('pending', 'leased')");
  };
  const bool drained = test::wait_until([&] { return open_jobs() == "0"; }, size.drain);
  const double total = seconds_since(t0);
  std::vector<int> exits;
  for (auto& p : instances) exits.push_back(p->stop(SIGTERM));
  MESSAGE(fmt::format("chaos: {} deliveries for {} PRs sent in {:.1f} s, the queue empty {:.1f} s later ({:.1f} s)",
                      size.deliveries, size.prs, sending, total - sending, total));
  CHECK_MESSAGE(drained, "jobs still open: ", open_jobs(), "; i0's log ends:\n", test::file_tail(root / "i0.log"));
  for (int e : exits) CHECK(e == 0);

  // Every acknowledged delivery is stored, once.
  CHECK(unacknowledged == 0);
  CHECK(acked.size() == static_cast<std::size_t>(size.deliveries));
  CHECK(test::log_scalar(schema->url(), "SELECT count(*) FROM queue_deliveries") == std::to_string(acked.size()));
  CHECK(test::log_scalar(schema->url(), "SELECT count(DISTINCT delivery_id) FROM queue_deliveries "
                                        "WHERE delivery_id LIKE 'chaos-%'") == std::to_string(acked.size()));
  // Nothing left leased by the dead instance, nothing failed for good.
  CHECK(test::log_scalar(schema->url(), "SELECT count(*) FROM queue_jobs WHERE state = 'leased'") == "0");
  CHECK(test::log_scalar(schema->url(), "SELECT count(*) FROM queue_jobs WHERE state IN ('dead', 'failed')") == "0");

  MESSAGE("chaos: jobs by state: ",
          test::log_scalar(schema->url(), "SELECT string_agg(state || ' ' || n, ', ') FROM "
                                          "(SELECT state, count(*) n FROM queue_jobs GROUP BY state ORDER BY state) t"),
          "; run more than once: ",
          test::log_scalar(schema->url(), "SELECT count(*) FROM queue_jobs WHERE attempts > 1"));
  const int reviewed = test::check_one_review_per_head(fake, feed);
  MESSAGE(fmt::format("chaos: {} heads reviewed of {} pushed", reviewed, size.prs * size.heads_per_pr));

  // The audit log the three wrote is one intact chain.
  std::string out;
  int rc = test::run_command(fmt::format("{} audit verify --database-url '{}' 2>&1", REVIEWER_BINARY, schema->url()),
                             &out);
  CHECK_MESSAGE(rc == 0, out);
}

}  // namespace chaos_test

TEST_SUITE("app::chaos") {
  // The same checks at a size CI runs on every push.
  TEST_CASE("three serve instances on PostgreSQL, one SIGKILLed: every delivery kept, one review per head") {
    chaos_test::run_chaos({1000, 40, 4, 4, 90s});
  }

  // Issue 20's size: 10,000 deliveries for 200 pull requests (minutes).
  TEST_CASE("chaos at full size: 10,000 deliveries for 200 pull requests over three instances" *
            doctest::test_suite("slow")) {
    chaos_test::run_chaos({10000, 200, 5, 6, 600s});
  }
}
