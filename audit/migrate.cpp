#include "audit/migrate.h"

#include <fmt/format.h>

#include "audit/chain.h"
#include "audit/embedded_sql.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

const storage::Migrations& sqlite_migrations() {
  static const storage::Migrations m{"audit", "schema_migrations", &embedded_migrations()};
  return m;
}

const storage::Migrations& pg_migrations() {
  static const storage::Migrations m{"audit", "schema_migrations", &embedded_pg_migrations()};
  return m;
}

namespace {

std::string stored_views_hash(Connection& db) {
  if (!storage::has_table(db, "schema_meta")) return "";
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

int latest_schema_version() { return sqlite_migrations().latest(); }

int schema_version(Connection& db) { return storage::schema_version(db, sqlite_migrations()); }

namespace {

void migrate_to(Connection& db, int target) {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;");
    storage::apply_migrations(db, sqlite_migrations(), target);
    const int latest = latest_schema_version();
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
