#include "audit/migrate.h"

#include <charconv>

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

std::string stored_meta(Connection& db, const char* key) {
  if (!storage::has_table(db, "schema_meta")) return "";
  auto q = db.prepare("SELECT value FROM schema_meta WHERE key = ?");
  q.bind(1, key);
  return q.step() ? q.column_text(0) : "";
}

bool views_outdated(Connection& db) {
  return views_need_refresh(stored_meta(db, "views_sha256"), stored_meta(db, "views_revision"),
                            fast_sha256_hex(embedded_views()), views_revision(embedded_views()));
}

bool up_to_date(Connection& db) {
  return schema_version(db) == latest_schema_version() && !views_outdated(db);
}

void refresh_views(Connection& db) {
  std::vector<std::string> views;
  auto q = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'");
  while (q.step()) views.push_back(q.column_text(0));
  for (const auto& v : views) db.exec(fmt::format("DROP VIEW \"{}\"", v));
  db.exec(embedded_views());
  auto put = db.prepare("INSERT OR REPLACE INTO schema_meta(key, value) VALUES ('views_sha256', ?), "
                        "('views_revision', ?)");
  put.bind(1, fast_sha256_hex(embedded_views())).bind(2, std::to_string(views_revision(embedded_views())));
  put.step();
}

}  // namespace

int views_revision(std::string_view views_sql) {
  constexpr std::string_view kLine = "-- views revision: ";
  const auto at = views_sql.find(kLine);
  if (at == std::string_view::npos) return 0;
  int n = 0;
  std::from_chars(views_sql.data() + at + kLine.size(), views_sql.data() + views_sql.size(), n);
  return n;
}

bool views_need_refresh(std::string_view stored_hash, std::string_view stored_revision, std::string_view hash,
                        int revision) {
  int stored = 0;  // none recorded (a build before revisions), or junk: ours are not older
  std::from_chars(stored_revision.data(), stored_revision.data() + stored_revision.size(), stored);
  return stored_hash != hash && stored <= revision;
}

int latest_schema_version() { return sqlite_migrations().latest(); }

int schema_version(Connection& db) { return storage::schema_version(db, sqlite_migrations()); }

namespace {

void migrate_to(Connection& db, int target) {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;");
    storage::apply_migrations(db, sqlite_migrations(), target);
    const int latest = latest_schema_version();
    if (target == latest && views_outdated(db)) refresh_views(db);
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
