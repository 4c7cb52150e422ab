// The checkpointer with the queue's settings (Checkpointer::Options):
// checkpoints off the writer's thread, woken by its commits, rounds spaced
// out, the WAL started over on the writer's connection once it grows. The
// audit log's settings: tests/audit/test_checkpointer.cpp.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/checkpointer.h"
#include "storage/sqlite.h"
#include "support/testutil.h"

using reviewer::storage::Checkpointer;
using reviewer::storage::Connection;
using namespace std::chrono_literals;

namespace {

std::uintmax_t wal_size(const std::filesystem::path& db) {
  std::error_code ec;
  auto n = std::filesystem::file_size(db.string() + "-wal", ec);
  return ec ? 0 : n;
}

}  // namespace

TEST_SUITE("storage::Checkpointer options") {
  TEST_CASE("with the queue's settings, commits wake rounds off the writer's thread and a growing WAL starts over") {
    const auto path = reviewer::test::scratch_dir("checkpointer-queue") / "q.db";
    auto db = Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr, "test database");
    db.set_busy_timeout(5000);
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t(x TEXT)");
    std::mutex writer_mu;  // the owner's lock over its connection
    std::mutex seen_mu;
    std::vector<std::thread::id> before_threads;
    std::vector<std::chrono::steady_clock::time_point> rounds;
    std::atomic<int> restarts{0};
    // Calls of before_checkpoint made while the writer's lock was lent:
    // those before a RESTART, not a round's.
    std::atomic<int> synced_under_writer{0};
    thread_local bool lent = false;
    auto o = Checkpointer::queue_checkpoints(
        [&](const std::function<void(Connection&)>& use) {
          std::lock_guard lock(writer_mu);
          ++restarts;
          CHECK(db.busy_timeout() == 5000);
          lent = true;
          use(db);
          lent = false;
          CHECK(db.busy_timeout() == 5000);  // restored after its 20 ms
        },
        [&] {
          if (lent) {
            ++synced_under_writer;
            return;
          }
          std::lock_guard lock(seen_mu);
          before_threads.push_back(std::this_thread::get_id());
          rounds.push_back(std::chrono::steady_clock::now());
        });
    CHECK(o.wake_frames == 1);
    CHECK(o.writer_frames == 0);
    CHECK(o.restart_frames == Checkpointer::kRestartFrames);
    o.restart_frames = 200;  // 800 KB instead of 256 MB, for the test
    std::uintmax_t largest = 0;
    {
      Checkpointer cp(path, o);
      cp.attach(db);
      const std::string row(3000, 'x');
      for (int i = 0; i < 3000; ++i) {
        std::lock_guard lock(writer_mu);
        auto ins = db.cached("INSERT INTO t VALUES(?1)");
        ins.bind(1, row).run();
        largest = std::max(largest, wal_size(path));
      }
      std::this_thread::sleep_for(200ms);  // a last round for the last commits
    }
    // Every round ran on the checkpointer's thread, none in the writer's.
    std::lock_guard lock(seen_mu);
    REQUIRE(!before_threads.empty());
    for (auto id : before_threads) CHECK(id != std::this_thread::get_id());
    for (std::size_t i = 1; i < rounds.size(); ++i) CHECK(rounds[i] - rounds[i - 1] >= 45ms);
    // Past restart_frames after a round, the WAL was started over on the
    // writer's connection, under the writer's lock.
    CHECK(restarts > 0);
    // Each RESTART first made the bodies of the commits since its round
    // durable, under the writer's lock.
    CHECK(synced_under_writer == restarts);
    MESSAGE("largest WAL: " << largest / 1024 << " KB, " << rounds.size() << " rounds, " << restarts.load()
                            << " restarts");
    auto n = db.cached("SELECT count(*) FROM t");
    REQUIRE(n.step());
    CHECK(n.column_int64(0) == 3000);
  }
}
