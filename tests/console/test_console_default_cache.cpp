// The summary cache `reviewer audit serve` keeps by default
// (default_summary_cache): a restarted console loads it and reads only the
// rows appended since, on SQLite and PostgreSQL, its pages byte-identical
// to the full computation's; a file that does not verify (a byte changed,
// cut short, another log's, writable by others, a link, a FIFO) or a log
// that no longer holds the row it was saved at is ignored with a line
// saying why, and the whole log read.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "console_fixture.h"
#include "overview_summary_fixture.h"
#include "reviewer/console/console.h"
#include "support/postgres.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

using namespace summary_test;
namespace fs = std::filesystem;

// The overview's pages a console answers with.
const std::vector<std::string> kOverviewPages = {"/", "/?period=all", "/?repo=acme/web&period=all"};

// The pages of a console over `location` without a summary: every query
// per request (the full computation).
std::vector<std::string> full_overview_pages(const std::string& location) {
  auto options = test::console_options(location);
  options.overview_summary = false;
  const Console c(std::move(options));
  std::vector<std::string> out;
  for (const auto& p : kOverviewPages) out.push_back(test::get(c, p).body);
  return out;
}

// A console over `location` with the summary cache `file` started and
// asked for kOverviewPages: the line its start wrote about the file; its pages
// must be the full computation's.
std::string start_console(const std::string& location, const std::string& file) {
  auto options = test::console_options(location);
  options.summary_cache = file;
  auto lines = std::make_shared<std::vector<std::string>>();
  options.summary_note = [lines](const std::string& line) { lines->push_back(line); };
  const auto expected = full_overview_pages(location);
  {
    const Console c(std::move(options));
    c.wait_for_warm_up();
    for (std::size_t i = 0; i < kOverviewPages.size(); ++i) {
      CAPTURE(kOverviewPages[i]);
      const auto page = test::get(c, kOverviewPages[i]);
      CHECK(page.status == 200);
      CHECK(page.body == expected[i]);
    }
  }  // joins the builder, which saves after the warm-up
  REQUIRE(lines->size() == 1);
  return lines->front();
}

