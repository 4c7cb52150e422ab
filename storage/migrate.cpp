#include "storage/migrate.h"

#include <charconv>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::storage {

namespace {

int version_of(const Migrations& m, std::string_view file_name) {
  int v = 0;
  auto [p, ec] = std::from_chars(file_name.data(), file_name.data() + file_name.size(), v);
  if (ec != std::errc() || p == file_name.data() || *p != '_') {
    throw Error(Error::Code::internal,
                fmt::format("{} migration '{}' is not named NNN_name.sql", m.component, file_name));
  }
  return v;
}

// Both backends' version table: the audit log's has always been this one.
std::string create_table_sql(const Migrations& m, bool postgres) {
  return postgres ? fmt::format("CREATE TABLE IF NOT EXISTS {} ("
                                " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                                m.table)
                  : fmt::format("CREATE TABLE IF NOT EXISTS {} ("
                                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
                                m.table);
}

template <class Db, class Run, class Record>
void apply_with(Db& db, const Migrations& m, int current, int target, Run run, Record record) {
  if (current > m.latest()) throw_newer_schema(db.where(), current, m.latest());
  for_each_migration(m, current, target, [&](int v, std::string_view name, std::string_view sql) {
    try {
      run(sql);
    } catch (const PgError& e) {
      // Keep the SQLSTATE and the retry: callers tell a role that may not
      // change the schema (42501) from a lock it may wait for.
      throw PgError(fmt::format("migration {} failed: {}", name, e.what()), e.sqlstate(),
                    e.transient() ? Error::Retry::transient : Error::Retry::permanent, e.constraint());
    } catch (const Error& e) {
      throw Error(Error::Code::io, fmt::format("migration {} failed: {}", name, e.what()),
                  e.transient() ? Error::Retry::transient : Error::Retry::permanent);
    }
    record(v, name);
  });
}

}  // namespace

int Migrations::latest() const { return files->empty() ? 0 : version_of(*this, files->back().first); }

void throw_newer_schema(const std::string& where, int current, int latest) {
  throw Error(Error::Code::io, fmt::format("{} has schema version {}, newer than this reviewer {} knows "
                                           "(up to {}); upgrade reviewer to write to it",
                                           where, current, reviewer_version(), latest));
}

void for_each_migration(const Migrations& m, int current, int target,
                        const std::function<void(int, std::string_view, std::string_view)>& apply) {
  int expected = 1;
  for (const auto& [name, sql] : *m.files) {
    int v = version_of(m, name);
    if (v != expected++) {
      throw Error(Error::Code::internal,
                  fmt::format("{} migrations are not numbered 1, 2, 3...: '{}'", m.component, name));
    }
    if (v <= current) continue;
    if (v > target) break;
    apply(v, name, sql);
  }
}

// ---- SQLite ----

bool has_table(Connection& db, std::string_view name) {
  auto q = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.step();
}

int schema_version(Connection& db, const Migrations& m) {
  if (!has_table(db, m.table)) return 0;
  auto q = db.prepare(fmt::format("SELECT coalesce(max(version), 0) FROM {}", m.table));
  q.step();
  return static_cast<int>(q.column_int64(0));
}

namespace {
void record(Connection& db, const Migrations& m, int v, std::string_view name) {
  auto rec = db.prepare(fmt::format("INSERT INTO {}(version, name, applied_at) VALUES (?, ?, ?)", m.table));
  rec.bind(1, std::int64_t{v}).bind(2, name).bind(3, utc_now_iso8601());
  rec.step();
}
void record(PgConnection& db, const Migrations& m, int v, std::string_view name) {
  db.exec(fmt::format("INSERT INTO {}(version, name, applied_at) VALUES ($1, $2, $3)", m.table),
          {std::int64_t{v}, std::string(name), utc_now_iso8601()});
}
}  // namespace

void apply_migrations(Connection& db, const Migrations& m, int target) {
  db.exec(create_table_sql(m, false));
  apply_with(db, m, schema_version(db, m), target, [&](std::string_view sql) { db.exec(sql); },
             [&](int v, std::string_view name) { record(db, m, v, name); });
}

void adopt_migrations(Connection& db, const Migrations& m, int version) {
  db.exec(create_table_sql(m, false));
  apply_with(db, m, schema_version(db, m), version, [](std::string_view) {},
             [&](int v, std::string_view name) { record(db, m, v, name); });
}

// ---- PostgreSQL ----

bool has_table(PgConnection& db, std::string_view name) {
  // Prepared, as the version read below: the audit store checks the
  // version in every write's transaction.
  return db.prepared("SELECT to_regclass($1) IS NOT NULL", {std::string(name)}).text(0, 0) == "t";
}

int schema_version(PgConnection& db, const Migrations& m) {
  if (!has_table(db, m.table)) return 0;
  return static_cast<int>(db.prepared(fmt::format("SELECT coalesce(max(version), 0) FROM {}", m.table), {}).int64(0, 0));
}

void lock_for_migration(PgConnection& db, const Migrations& m, std::chrono::seconds wait) {
  // A bounded wait: a session that holds the key (a migration that hangs,
  // or anyone allowed to take advisory locks) makes a start fail with a
  // reason rather than hang. The setting ends with the transaction.
  db.exec(fmt::format("SET LOCAL lock_timeout = '{}s'", wait.count()));
  try {
    db.exec(fmt::format("SELECT pg_advisory_xact_lock(hashtext('reviewer-{}'), 1)", m.component));
  } catch (const PgError& e) {
    if (e.sqlstate() != "55P03") throw;  // lock_not_available
    throw Error(Error::Code::io,
                fmt::format("{}: another session has held the {} migration lock for over {} s (another instance "
                            "migrating, or a stuck session: see pg_locks where locktype = 'advisory'); try again",
                            db.where(), m.component, wait.count()),
                Error::Retry::transient);
  }
  db.exec("SET LOCAL lock_timeout = DEFAULT");
}

void apply_migrations(PgConnection& db, const Migrations& m, int target) {
  if (!has_table(db, m.table)) db.exec(create_table_sql(m, true));
  apply_with(db, m, schema_version(db, m), target, [&](std::string_view sql) { db.exec(sql); },
             [&](int v, std::string_view name) { record(db, m, v, name); });
}

void adopt_migrations(PgConnection& db, const Migrations& m, int version) {
  if (!has_table(db, m.table)) db.exec(create_table_sql(m, true));
  apply_with(db, m, schema_version(db, m), version, [](std::string_view) {},
             [&](int v, std::string_view name) { record(db, m, v, name); });
}

}  // namespace reviewer::storage
