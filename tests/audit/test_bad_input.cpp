#include <doctest/doctest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <vector>

#include "audit/query.h"
#include "audit/db.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;
using reviewer::audit::Connection;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_SUITE("audit bad input") {
  TEST_CASE("a file that is not a database is refused by every entry point and left as it was") {
    auto path = test::scratch_dir("garbage") / "audit.db";
    std::string junk;
    for (int i = 0; i < 8192; ++i) junk += static_cast<char>((i * 7919) % 251);
    test::write_text(path, junk);
    for (auto msg : {error_of([&] { AuditStore::open(path); }), error_of([&] { audit::verify(path); }),
                     error_of([&] {
                       std::ostringstream out;
                       audit::query(path, "SELECT 1 FROM review_runs", audit::Format::csv, out);
                     })}) {
      CAPTURE(msg);
      CHECK(contains(msg, "is corrupt or not an SQLite database"));
      CHECK(contains(msg, path.string()));
    }
    CHECK(test::read_text(path) == junk);
  }

  TEST_CASE("a database damaged inside is reported, not crashed on") {
    auto path = test::scratch_dir("damaged") / "audit.db";
    {
      auto store = AuditStore::open(path);
      for (int i = 0; i < 40; ++i) store->record_review(test::sample_review("run-" + std::to_string(i), 20));
    }
    auto size = std::filesystem::file_size(path);
    REQUIRE(size > 16 * 4096);
    // A page in the middle of the evidence (a findings leaf), which verify
    // must read. (The middle page of the file was used before; which object
    // owns it moves with every migration, and a damaged index page is not
    // something the chain walk reads: `PRAGMA integrity_check` finds that.)
    std::int64_t page = 0;
    {
      auto db = Connection::open(path, SQLITE_OPEN_READONLY);
      auto pages = db.prepare(
          "SELECT pageno FROM dbstat WHERE name = 'findings' AND pagetype = 'leaf' ORDER BY pageno");
      std::vector<std::int64_t> leaves;
      while (pages.step()) leaves.push_back(pages.column_int64(0));
      REQUIRE(leaves.size() > 4);
      page = leaves[leaves.size() / 2];
    }
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>((page - 1) * 4096));
      f << std::string(4096, '\xff');
    }
    std::string msg;
    bool ok = false;
    try {
      ok = audit::verify(path).ok;
    } catch (const Error& e) {
      msg = e.what();
    }
    CAPTURE(msg);
    CHECK_FALSE(ok);
    if (!msg.empty()) CHECK(contains(msg, "corrupt"));
  }

  TEST_CASE("a folder or an unreachable path cannot be opened, with the path in the message") {
    auto dir = test::scratch_dir("folder");
    CHECK(contains(error_of([&] { AuditStore::open(dir); }), dir.string()));
    test::write_text(dir / "file", "x");
    auto msg = error_of([&] { AuditStore::open(dir / "file" / "audit.db"); });
    CHECK(contains(msg, "cannot be opened"));
    CHECK(contains(msg, (dir / "file" / "audit.db").string()));
  }

  TEST_CASE("a read-only database file is refused for writing and not changed") {
    auto path = test::scratch_dir("readonly") / "audit.db";
    AuditStore::open(path)->record_review(test::sample_review("r", 1));
    ::chmod(path.c_str(), 0444);
    ::chmod(path.parent_path().c_str(), 0555);
    auto before = test::read_text(path);
    // Root ignores file modes: try as the unprivileged user "nobody".
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (::getuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(10);
      int code = 3;
      try {
        AuditStore::open(path);
      } catch (const Error& e) {
        code = contains(e.what(), "is read-only") ? 0 : 2;
        if (code) std::cerr << e.what() << "\n";
      }
      ::_exit(code);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::chmod(path.parent_path().c_str(), 0755);
    ::chmod(path.c_str(), 0644);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(test::read_text(path) == before);
    CHECK(audit::verify(path).ok);
  }

  TEST_CASE("a database locked by another writer fails after the busy timeout and loses nothing") {
    auto path = test::scratch_dir("locked") / "audit.db";
    audit::OpenOptions opt;
    opt.busy_timeout_ms = 100;
    auto store = AuditStore::open(path, opt);
    store->record_review(test::sample_review("before", 2));
    auto other = test::raw_open(path);
    other.exec("BEGIN EXCLUSIVE");
    auto msg = error_of([&] { store->record_review(test::sample_review("blocked", 2)); });
    CHECK(contains(msg, "is locked by another writer"));
    CHECK(contains(msg, "nothing was written"));
    // Another writer lets go: worth a retry.
    try {
      store->record_review(test::sample_review("blocked", 2));
      FAIL("not locked");
    } catch (const Error& e) {
      CHECK(e.transient());
    }
    other.exec("COMMIT");
    store->record_review(test::sample_review("after", 2));
    auto db = test::raw_open(path);
    CHECK(test::scalar(db, "SELECT count(*) FROM review_runs WHERE run_id = 'blocked'") == 0);
    CHECK(test::scalar(db, "SELECT count(*) FROM review_runs") == 2);
    CHECK(audit::verify(path).ok);
  }

  TEST_CASE("a full disk fails the run that does not fit and keeps every earlier run") {
    auto path = test::scratch_dir("full") / "audit.db";
    audit::OpenOptions opt;
    opt.max_page_count = 80;
    int written = 0;
    std::string msg;
    bool transient = true;
    {
      auto store = AuditStore::open(path, opt);
      for (int i = 0; i < 10000; ++i) {
        try {
          store->record_review(test::sample_review("run-" + std::to_string(i), 20));
          ++written;
        } catch (const Error& e) {
          msg = e.what();
          transient = e.transient();
          break;
        }
      }
    }
    CAPTURE(msg);
    CHECK(written > 0);
    CHECK(contains(msg, "is full"));
    // A full disk stays full until someone acts: not retried like a 503.
    CHECK_FALSE(transient);
    auto db = test::raw_open(path);
    CHECK(test::scalar(db, "SELECT count(*) FROM review_runs") == written);
    CHECK(test::scalar(db, "SELECT count(*) FROM findings") == 20 * written);
    CHECK(audit::verify(path).ok);
    // With room again, writing continues on the same chain.
    AuditStore::open(path)->record_review(test::sample_review("after-full", 20));
    CHECK(audit::verify(path).rows == (written + 1) * 23);
  }
}