bool has_text(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string cache_file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_cache_file(const fs::path& p, const std::string& bytes) {
  fs::remove(p);
  std::ofstream(p, std::ios::binary) << bytes;
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace

TEST_SUITE("console") {
  TEST_CASE("the default summary cache sits beside an SQLite log and is used across a restart") {
    const auto path = demo_log("default-cache-sqlite", 300);
    const auto dir = path.parent_path();
    const auto file = default_summary_cache(path.string(), dir / "data");
    CHECK(file == path.string() + ".overview-summary");
    // A log in a folder the console may not write (here: none): its file in the data directory.
    const auto elsewhere = default_summary_cache("/nonexistent-folder/audit.db", dir / "data");
    CHECK(fs::path(elsewhere).parent_path() == dir / "data");
    CHECK(fs::path(elsewhere).filename().string().starts_with("overview-summary-sqlite-"));
    CHECK(elsewhere != default_summary_cache("/nonexistent-folder/other.db", dir / "data"));
    const auto location = path.string();

    CHECK(has_text(start_console(location, file), "none yet; the whole log read"));
    REQUIRE(fs::exists(file));
    CHECK((fs::status(file).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(has_text(start_console(location, file), "loaded at seq"));
    CHECK(has_text(start_console(location, file), "; 0 rows appended since read"));
    append_batch(*audit::AuditStore::open(path), audit::open_read_only_session(location, std::chrono::seconds(30))->log(),
                 0);
    const auto appended = start_console(location, file);
    CHECK(has_text(appended, "loaded at seq"));
    CHECK_FALSE(has_text(appended, "; 0 rows appended"));
    CHECK(has_text(start_console(location, file), "; 0 rows appended since read"));
  }

  TEST_CASE("a default summary cache that does not verify is ignored with a line saying why") {
    const auto path = demo_log("default-cache-refused", 300);
    const auto dir = path.parent_path(), backup = dir / "backup.db";
    copy_log(path, backup);
    const auto location = path.string();
    const auto file = default_summary_cache(location, dir);
    const auto ignored = [&](const std::string& what, const std::string& why) {
      CAPTURE(what);
      const auto line = start_console(location, file);
      CAPTURE(line);
      CHECK(has_text(line, "ignored (" + why));
      CHECK(has_text(line, "the whole log read"));
      CHECK(has_text(start_console(location, file), "loaded at seq"));  // saved again, right
    };
    CHECK(has_text(start_console(location, file), "none yet"));
    const auto good = cache_file_bytes(file);

    auto flipped = good;
    flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 1);
    write_cache_file(file, flipped);
    ignored("a byte changed", "checksum mismatch");
    write_cache_file(file, good.substr(0, good.size() - 100));
    ignored("cut short", "truncated or extended");
    write_cache_file(file, good + std::string(64, 'x'));
    ignored("grown", "truncated or extended");
    write_cache_file(file, good.substr(0, 20));
    ignored("cut in its header", "shorter than its header");

    // Another log's file (the other log's summary copied over this one's).
    const auto other = demo_log("default-cache-refused-other", 40);
    CHECK(has_text(start_console(other.string(), default_summary_cache(other.string(), dir)), "none yet"));
    fs::copy_file(default_summary_cache(other.string(), dir), file, fs::copy_options::overwrite_existing);
    ignored("another log's", "another log's");

    // Writable by others; a link to a good file; a FIFO (not waited on).
    fs::permissions(file, fs::perms::group_write, fs::perm_options::add);
    ignored("group-writable", "writable by others");
    const auto elsewhere = dir / "elsewhere.bin";
    fs::copy_file(file, elsewhere);
    fs::remove(file);
    fs::create_symlink(elsewhere, file);
    ignored("a link", "cannot be opened");
    CHECK_FALSE(fs::is_symlink(file));  // replaced by the save, the link's target untouched
    fs::remove(file);
    REQUIRE(::mkfifo(file.c_str(), 0600) == 0);
    ignored("a FIFO", "not a regular file");

    // The log restored from an older backup (shorter: the row the summary
    // was saved at is gone), then grown past it with other rows.
    const auto append = [&](int batch) {
      append_batch(*audit::AuditStore::open(path),
                   audit::open_read_only_session(location, std::chrono::seconds(30))->log(), batch);
    };
    append(0);
    CHECK(has_text(start_console(location, file), "loaded at seq"));
    copy_log(backup, path);
    ignored("a log restored from a backup", "the log no longer holds the row it was saved at");
    append(10);
    CHECK(has_text(start_console(location, file), "loaded at seq"));  // saved past the backup's head
    const auto saved_at = audit::AuditStore::open(path)->row_count();
    copy_log(backup, path);
    for (int b = 20; audit::AuditStore::open(path)->row_count() < saved_at; ++b) append(b);
    ignored("another history past the same length", "the log no longer holds the row it was saved at");
  }

  TEST_CASE("the default summary cache of a PostgreSQL log is a file per database, used across a restart, "
            "ignored when it does not verify") {
    auto s = test::PgSchema::create("default_cache");
    if (!s) return;
    DemoHistory h;
    h.changes = 200;
    write_demo_history(*audit::AuditStore::open_url(s->url()), h);
    const test::PgAuditor auditor(*s);
    const std::string& url = auditor.url();
    const auto data = test::scratch_dir("default-cache-pg");
    const auto file = default_summary_cache(url, data);
    CHECK(fs::path(file).parent_path() == data);
    CHECK(fs::path(file).filename().string().starts_with("overview-summary-pg-"));

    auto other = test::PgSchema::create("default_cache_other");
    REQUIRE(other);
    h.changes = 30;
    write_demo_history(*audit::AuditStore::open_url(other->url()), h);
    const test::PgAuditor other_auditor(*other);
    const auto other_file = default_summary_cache(other_auditor.url(), data);
    CHECK(other_file != file);

    CHECK(has_text(start_console(url, file), "none yet"));
    CHECK(has_text(start_console(url, file), "; 0 rows appended since read"));
    append_batch(*audit::AuditStore::open_url(s->url()),
                 audit::open_read_only_session(url, std::chrono::seconds(30))->log(), 0);
    const auto appended = start_console(url, file);
    CHECK(has_text(appended, "loaded at seq"));
    CHECK_FALSE(has_text(appended, "; 0 rows appended"));

    const auto good = cache_file_bytes(file);
    auto flipped = good;
    flipped[good.size() / 3] = static_cast<char>(flipped[good.size() / 3] ^ 1);
    write_cache_file(file, flipped);
    CHECK(has_text(start_console(url, file), "ignored (checksum mismatch)"));
    CHECK(has_text(start_console(other_auditor.url(), other_file), "none yet"));
    fs::copy_file(other_file, file, fs::copy_options::overwrite_existing);
    CHECK(has_text(start_console(url, file), "ignored (another log's)"));
    CHECK(has_text(start_console(url, file), "; 0 rows appended since read"));
  }
}

}  // namespace reviewer::console
