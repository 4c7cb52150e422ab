#include <doctest/doctest.h>

#include <sqlite3.h>

#include "audit/chain.h"
#include "audit/embedded_sql.h"
#include "audit/migrate.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

TEST_SUITE("audit::migrate") {
  TEST_CASE("embedded migrations are numbered 1, 2, 3 ... in file order") {
    const auto& m = audit::embedded_migrations();
    REQUIRE(m.size() >= 2);
    for (std::size_t i = 0; i < m.size(); ++i) {
      CAPTURE(m[i].first);
      CHECK(std::stoi(std::string(m[i].first.substr(0, 3))) == static_cast<int>(i + 1));
      CHECK(m[i].first.substr(3, 1) == "_");
    }
    CHECK(audit::latest_schema_version() == static_cast<int>(m.size()));
  }

  TEST_CASE("a new database records every migration and gets the views") {
    auto path = test::scratch_dir("fresh") / "audit.db";
    AuditStore::open(path);
    auto db = test::raw_open(path);
    CHECK(audit::schema_version(db) == audit::latest_schema_version());
    CHECK(test::scalar(db, "SELECT count(*) FROM schema_migrations") == audit::latest_schema_version());
    CHECK(test::scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'") >= 5);
    auto mode = db.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.column_text(0) == "wal");
  }

  TEST_CASE("a database at version 1 is migrated on open and keeps its rows and chain") {
    auto path = test::scratch_dir("old") / "audit.db";
    {
      // Build a version-1 database by hand, as an older reviewer left it.
      auto db = audit::Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      db.exec(
          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
          "applied_at TEXT NOT NULL) STRICT;");
      db.exec(audit::embedded_migrations().front().second);
      db.exec("INSERT INTO schema_migrations VALUES (1, '001_reviews.sql', '2025-01-01T00:00:00Z')");
      audit::ChainWriter w(db);
      db.exec("BEGIN IMMEDIATE");
      w.start("2025-01-01T00:00:00Z");
      auto row = w.row("agent_results");
      row.set("run_id", "old").set("agent", "size").set("status", "ok").set("duration_ms", 1)
          .set("finding_count", 0).set("error", "");
      w.append(row);
      db.exec("COMMIT");
    }
    auto store = AuditStore::open(path);
    store->record_review(test::sample_review("new", 1));
    auto db = test::raw_open(path);
    CHECK(audit::schema_version(db) == audit::latest_schema_version());
    CHECK(test::scalar(db, "SELECT count(*) FROM agent_results WHERE run_id = 'old'") == 1);
    CHECK(test::scalar(db, "SELECT count(*) FROM pr_events") == 0);
    auto r = audit::verify(path);
    CHECK(r.ok);
    CHECK(r.rows == 1 + 4);
  }

  TEST_CASE("a database from a newer reviewer is refused and left untouched") {
    auto path = test::scratch_dir("newer") / "audit.db";
    AuditStore::open(path)->record_review(test::sample_review("r", 1));
    test::raw_open(path).exec("INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'x')");
    auto before = test::read_text(path);
    try {
      AuditStore::open(path);
      FAIL("a newer database was opened for writing");
    } catch (const Error& e) {
      std::string msg = e.what();
      CHECK(msg.find("has schema version 999, newer than this reviewer") != std::string::npos);
      CHECK(msg.find(path.string()) != std::string::npos);
    }
    auto db = test::raw_open(path);
    CHECK(test::scalar(db, "SELECT max(version) FROM schema_migrations") == 999);
    CHECK(test::scalar(db, "SELECT count(*) FROM review_runs") == 1);
    // The chain still verifies, but a schema this build does not know cannot
    // be checked (and a forged schema_migrations row must not switch the
    // check off): not a pass.
    auto r = audit::verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("newer than this reviewer knows (up to") != std::string::npos);
  }

  TEST_CASE("changed views are re-created on open, unchanged ones left alone") {
    auto path = test::scratch_dir("views") / "audit.db";
    AuditStore::open(path);
    test::raw_open(path).exec(
        "DROP VIEW v_decisions; UPDATE schema_meta SET value = 'stale' WHERE key = 'views_sha256'");
    AuditStore::open(path);
    auto db = test::raw_open(path);
    CHECK(test::scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'v_decisions'") == 1);
  }
}
