// The queue's schema through storage/migrate.h: databases written by builds
// before queue_schema_migrations (the version in PRAGMA user_version on
// SQLite, in queue_meta on PostgreSQL) upgrade in place with their rows,
// and a newer database is refused untouched.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <chrono>
#include <future>
#include <string>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/server/queue.h"
#include "reviewer/server/queue_schema.h"
#include "server_fixture.h"
#include "support/postgres.h"
#include "support/testutil.h"
#include "storage/migrate.h"
#include "storage/postgres.h"
#include "storage/sqlite.h"

using namespace reviewer;
using namespace reviewer::server;
using namespace std::chrono_literals;

namespace {

// The DDL builds before queue_schema_migrations ran (sqlite_queue.cpp at
// 05c5907), copied: version 1, then what versions 2 and 3 added.
constexpr const char* kOldSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS deliveries(
  id INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  action TEXT NOT NULL,
  repository TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body BLOB,
  outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs(
  id INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES deliveries(delivery_id),
  event TEXT NOT NULL,
  kind TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  head_sha TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','leased','done','failed','dead','superseded')),
  attempts INTEGER NOT NULL DEFAULT 0,
  available_ms INTEGER NOT NULL,
  lease_token TEXT,
  lease_expires_ms INTEGER,
  superseded_by INTEGER,
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  run_id TEXT,
  result TEXT);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, repository, id);
CREATE INDEX IF NOT EXISTS jobs_by_pr ON jobs(repository, pr_number, kind, state);
CREATE TABLE IF NOT EXISTS repo_turns(repository TEXT PRIMARY KEY, last_turn INTEGER NOT NULL);
PRAGMA user_version=1;
)sql";
constexpr const char* kOldSchemaV2 = R"sql(
ALTER TABLE jobs ADD COLUMN reported_ms INTEGER;
CREATE INDEX jobs_unreported_dead ON jobs(id) WHERE state='dead' AND reported_ms IS NULL;
PRAGMA user_version=2;
)sql";
constexpr const char* kOldSchemaV3 = R"sql(
ALTER TABLE deliveries ADD COLUMN body_file TEXT;
ALTER TABLE deliveries ADD COLUMN body_offset INTEGER;
ALTER TABLE deliveries ADD COLUMN body_length INTEGER;
CREATE TABLE body_segments(file TEXT PRIMARY KEY, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL,
                           last_ms INTEGER NOT NULL);
ALTER TABLE jobs ADD COLUMN installation INTEGER NOT NULL DEFAULT 0;
CREATE TABLE installation_turns(installation INTEGER PRIMARY KEY, last_turn INTEGER NOT NULL);
PRAGMA user_version=3;
)sql";

void exec(const std::filesystem::path& path, const std::string& sql) {
  storage::Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr, "test database").exec(sql);
}

// A queue database as a build at `version` left it: one delivery with its
// body inline and a pending job of it.
void old_queue(const std::filesystem::path& path, int version) {
  std::string ddl = kOldSchemaV1;
  if (version >= 2) ddl += kOldSchemaV2;
  if (version >= 3) ddl += kOldSchemaV3;
  exec(path, ddl);
  exec(path,
       "INSERT INTO deliveries(delivery_id, event, action, repository, received_ms, headers, body, outcome) "
       "VALUES('d-old', 'pull_request', 'synchronize', 'o/r', 1, '{}', '{\"old\":1}', 'queued');"
       "INSERT INTO jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, created_ms) "
       "VALUES('d-old', 'pull_request', 'review', 'o/r', 7, 'abc', 'pending', 0, 1);");
}

