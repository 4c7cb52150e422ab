#include "audit/migrate.h"

#include <charconv>

#include <fmt/format.h>

#include "audit/chain.h"
#include "audit/embedded_sql.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

namespace {

int version_of(std::string_view file_name) {
  int v = 0;
  auto [p, ec] = std::from_chars(file_name.data(), file_name.data() + file_name.size(), v);
  if (ec != std::errc() || p == file_name.data() || *p != '_') {
    throw Error(Error::Code::internal,
                fmt::format("audit migration '{}' is not named NNN_name.sql", file_name));
  }
  return v;
}

bool table_exists(Connection& db, std::string_view name) {
  auto q = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.step();
}

std::string stored_views_hash(Connection& db) {
  if (!table_exists(db, "schema_meta")) return "";
  auto q = db.prepare("SELECT value FROM schema_meta WHERE key = 'views_sha256'");
  return q.step() ? q.column_text(0) : "";
}

bool up_to_date(Connection& db) {
  return schema_version(db) == latest_schema_version() &&
         stored_views_hash(db) == fast_sha256_hex(embedded_views());
}

void refresh_views(Connection& db) {
  std::vector<std::string> views;
  auto q = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'");
  while (q.step()) views.push_back(q.column_text(0));
  for (const auto& v : views) db.exec(fmt::format("DROP VIEW \"{}\"", v));
  db.exec(embedded_views());
  auto put = db.prepare("INSERT OR REPLACE INTO schema_meta(key, value) VALUES ('views_sha256', ?)");
  put.bind(1, fast_sha256_hex(embedded_views()));
  put.step();
}

}  // namespace

void throw_newer_schema(const std::string& where, int current, int latest) {
  throw Error(Error::Code::io, fmt::format("{} has schema version {}, newer than this reviewer {} knows "
                                           "(up to {}); upgrade reviewer to write to it",
                                           where, current, reviewer_version(), latest));
}

void for_each_migration(const std::vector<std::pair<std::string_view, std::string_view>>& files, int current,
                        int target, const std::function<void(int, std::string_view, std::string_view)>& apply) {
  int expected = 1;
  for (const auto& [name, sql] : files) {
    int v = version_of(name);
    if (v != expected++) {
      throw Error(Error::Code::internal, fmt::format("audit migrations are not numbered 1, 2, 3...: '{}'", name));
    }
    if (v <= current) continue;
    if (v > target) break;
    apply(v, name, sql);
  }
}

int latest_schema_version() {
  const auto& m = embedded_migrations();
  return m.empty() ? 0 : version_of(m.back().first);
}

int schema_version(Connection& db) {
  if (!table_exists(db, "schema_migrations")) return 0;
  auto q = db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  q.step();
  return static_cast<int>(q.column_int64(0));
}

namespace {

void migrate_to(Connection& db, int target) {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;"
        "CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;");
    int current = schema_version(db);
    int latest = latest_schema_version();
    if (current > latest) throw_newer_schema(db.where(), current, latest);
    for_each_migration(embedded_migrations(), current, target, [&](int v, std::string_view name, std::string_view sql) {
      try {
        db.exec(sql);
      } catch (const Error& e) {
        throw Error(Error::Code::io, fmt::format("migration {} failed: {}", name, e.what()));
      }
      auto rec = db.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)");
      rec.bind(1, std::int64_t{v});
      rec.bind(2, name);
      rec.bind(3, utc_now_iso8601());
      rec.step();
    });
    if (target == latest && stored_views_hash(db) != fast_sha256_hex(embedded_views())) refresh_views(db);
    db.exec("COMMIT");
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
      // The original error is the one worth reporting.
    }
    throw;
  }
}

}  // namespace

void migrate(Connection& db) {
  // Readers of an up-to-date file should not queue for the write lock.
  if (up_to_date(db)) return;
  migrate_to(db, latest_schema_version());
}

void create_schema(Connection& db, int version) { migrate_to(db, version); }

}  // namespace reviewer::audit
