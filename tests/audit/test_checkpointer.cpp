#include <doctest/doctest.h>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "audit/db.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace {

std::uintmax_t size_of(const std::filesystem::path& p) {
  std::error_code ec;
  auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : n;
}

std::filesystem::path wal_of(const std::filesystem::path& db) { return db.string() + "-wal"; }

}  // namespace

TEST_SUITE("storage::Checkpointer") {
  TEST_CASE("while a store records, checkpoints copy the log into the database file and the WAL stays bounded") {
    auto path = test::scratch_dir("checkpoints") / "audit.db";
    constexpr int kRuns = 2500;  // about 25,000 WAL pages of 4 KB: six times the restart threshold
    std::uintmax_t max_wal = 0;
    {
      auto store = AuditStore::open(path);
      for (int i = 0; i < kRuns; ++i) {
        store->record_review(test::sample_review(fmt::format("r{}", i), 20, i));
        max_wal = std::max(max_wal, size_of(wal_of(path)));
      }
      // The rows reached the database file while the store was open (without
      // a checkpoint it would still be a few pages of schema), ...
      CHECK(size_of(path) > 8u * 1024 * 1024);
    }
    // ... the WAL was started over instead of growing with the log (it
    // held all 140 MB written, without restarts): at most twice
    // kWriterFrames pages of 4 KB (33 MB) and one run, ...
    MESSAGE("largest WAL: " << max_wal / 1024 << " KB");
    CHECK(max_wal < 36u * 1024 * 1024);
    // ... and nothing was lost.
    auto r = audit::verify(path);
    CHECK(r.ok);
    CHECK(r.rows == kRuns * 23);
  }

  TEST_CASE("a reader holding an old snapshot delays checkpoints but never a write") {
    auto path = test::scratch_dir("checkpoint-reader") / "audit.db";
    auto store = AuditStore::open(path);
    store->record_review(test::sample_review("first", 20));
    // An auditor's long query: a read transaction pinned to the first run.
    auto reader = audit::Connection::open(path, SQLITE_OPEN_READONLY);
    reader.exec("BEGIN");
    CHECK(test::scalar(reader, "SELECT count(*) FROM review_runs") == 1);
    constexpr int kRuns = 1000;  // about 10,000 WAL pages: past the restart threshold
    for (int i = 0; i < kRuns; ++i) store->record_review(test::sample_review(fmt::format("r{}", i), 20, i));
    // The reader still sees its snapshot; the writes all went in.
    CHECK(test::scalar(reader, "SELECT count(*) FROM review_runs") == 1);
    reader.exec("COMMIT");
    CHECK(test::scalar(reader, "SELECT count(*) FROM review_runs") == 1 + kRuns);
    for (int i = 0; i < 200; ++i) store->record_review(test::sample_review(fmt::format("s{}", i), 20, i));
    auto r = audit::verify(path);
    CHECK(r.ok);
    CHECK(r.rows == (1 + kRuns + 200) * 23);
  }
}