// Tables and indexes with their SQL, whitespace folded: what a schema is.
std::string schema_of(const std::filesystem::path& path) {
  auto db = storage::Connection::open(path, SQLITE_OPEN_READONLY, nullptr, "test database");
  auto q = db.prepare(
      "SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "AND name <> 'queue_schema_migrations' ORDER BY name");
  std::string out;
  while (q.step()) {
    out += q.column_text(0) + ": ";
    bool space = false;
    for (char c : q.column_text(1)) {
      if (c == ' ' || c == '\n') {
        space = true;
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
    out += '\n';
  }
  return out;
}

IntakeItem fresh_item(const std::string& id) {
  IntakeItem it;
  it.delivery = {id, "pull_request", "synchronize", "o/s", "{}", "{\"new\":1}", "queued"};
  it.job = JobSpec{"review", "o/s", 8, "def", true};
  return it;
}

}  // namespace

TEST_SUITE("server::JobQueue schema") {
  TEST_CASE("a queue database of schema 1, 2 or 3 upgrades in place with its rows; its schema is a new one's") {
    const auto dir = test::scratch_dir("queue-migrate");
    const auto fresh = dir / "fresh" / "queue.db";
    std::filesystem::create_directories(fresh.parent_path());
    JobQueue::open_sqlite(fresh, {});
    CHECK(test::query_one(fresh, "SELECT group_concat(version || ' ' || name, ', ') FROM queue_schema_migrations") ==
          "1 001_queue.sql, 2 002_dead_letters.sql, 3 003_body_log.sql, 4 004_inline_body_index.sql, "
          "5 005_retention.sql, 6 006_totals_off_intake.sql");
    CHECK(test::query_one(fresh, "PRAGMA user_version") == "6");
    for (int version = 1; version <= 3; ++version) {
      CAPTURE(version);
      const auto path = dir / fmt::format("v{}", version) / "queue.db";
      std::filesystem::create_directories(path.parent_path());
      old_queue(path, version);
      auto q = JobQueue::open_sqlite(path, {});
      CHECK(test::query_one(path, "SELECT count(*) FROM queue_schema_migrations") == "6");
      CHECK(test::query_one(path, "PRAGMA user_version") == "6");
      // The same tables, columns and indexes as a database created now.
      CHECK(schema_of(path) == schema_of(fresh));
      auto j = q->claim(60s);
      REQUIRE(j);
      CHECK(j->delivery_id == "d-old");
      CHECK(j->payload == "{\"old\":1}");
      q->enqueue({fresh_item("d-new")});
      auto k = q->claim(60s);
      REQUIRE(k);
      CHECK(k->payload == "{\"new\":1}");
    }
  }

  TEST_CASE("a queue database newer than this build is refused with both versions named, and left untouched") {
    const auto dir = test::scratch_dir("queue-newer");
    const auto recorded = dir / "recorded.db";
    JobQueue::open_sqlite(recorded, {});
    exec(recorded, "INSERT INTO queue_schema_migrations VALUES (7, '007_future.sql', 'x')");
    CHECK_THROWS_WITH_AS(JobQueue::open_sqlite(recorded, {}),
                         doctest::Contains("has schema version 7, newer than this reviewer"), Error);
    CHECK_THROWS_WITH_AS(JobQueue::open_sqlite(recorded, {}), doctest::Contains("(up to 6)"), Error);
    // From before the version table: user_version said it.
    const auto legacy = dir / "legacy.db";
    old_queue(legacy, 3);
    exec(legacy, "PRAGMA user_version=9");
    CHECK_THROWS_WITH_AS(JobQueue::open_sqlite(legacy, {}), doctest::Contains("has schema version 9, newer"), Error);
    CHECK(test::query_one(legacy, "SELECT count(*) FROM sqlite_schema WHERE name = 'queue_schema_migrations'") == "0");
  }
}

TEST_SUITE("server::JobQueue schema, both backends") {
  TEST_CASE("the totals a trigger kept (SQLite 5, PostgreSQL 4) carry over: ends they hold are not counted again, live jobs' are") {
    test::on_each_backend("queue-totals-migrate", [](const std::string& at) {
      const bool pg = storage::is_postgres_url(at);
      const auto path = std::filesystem::path(at).parent_path() / "queue.db";
      // The schema before this one, and three jobs ended or not under its trigger.
      const std::string t = pg ? "queue_" : "";
      const std::string rows = fmt::format(
          "INSERT INTO {0}deliveries(delivery_id, event, action, repository, received_ms, headers, outcome) "
          "VALUES ('d-1','pull_request','synchronize','o/r',1,'{{}}','queued'), "
          "('d-2','pull_request','synchronize','o/r',1,'{{}}','queued'), "
          "('d-3','pull_request','synchronize','o/s',1,'{{}}','queued');"
          "INSERT INTO {0}jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, created_ms) "
          "SELECT delivery_id, event, 'review', repository, 1, 'a', 'pending', 1, 1 FROM {0}deliveries;"
          "UPDATE {0}jobs SET state='done', finished_ms=2 WHERE delivery_id='d-1';"
          "UPDATE {0}jobs SET state='superseded', finished_ms=2 WHERE delivery_id='d-2';",
          t);
      if (pg) {
        const storage::Migrations m{"queue", kQueueVersionTable, &queue_postgres_migrations()};
        auto db = storage::PgConnection::open(at, "test");
        db.exec("BEGIN");
        storage::apply_migrations(db, m, 4);
        db.exec("COMMIT");
        db.exec(rows);
      } else {
        const storage::Migrations m{"queue", kQueueVersionTable, &queue_sqlite_migrations()};
        auto db = storage::Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr, "test");
        storage::apply_migrations(db, m, 5);
        db.exec("PRAGMA user_version=5");
        db.exec(rows);
      }
      const std::string totals = pg ? "SELECT sum(n) FROM queue_job_totals" : "SELECT SUM(n) FROM job_totals";
      auto scalar = [&](const std::string& sql) { return pg ? test::log_scalar(at, sql) : test::query_one(path, sql); };
      CHECK(scalar(totals) == "2");  // the trigger counted both ends
      auto q = pg ? JobQueue::open_postgres(at, {}) : JobQueue::open_sqlite(path, {});
      auto st = q->stats();
      CHECK(st.ended_total.at("done") == 1);
      CHECK(st.ended_total.at("superseded") == 1);
      CHECK(q->fold_totals() == 0);  // nothing of before left to count
      auto j = q->claim(60s);        // d-3, pending before the upgrade
      REQUIRE(j);
      CHECK(q->finish(*j, {JobResult::Status::done, "", {}}) == "done");
      CHECK(q->stats().ended_total.at("done") == 2);
      CHECK(q->fold_totals() == 1);
      CHECK(scalar(totals) == "3");
      CHECK(q->stats().ended_total.at("done") == 2);
    });
  }
}

TEST_SUITE("server::JobQueue schema on PostgreSQL") {
  // The DDL of schema 1 (pg_queue.cpp at ad2761f), copied.
  TEST_CASE("a queue database of schema 1 (version in queue_meta) upgrades in place with its rows") {
    auto s = test::PgSchema::create("pg-queue-migrate");
    if (!s) return;
    {
      auto db = storage::PgConnection::open(s->url(), "test");
      db.exec(R"sql(
CREATE TABLE IF NOT EXISTS queue_meta(key TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS queue_deliveries(
  id BIGSERIAL PRIMARY KEY,
  delivery_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  action TEXT NOT NULL,
  repository TEXT NOT NULL,
  received_ms BIGINT NOT NULL,
  headers TEXT NOT NULL,
  body BYTEA,
  outcome TEXT NOT NULL);
ALTER TABLE queue_deliveries ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE TABLE IF NOT EXISTS queue_jobs(
  id BIGSERIAL PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES queue_deliveries(delivery_id),
  event TEXT NOT NULL,
  kind TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number BIGINT NOT NULL,
  head_sha TEXT NOT NULL,
  installation BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK(state IN ('pending','leased','done','failed','dead','superseded')),
  attempts INT NOT NULL DEFAULT 0,
  available_ms BIGINT NOT NULL,
  lease_token TEXT,
  lease_expires_ms BIGINT,
  superseded_by BIGINT,
  created_ms BIGINT NOT NULL,
  finished_ms BIGINT,
  run_id TEXT,
  result TEXT,
  reported_ms BIGINT);
CREATE INDEX IF NOT EXISTS queue_jobs_pending ON queue_jobs(available_ms, id) WHERE state='pending';
CREATE INDEX IF NOT EXISTS queue_jobs_leased ON queue_jobs(lease_expires_ms) WHERE state='leased';
CREATE INDEX IF NOT EXISTS queue_jobs_by_pr ON queue_jobs(repository, pr_number, kind) WHERE state IN ('pending','leased');
CREATE INDEX IF NOT EXISTS queue_jobs_unreported_dead ON queue_jobs(id) WHERE state='dead' AND reported_ms IS NULL;
CREATE INDEX IF NOT EXISTS queue_jobs_delivery ON queue_jobs(delivery_id);
CREATE TABLE IF NOT EXISTS queue_repo_turns(repository TEXT PRIMARY KEY, last_turn BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS queue_installation_turns(installation BIGINT PRIMARY KEY, last_turn BIGINT NOT NULL);
CREATE SEQUENCE IF NOT EXISTS queue_turns;
INSERT INTO queue_meta VALUES ('schema_version', 1);
INSERT INTO queue_deliveries(delivery_id, event, action, repository, received_ms, headers, body, outcome)
  VALUES ('d-old', 'pull_request', 'synchronize', 'o/r', 1, '{}', convert_to('{"old":1}', 'UTF8'), 'queued');
INSERT INTO queue_jobs(delivery_id, event, kind, repository, pr_number, head_sha, state, available_ms, created_ms)
  VALUES ('d-old', 'pull_request', 'review', 'o/r', 7, 'abc', 'pending', 0, 1);
)sql");
    }
    // Two instances starting at once: one migrates under the advisory
    // lock, the other finds it done.
    auto a = std::async(std::launch::async, [&] { return JobQueue::open_postgres(s->url(), {}); });
    auto b = std::async(std::launch::async, [&] { return JobQueue::open_postgres(s->url(), {}); });
    auto q = a.get();
    b.get();
    CHECK(test::log_scalar(s->url(), "SELECT string_agg(version || ' ' || name, ', ' ORDER BY version) "
                                     "FROM queue_schema_migrations") ==
          "1 001_queue.sql, 2 002_lz4_bodies.sql, 3 003_bodies_in_table.sql, 4 004_retention.sql, "
          "5 005_totals_off_intake.sql");
    CHECK(test::log_scalar(s->url(), "SELECT value FROM queue_meta WHERE key = 'schema_version'") == "5");
    CHECK(test::log_scalar(s->url(), "SELECT reloptions::text FROM pg_class WHERE oid = 'queue_deliveries'::regclass") ==
          "{toast_tuple_target=8160}");
    auto j = q->claim(60s);
    REQUIRE(j);
    CHECK(j->delivery_id == "d-old");
    CHECK(j->payload == "{\"old\":1}");
    q->enqueue({fresh_item("d-new")});
    CHECK(q->claim(60s)->payload == "{\"new\":1}");
  }

  TEST_CASE("a migration waits a bounded time for its lock, then says who to look for") {
    auto s = test::PgSchema::create("pg-migration-lock");
    if (!s) return;
    static const storage::MigrationFiles files = {{"001_t.sql", "CREATE TABLE t(x INT);"}};
    const storage::Migrations m{"locktest", "locktest_migrations", &files};
    // Another session holds the component's key (a migration that hangs).
    auto holder = storage::PgConnection::open(s->url(), "holder");
    storage::PgTransaction held(holder);
    holder.exec("SELECT pg_advisory_xact_lock(hashtext('reviewer-locktest'), 1)");

    auto db = storage::PgConnection::open(s->url(), "test");
    const auto started = std::chrono::steady_clock::now();
    {
      storage::PgTransaction tx(db);
      try {
        storage::lock_for_migration(db, m, std::chrono::seconds(1));
        FAIL("the lock was taken while another session held it");
      } catch (const Error& e) {
        CHECK(std::string(e.what()).find("another session has held the locktest migration lock for over 1 s") !=
              std::string::npos);
        CHECK(e.transient());
      }
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
    held.commit();  // released: the next attempt migrates, and the wait bound does not outlive it
    storage::PgTransaction tx(db);
    storage::lock_for_migration(db, m, std::chrono::seconds(1));
    storage::apply_migrations(db, m, 1);
    CHECK(db.exec("SHOW lock_timeout").text(0, 0) == db.exec("SELECT reset_val FROM pg_settings WHERE name = 'lock_timeout'").text(0, 0));
    tx.commit();
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM locktest_migrations") == "1");
  }

  TEST_CASE("a PostgreSQL queue newer than this build is refused with both versions named") {
    auto s = test::PgSchema::create("pg-queue-newer-migrations");
    if (!s) return;
    JobQueue::open_postgres(s->url(), {});
    test::log_scalar(s->url(), "INSERT INTO queue_schema_migrations VALUES (6, '006_future.sql', 'x') RETURNING version");
    CHECK_THROWS_WITH_AS(JobQueue::open_postgres(s->url(), {}),
                         doctest::Contains("has schema version 6, newer than this reviewer"), Error);
    CHECK_THROWS_WITH_AS(JobQueue::open_postgres(s->url(), {}), doctest::Contains("(up to 5)"), Error);
  }
}
