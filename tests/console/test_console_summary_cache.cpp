// The overview's summary kept across restarts (OverviewSummary::save and
// load, LiveOverview::SummaryCache): a summary loaded from its file and
// updated over the rows appended since gives a fresh build's rows, on
// SQLite and PostgreSQL; a file that does not verify (corrupt, truncated,
// another log's, an older format, absurd sizes) is refused and the console
// rebuilds; a log replaced under a saved summary is read afresh; the file
// is 0600; the console saves after a rebuild, and after updates no more
// often than it is told.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "overview_summary_fixture.h"
#include "reviewer/console/console.h"
#include "reviewer/console/live_overview.h"
#include "reviewer/core/sha256.h"
#include "audit/readonly_session.h"
#include "support/postgres.h"

namespace reviewer::console {

namespace {

using namespace summary_test;
using U = audit::OverviewSummary::Update;
namespace fs = std::filesystem;

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// The file's inode; 0 when there is none.
ino_t inode(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

bool owner_only(const fs::path& p) {
  return (fs::status(p).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write);
}

// Every filter's rows of `a` and `b`, described (compare_summary's text).
void check_same_rows(const audit::OverviewSummary& a, const audit::OverviewSummary& b) {
  for (const auto& f : summary_filters("2025-11-03T08:00:00Z")) {
    CAPTURE(f.since);
    CHECK(described(a.rows(f)) == described(b.rows(f)));
  }
}

// A summary saved, loaded into fresh objects and updated over batches
// appended since: each gives the full computation's rows and a fresh
// build's, reading only the appended rows.
template <typename OpenSession, typename OpenStore>
void check_saved_summary(OpenSession open, OpenStore store, const fs::path& file) {
  audit::OverviewSummary built;
  compare_summary(built, open()->log(), true, U::rebuilt);
  const auto all_rows = built.last_rows();
  built.save(file.string(), "the log");
  CHECK(owner_only(file));
  {
    audit::OverviewSummary loaded;
    REQUIRE(loaded.load(file.string(), "the log"));
    CHECK(loaded.built());
    CHECK(loaded.watermark().seq == built.watermark().seq);
    CHECK(loaded.watermark().hash == built.watermark().hash);
    check_same_rows(loaded, built);
    compare_summary(loaded, open()->log(), true, U::unchanged);
  }
  for (int b = 0; b < 2; ++b) {
    CAPTURE(b);
    append_batch(*store(), open()->log(), b);
    audit::OverviewSummary loaded, fresh;
    REQUIRE(loaded.load(file.string(), "the log"));
    compare_summary(loaded, open()->log(), true, U::appended);
    CHECK(loaded.last_rows() > 0);
    CHECK(loaded.last_rows() * 10 < all_rows);  // the appended rows, not the log
    compare_summary(fresh, open()->log(), true, U::rebuilt);
    check_same_rows(loaded, fresh);
    loaded.save(file.string(), "the log");  // the next batch starts from here
  }
  CHECK(owner_only(file));
}

// The offsets of the snapshot's parts (audit/overview_summary_file.cpp).
constexpr std::size_t kMagicSize = 8, kVersionAt = 8, kHashAt = 12, kBuildAt = 12 + 64 + 8, kContentAt = kBuildAt + 64;

// `bytes` with its content replaced by `content` and the checksum made
// right for it: what only the parser can refuse.
std::string with_content(const std::string& bytes, const std::string& content) {
  auto out = bytes.substr(0, kContentAt) + content;
  const auto hash = sha256_hex(content);
  out.replace(kHashAt, hash.size(), hash);
  return out;
}

std::unique_ptr<audit::ReadOnlySession> open_file(const fs::path& path) {
  return audit::open_read_only_session(path.string(), std::chrono::seconds(30));
}

// The console's figures for all time from `live`, and afresh.
std::string live_figures(LiveOverview& live, const fs::path& path) {
  audit::ChainHead head;
  return described(live.figures(*open_file(path), {}, head));
}
std::string full_figures(const fs::path& path) {
  return described(overview_figures(audit::console_overview(open_file(path)->log(), {})));
}

}  // namespace

TEST_SUITE("console") {
  TEST_CASE("an overview summary saved and loaded, then updated over appended rows, gives a fresh build's (SQLite)") {
    const auto path = demo_log("summary-cache-sqlite", 1000);
    check_saved_summary([&] { return open_file(path); }, [&] { return audit::AuditStore::open(path); },
                        path.parent_path() / "summary.bin");
  }

  TEST_CASE("an overview summary saved and loaded, then updated over appended rows, gives a fresh build's "
            "(PostgreSQL)") {
    auto s = test::PgSchema::create("summary_cache");
    if (!s) return;
    DemoHistory h;
    h.changes = 400;
    write_demo_history(*audit::AuditStore::open_url(s->url()), h);
    const test::PgAuditor auditor(*s);
    check_saved_summary([&] { return audit::open_read_only_session(auditor.url(), std::chrono::seconds(30)); },
                        [&] { return audit::AuditStore::open_url(s->url()); },
                        test::scratch_dir("summary-cache-pg") / "summary.bin");
  }

  TEST_CASE("an overview summary's file that does not verify is refused, and the summary stays as it was") {
    const auto path = demo_log("summary-cache-refused", 300);
    const auto file = path.parent_path() / "summary.bin", bad = path.parent_path() / "bad.bin";
    audit::OverviewSummary saved;
    compare_summary(saved, open_file(path)->log(), true, U::rebuilt);
    saved.save(file.string(), "the log");
    const auto bytes = file_bytes(file), content = bytes.substr(kContentAt);
    REQUIRE(bytes.size() > kContentAt + 100);

    // A summary of another state (a fresh log's) that each refused load must leave alone.
    const auto other_path = demo_log("summary-cache-refused-other", 40);
    audit::OverviewSummary kept;
    compare_summary(kept, open_file(other_path)->log(), true, U::rebuilt);
    const auto kept_mark = kept.watermark();
    const auto refused = [&](const std::string& what, const std::string& file_text, const std::string& identity) {
      CAPTURE(what);
      write_bytes(bad, file_text);
      CHECK_FALSE(kept.load(bad.string(), identity));
      CHECK(kept.watermark().seq == kept_mark.seq);
      CHECK(kept.watermark().hash == kept_mark.hash);
      audit::OverviewSummary fresh;
      CHECK_FALSE(fresh.load(bad.string(), identity));
      CHECK_FALSE(fresh.built());
    };
    CHECK_FALSE(kept.load((path.parent_path() / "missing.bin").string(), "the log"));
    refused("empty", "", "the log");
    refused("truncated in the header", bytes.substr(0, kContentAt - 1), "the log");
    refused("truncated", bytes.substr(0, bytes.size() / 2), "the log");
    refused("one byte short", bytes.substr(0, bytes.size() - 1), "the log");
    refused("one byte more", bytes + "x", "the log");
    refused("another log's", bytes, "another log");
    auto magic = bytes;
    magic[0] = 'X';
    refused("another magic", magic, "the log");
    auto older = bytes;
    older[kVersionAt] = 0;  // format version 0
    refused("an older format", older, "the log");
    // Another build of reviewer wrote it (what the summary counts may differ).
    auto other_build = bytes;
    other_build[kBuildAt] = static_cast<char>(other_build[kBuildAt] == 'a' ? 'b' : 'a');
    refused("written by another build", other_build, "the log");
    {
      std::string why;
      audit::OverviewSummary f;
      CHECK_FALSE(f.load(bad.string(), "the log", &why));
      CHECK(why == "written by another build of reviewer");
    }
    // A byte of the watermark's hash (after the identity and the seq):
    // parses, fails the checksum.
    const std::size_t hash_at = 4 + std::string("the log").size() + 8 + 4;
    auto flipped = bytes;
    flipped[kContentAt + hash_at] = static_cast<char>(flipped[kContentAt + hash_at] ^ 0x01);
    refused("a byte changed", flipped, "the log");
    // Absurd sizes with a checksum that verifies: the names' count, right
    // after the watermark.
    const std::size_t names_at = hash_at + saved.watermark().hash.size();
    auto absurd = content;
    for (std::size_t i = 0; i < 8; ++i) absurd[names_at + i] = '\xff';
    refused("an absurd count", with_content(bytes, absurd), "the log");
    auto long_name = content;
    long_name[names_at + 8 + 3] = '\x7f';  // the first name's length, ~2 GB
    refused("an absurd length", with_content(bytes, long_name), "the log");
    refused("content cut short", with_content(bytes, content.substr(0, content.size() - 9)), "the log");
    refused("content with more", with_content(bytes, content + std::string(24, '\0')), "the log");
    // Bytes changed at random under a checksum that verifies: loaded or
    // refused, never a crash; and when loaded, its rows can be read.
    std::mt19937 random(7);
    int loaded = 0;
    for (int i = 0; i < 300; ++i) {
      auto mutated = content;
      const auto at = std::uniform_int_distribution<std::size_t>(0, content.size() - 1)(random);
      mutated[at] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
      write_bytes(bad, with_content(bytes, mutated));
      audit::OverviewSummary s;
      if (s.load(bad.string(), "the log")) {
        ++loaded;
        for (const auto& f : summary_filters("2025-11-03T08:00:00Z")) CHECK(s.rows(f).merged.size() < 1000000);
      }
    }
    MESSAGE(loaded << " of 300 mutated snapshots loaded");
    // The file itself still loads.
    audit::OverviewSummary again;
    CHECK(again.load(file.string(), "the log"));
    check_same_rows(again, saved);
  }

  TEST_CASE("a log replaced under a saved overview summary is read afresh") {
    const auto path = demo_log("summary-cache-replaced", 300);
    const auto dir = path.parent_path(), file = dir / "summary.bin", backup = dir / "backup.db";
    copy_log(path, backup);
    const auto store = [&] { return audit::AuditStore::open(path); };
    append_batch(*store(), open_file(path)->log(), 0);
    audit::OverviewSummary saved;
    compare_summary(saved, open_file(path)->log(), true, U::rebuilt);
    saved.save(file.string(), "the log");
    const auto mark = saved.watermark().seq;
    // Restored from the backup: shorter; then longer, with other rows at the watermark's seq.
    copy_log(backup, path);
    {
      audit::OverviewSummary loaded;
      REQUIRE(loaded.load(file.string(), "the log"));
      compare_summary(loaded, open_file(path)->log(), true, U::rebuilt);
    }
    for (int b = 10; store()->row_count() <= mark; ++b) append_batch(*store(), open_file(path)->log(), b);
    audit::OverviewSummary loaded;
    REQUIRE(loaded.load(file.string(), "the log"));
    compare_summary(loaded, open_file(path)->log(), true, U::rebuilt);
    CHECK(loaded.watermark().seq > mark);
  }

  TEST_CASE("the console starts its overview from the summary cache, and rebuilds when the file is refused") {
    const auto path = demo_log("summary-cache-live", 300);
    const auto dir = path.parent_path(), file = dir / "summary.bin";
    const auto open = [&] { return open_file(path); };
    const LiveOverview::SummaryCache cache{file.string(), log_identity(path.string())};
    // A console started with `c`: what its warm-up did, and whether it
    // wrote the file (renamed over it: another inode).
    const auto start = [&](const LiveOverview::SummaryCache& c, U expected, bool saves) {
      CAPTURE(c.identity);
      const auto before = inode(file);
      {
        LiveOverview live(open, c);
        live.wait_for_warm_up();
        CHECK(live.warm_up_update() == expected);
        CHECK(live_figures(live, path) == full_figures(path));
      }  // joins the builder, which saves after the warm-up
      CHECK((inode(file) != before) == saves);
    };
    start(cache, U::rebuilt, true);  // no file yet: built from the log, then saved
    REQUIRE(fs::exists(file));
    CHECK(owner_only(file));
    start(cache, U::unchanged, false);  // loaded; nothing to save
    append_batch(*audit::AuditStore::open(path), open()->log(), 0);
    start(cache, U::appended, true);  // loaded, brought up to the head, saved
    start(cache, U::unchanged, false);
    // Another log's identity, a corrupt file, an older format: rebuilt, and saved right.
    start({file.string(), log_identity((dir / "other.db").string())}, U::rebuilt, true);
    start(cache, U::rebuilt, true);  // the file is now the other identity's
    auto bytes = file_bytes(file);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
    write_bytes(file, bytes);
    start(cache, U::rebuilt, true);
    bytes = file_bytes(file);
    bytes[kVersionAt] = 0;
    write_bytes(file, bytes);
    start(cache, U::rebuilt, true);
    write_bytes(file, file_bytes(file).substr(0, kMagicSize + 10));
    start(cache, U::rebuilt, true);
    start(cache, U::unchanged, false);
  }

  TEST_CASE("the console saves its summary after updates no more often than it is told") {
    const auto path = demo_log("summary-cache-every", 300);
    const auto file = path.parent_path() / "summary.bin";
    const auto open = [&] { return open_file(path); };
    int batch = 0;
    for (const auto every : {std::chrono::seconds(3600), std::chrono::seconds(0)}) {
      CAPTURE(every.count());
      fs::remove(file);
      {
        LiveOverview live(open, {file.string(), "the log", every});
        live.wait_for_warm_up();
        // The rebuild's save, made once requests may read, is made before
        // the batches: only the updates' saves are told when.
        for (int i = 0; i < 3000 && !fs::exists(file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(fs::exists(file));
        for (int b = 0; b < 2; ++b) {
          append_batch(*audit::AuditStore::open(path), open()->log(), batch++);
          CHECK(live_figures(live, path) == full_figures(path));
        }
      }
      audit::OverviewSummary loaded;
      REQUIRE(loaded.load(file.string(), "the log"));
      const auto head = audit::read_head(open()->log(), open()->log().chained_tables());
      // Every hour: the file is the rebuild's, before the batches; at once: the last update's.
      CHECK((loaded.watermark().seq == head.seq) == (every.count() == 0));
    }
  }
}

}  // namespace reviewer::console
