#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace {

// Scaled down from the 8 x 10,000 (bench/audit_bench runs the full
// figure); enough to interleave the threads thousands of times.
constexpr int kThreads = 8;
constexpr int kRunsPerThread = 250;
// PostgreSQL commits each run with a round trip per statement: fewer runs
// interleave its writers as often.
constexpr int kPgRunsPerThread = 25;

std::int64_t count_rows(const std::string& at, const char* table) {
  return std::stoll(test::log_scalar(at, std::string("SELECT count(*) FROM ") + table));
}

}  // namespace

TEST_SUITE("audit concurrency") {
  TEST_CASE("8 threads sharing one store lose no run and the chain verifies") {
    test::on_each_backend("threads", [](const std::string& path) {
      const int runs = storage::is_postgres_url(path) ? kPgRunsPerThread : kRunsPerThread;
      auto store = AuditStore::open_location(path);
      std::vector<std::thread> threads;
      std::atomic<int> failures{0};
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < runs; ++i) {
            try {
              store->record_review(test::sample_review(fmt::format("t{}-{}", t, i), 5, t * 100000 + i));
            } catch (...) {
              ++failures;
            }
          }
        });
      }
      for (auto& th : threads) th.join();
      CHECK(failures == 0);
      CHECK(count_rows(path, "review_runs") == kThreads * runs);
      CHECK(count_rows(path, "findings") == kThreads * runs * 5);
      auto r = audit::verify_location(path);
      CHECK(r.ok);
      CHECK(r.rows == kThreads * runs * (1 + 2 + 5));
    });
  }

  TEST_CASE("a failing write among concurrent writers fails alone and the others are kept") {
    test::on_each_backend("one-fails", [](const std::string& path) {
      auto store = AuditStore::open_location(path);
      store->record_review(test::sample_review("taken", 1));
      std::vector<std::thread> threads;
      std::atomic<int> duplicates{0}, other_failures{0};
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 50; ++i) {
            // Every 10th write by every thread reuses a recorded run id.
            std::string id = i % 10 == 0 ? "taken" : fmt::format("ok-{}-{}", t, i);
            try {
              store->record_review(test::sample_review(id, 4));
            } catch (const Error& e) {
              (std::string(e.what()).find("run taken was already recorded") != std::string::npos ? duplicates
                                                                                                 : other_failures)++;
            }
          }
        });
      }
      for (auto& th : threads) th.join();
      CHECK(duplicates == kThreads * 5);
      CHECK(other_failures == 0);
      CHECK(count_rows(path, "review_runs") == 1 + kThreads * 45);
      CHECK(count_rows(path, "findings") == (1 + kThreads * 45 * 4));
      CHECK(audit::verify_location(path).ok);
    });
  }

  TEST_CASE("a batch of reviews is recorded all or nothing") {
    test::on_each_backend("batch", [](const std::string& path) {
      auto store = AuditStore::open_location(path);
      std::vector<ReviewResult> batch;
      for (int i = 0; i < 5; ++i) batch.push_back(test::sample_review(fmt::format("b{}", i), 2));
      store->record_reviews(batch);
      CHECK(count_rows(path, "review_runs") == 5);
      batch.push_back(test::sample_review("b0", 2));  // a duplicate at the end
      batch[0].run_id = "c0";
      CHECK_THROWS_AS(store->record_reviews(batch), Error);
      CHECK(count_rows(path, "review_runs") == 5);
      CHECK(audit::verify_location(path).ok);
    });
  }

  TEST_CASE("8 connections (as 8 processes would) interleave through the lock and the chain verifies") {
    test::on_each_backend("connections", [](const std::string& path) {
      AuditStore::open_location(path);
      std::vector<std::thread> threads;
      std::atomic<int> failures{0};
      constexpr int kRuns = 40;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          try {
            audit::OpenOptions opt;
            opt.busy_timeout_ms = 60000;
            auto store = storage::is_postgres_url(path) ? AuditStore::open_url(path) : AuditStore::open(path, opt);
            for (int i = 0; i < kRuns; ++i) store->record_review(test::sample_review(fmt::format("c{}-{}", t, i), 3));
          } catch (const Error& e) {
            MESSAGE(e.what());
            ++failures;
          }
        });
      }
      for (auto& th : threads) th.join();
      CHECK(failures == 0);
      CHECK(count_rows(path, "review_runs") == kThreads * kRuns);
      auto r = audit::verify_location(path);
      CHECK(r.ok);
      CHECK(r.rows == kThreads * kRuns * (1 + 2 + 3));
    });
  }

  TEST_CASE("a writer killed with SIGKILL mid-write leaves a database that opens and verifies") {
    test::on_each_backend("sigkill", [](const std::string& path) {
      AuditStore::open_location(path);
      pid_t pid = ::fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        try {
          auto store = AuditStore::open_location(path);
          // Bounded, so a parent that failed before its kill cannot leave a
          // child filling the disk.
          auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(60);
          for (int i = 0; std::chrono::steady_clock::now() < stop; ++i) {
            store->record_review(test::sample_review("child-" + std::to_string(i), 20));
          }
        } catch (...) {
        }
        ::_exit(1);
      }
      // Let the child get well into writing, then kill it without warning.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (std::chrono::steady_clock::now() < deadline && count_rows(path, "review_runs") < 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      REQUIRE(WIFSIGNALED(status));
      CHECK(WTERMSIG(status) == SIGKILL);

      auto runs = count_rows(path, "review_runs");
      CHECK(runs >= 200);
      // Every committed run is whole: no run without its agents and findings.
      CHECK(count_rows(path, "agent_results") == 2 * runs);
      CHECK(count_rows(path, "findings") == 20 * runs);
      auto r = audit::verify_location(path);
      CHECK(r.ok);
      CHECK(r.rows == runs * 23);
      // The first writer after a crash recovers the killed writer's WAL; on a
      // machine this loaded that took longer than the default 5 s wait.
      audit::OpenOptions opt;
      opt.busy_timeout_ms = 60000;
      auto store = storage::is_postgres_url(path) ? AuditStore::open_url(path) : AuditStore::open(path, opt);
      store->record_review(test::sample_review("after-kill", 20));
      CHECK(audit::verify_location(path).rows == (runs + 1) * 23);
    });
  }
}
