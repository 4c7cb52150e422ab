#include <doctest/doctest.h>

#include <sqlite3.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "audit/chain.h"
#include "audit/embedded_sql.h"
#include "audit/migrate.h"
#include "audit/pg_log.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"
#include "support/postgres.h"
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

  TEST_CASE("a new log records every migration and gets the views, on either backend") {
    test::on_each_backend("fresh-log", [](const std::string& at) {
      AuditStore::open_location(at);
      CHECK(test::log_scalar(at, "SELECT count(*) FROM schema_migrations") ==
            std::to_string(audit::latest_schema_version()));
      CHECK(std::stoi(test::log_scalar(at, "SELECT count(*) FROM schema_migrations WHERE version = " +
                                               std::to_string(audit::latest_schema_version()))) == 1);
      const auto views = test::log_scalar(
          at, storage::is_postgres_url(at)
                  ? "SELECT count(*) FROM information_schema.views WHERE table_schema = current_schema()"
                  : "SELECT count(*) FROM sqlite_schema WHERE type = 'view'");
      CHECK(std::stoi(views) >= 5);
    });
  }

  TEST_CASE("a new SQLite database is in WAL mode") {
    auto path = test::scratch_dir("fresh") / "audit.db";
    AuditStore::open(path);
    auto db = test::raw_open(path);
    CHECK(audit::schema_version(db) == audit::latest_schema_version());
    auto mode = db.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.column_text(0) == "wal");
  }

  TEST_CASE("a log at version 1 is migrated on open and keeps its rows and chain") {
    test::on_each_backend("old", [](const std::string& at) {
      // Build a version-1 log by hand, as an older reviewer left it.
      const bool pg = storage::is_postgres_url(at);
      std::vector<audit::TableLayout> tables;
      if (pg) {
        auto db = storage::PgConnection::open(at, "test database");
        db.exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TEXT NOT NULL); CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        db.exec(audit::embedded_pg_functions());
        db.exec(audit::embedded_pg_migrations().front().second);
        tables = audit::pg_chained_tables(db);
      } else {
        auto db = audit::Connection::open(at, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TEXT NOT NULL) STRICT;");
        db.exec(audit::embedded_migrations().front().second);
        tables = audit::chained_tables(db);
      }
      test::log_exec(at, "INSERT INTO schema_migrations VALUES (1, '001_reviews.sql', '2025-01-01T00:00:00Z')");
      // One row, hashed as that reviewer's writer did.
      const std::map<std::string, audit::Value> row = {
          {"seq", std::int64_t{1}}, {"prev_hash", std::string(audit::kGenesisHash)},
          {"recorded_at", "2025-01-01T00:00:00Z"}, {"run_id", "old"}, {"agent", "size"}, {"status", "ok"},
          {"duration_ms", std::int64_t{1}}, {"finding_count", std::int64_t{0}}, {"error", ""}};
      auto layout = std::find_if(tables.begin(), tables.end(), [](const auto& t) { return t.name == "agent_results"; });
      REQUIRE(layout != tables.end());
      std::vector<audit::Value> values;
      std::string cols, literals;
      for (const auto& c : layout->columns) {
        REQUIRE(row.count(c) == 1);
        values.push_back(row.at(c));
        cols += c + ", ";
        const auto* n = std::get_if<std::int64_t>(&values.back());
        literals += (n ? std::to_string(*n) : "'" + std::get<std::string>(values.back()) + "'") + ", ";
      }
      test::log_exec(at, "INSERT INTO agent_results (" + cols + "row_hash) VALUES (" + literals + "'" +
                             audit::fast_sha256_hex(audit::canonical_row(*layout, values)) + "')");

      auto store = AuditStore::open_location(at);
      store->record_review(test::sample_review("new", 1));
      CHECK(test::log_scalar(at, "SELECT max(version) FROM schema_migrations") ==
            std::to_string(audit::latest_schema_version()));
      CHECK(test::log_scalar(at, "SELECT count(*) FROM agent_results WHERE run_id = 'old'") == "1");
      CHECK(test::log_scalar(at, "SELECT count(*) FROM pr_events") == "0");
      auto r = audit::verify_location(at);
      CAPTURE(r.message);
      CHECK(r.ok);
      CHECK(r.rows == 1 + 4);
    });
  }

  TEST_CASE("a database from a newer reviewer is refused and left untouched") {
    test::on_each_backend("newer", [](const std::string& at) {
      AuditStore::open_location(at)->record_review(test::sample_review("r", 1));
      test::log_exec(at, "INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'x')");
      const bool file = !storage::is_postgres_url(at);
      const auto before = file ? test::read_text(at) : "";
      try {
        AuditStore::open_location(at);
        FAIL("a newer database was opened for writing");
      } catch (const Error& e) {
        std::string msg = e.what();
        CHECK(msg.find("schema version 999") != std::string::npos);
        CHECK(msg.find("(up to " + std::to_string(audit::latest_schema_version()) + ")") != std::string::npos);
        if (file) CHECK(msg.find(at) != std::string::npos);
      }
      if (file) CHECK(test::read_text(at) == before);
      CHECK(test::log_scalar(at, "SELECT max(version) FROM schema_migrations") == "999");
      CHECK(test::log_scalar(at, "SELECT count(*) FROM review_runs") == "1");
      // The chain still verifies, but a schema this build does not know cannot
      // be checked (and a forged schema_migrations row must not switch the
      // check off): not a pass.
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.message.find("newer than this") != std::string::npos);
      CHECK(r.message.find("knows (up to") != std::string::npos);
    });
  }

  TEST_CASE("changed views are re-created on open, unchanged ones left alone") {
    test::on_each_backend("views", [](const std::string& at) {
      AuditStore::open_location(at);
      const std::string count = storage::is_postgres_url(at)
                                    ? "SELECT count(*) FROM information_schema.views WHERE table_schema = "
                                      "current_schema() AND table_name = 'v_decisions'"
                                    : "SELECT count(*) FROM sqlite_schema WHERE name = 'v_decisions'";
      test::log_exec(at, "DROP VIEW v_decisions");
      AuditStore::open_location(at);  // the hash of the views still matches: left alone
      CHECK(test::log_scalar(at, count) == "0");
      test::log_exec(at, "UPDATE schema_meta SET value = 'stale' WHERE key = 'views_sha256'");
      AuditStore::open_location(at);
      CHECK(test::log_scalar(at, count) == "1");
    });
  }

  TEST_CASE("views a newer build wrote at the same schema version are left alone, and verify says it cannot check them") {
    test::on_each_backend("newer-views", [](const std::string& at) {
      AuditStore::open_location(at);
      const bool pg = storage::is_postgres_url(at);
      const int ours = audit::views_revision(pg ? audit::embedded_pg_views() : audit::embedded_views());
      REQUIRE(ours > 0);
      // What a newer build leaves: its own view and its hash and revision.
      test::log_exec(at, "DROP VIEW v_decisions; CREATE VIEW v_decisions AS SELECT 1 AS newer_column");
      test::log_exec(at, fmt::format("UPDATE schema_meta SET value = CASE key WHEN 'views_sha256' THEN 'newer' "
                                     "ELSE '{}' END WHERE key IN ('views_sha256', 'views_revision')",
                                     ours + 1));
      const std::string newer_column =
          pg ? "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND "
               "table_name = 'v_decisions' AND column_name = 'newer_column'"
             : "SELECT count(*) FROM pragma_table_info('v_decisions') WHERE name = 'newer_column'";
      AuditStore::open_location(at);
      CHECK(test::log_scalar(at, newer_column) == "1");
      CHECK(test::log_scalar(at, "SELECT value FROM schema_meta WHERE key = 'views_sha256'") == "newer");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK_MESSAGE(r.message.starts_with(fmt::format("the views are not this build's (schema_meta.views_sha256 "
                                                      "differs; views revision {}, this build's {})",
                                                      ours + 1, ours)),
                    r.message);
      // An older revision's views are this build's to replace.
      test::log_exec(at, "UPDATE schema_meta SET value = '0' WHERE key = 'views_revision'");
      AuditStore::open_location(at);
      CHECK(test::log_scalar(at, newer_column) == "0");
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("each views file is the text its revision was given to: a change raises the revision") {
    // Raise `-- views revision:` in the file, then put its new hash here.
    CHECK(audit::views_revision(audit::embedded_views()) == 1);
    CHECK(audit::fast_sha256_hex(audit::embedded_views()) ==
          "58923f31ff011b31aa4c66b8159c7778db2e1f776e08ebed950a51d18ed24e10");
    CHECK(audit::views_revision(audit::embedded_pg_views()) == 1);
    CHECK(audit::fast_sha256_hex(audit::embedded_pg_views()) ==
          "c8f1402501f8306faf56be80f68af12ff1a8a302859645d899e35c82913fede8");
  }
}
