#include "audit/pg_schema_check.h"

#include <mutex>
#include <set>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "audit/chain.h"
#include "audit/embedded_sql.h"
#include "audit/migrate.h"
#include "audit/pg_log.h"
#include "audit/schema_check.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

using storage::PgConnection;

namespace {

// Every object of the namespace $1 (an oid) that the comparison covers,
// with its definition as PostgreSQL renders it. Index, trigger and function
// definitions always name the namespace (the log's, or pg_temp): it is
// taken out where they name a table or function, and only there (a schema
// called `a` must not lose the `a.` of a view's alias). Views, columns and
// constraints name only what is not on the search_path: nothing of ours.
// $2: the audit tables, $3: whether views count, $4: the functions
// (comma-separated names).
constexpr std::string_view kDescribe = R"sql(
WITH ns AS (SELECT oid, quote_ident(nspname) || '.' AS prefix FROM pg_namespace WHERE oid = $1::oid),
tabs AS (SELECT c.oid, c.relname::text AS name FROM pg_class c JOIN ns ON c.relnamespace = ns.oid
         WHERE c.relkind IN ('r', 'p') AND c.relname::text = ANY (string_to_array($2, ','))),
defs AS (
  SELECT 'column ' || t.name || '.' || a.attname AS object,
         format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
           || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
           || ', column ' || row_number() OVER (PARTITION BY t.oid ORDER BY a.attnum) AS def
  FROM tabs t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
  UNION ALL
  SELECT 'index ' || i.relname, pg_get_indexdef(i.oid)
  FROM tabs t JOIN pg_index x ON x.indrelid = t.oid JOIN pg_class i ON i.oid = x.indexrelid
  UNION ALL
  SELECT 'constraint ' || t.name || '.' || o.conname, pg_get_constraintdef(o.oid)
  FROM tabs t JOIN pg_constraint o ON o.conrelid = t.oid
  UNION ALL
  SELECT 'trigger ' || t.name || '.' || g.tgname,
         pg_get_triggerdef(g.oid) || CASE g.tgenabled WHEN 'O' THEN '' ELSE ' (enabled: ' || g.tgenabled::text || ')' END
  FROM tabs t JOIN pg_trigger g ON g.tgrelid = t.oid AND NOT g.tgisinternal
  UNION ALL
  SELECT 'view ' || c.relname, pg_get_viewdef(c.oid)
  FROM pg_class c JOIN ns ON c.relnamespace = ns.oid WHERE c.relkind IN ('v', 'm') AND $3::boolean
  UNION ALL
  SELECT 'function ' || p.proname, pg_get_functiondef(p.oid)
  FROM pg_proc p JOIN ns ON p.pronamespace = ns.oid WHERE p.proname::text = ANY (string_to_array($4, ','))
)
SELECT object, CASE WHEN object LIKE 'index %' OR object LIKE 'trigger %' OR object LIKE 'function %'
  THEN replace(replace(replace(replace(def, ' ON ' || prefix, ' ON '), ' ON pg_temp.', ' ON '),
                       'FUNCTION ' || prefix, 'FUNCTION '), 'FUNCTION pg_temp.', 'FUNCTION ')
  ELSE def END
FROM defs, ns)sql";

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::map<std::string, std::string> describe(PgConnection& db, const std::string& ns, const PgCatalog& c) {
  auto r = db.exec(kDescribe,
                   {ns, joined(c.tables), std::string(c.with_views ? "true" : "false"), joined(c.functions)});
  std::map<std::string, std::string> out;
  for (int i = 0; i < r.rows(); ++i) out[r.text(i, 0)] = r.text(i, 1);
  return out;
}

// The names pg_functions.sql creates ("CREATE OR REPLACE FUNCTION name(").
std::vector<std::string> function_names(std::string_view sql) {
  constexpr std::string_view kCreate = "CREATE OR REPLACE FUNCTION ";
  std::vector<std::string> out;
  for (auto at = sql.find(kCreate); at != std::string_view::npos; at = sql.find(kCreate, at + 1)) {
    const auto from = at + kCreate.size();
    out.emplace_back(sql.substr(from, sql.find('(', from) - from));
  }
  return out;
}

// `sql` with each call of our functions made to pg_temp's: functions are
// never looked up in pg_temp, so the migrations' triggers must name it.
std::string in_pg_temp(std::string sql, const std::vector<std::string>& functions) {
  for (const auto& f : functions) {
    const std::string call = f + "(", temp = "pg_temp." + f + "(";
    for (auto at = sql.find(call); at != std::string::npos; at = sql.find(call, at + temp.size())) {
      sql.replace(at, call.size(), temp);
    }
  }
  return sql;
}

// Builds this build's schema at `c.version` in pg_temp and describes it.
void build_expected(PgConnection& db, PgCatalog& c) {
  c.functions = function_names(embedded_pg_functions());
  db.exec("SET LOCAL search_path = pg_temp");
  db.exec(pg_support_tables_sql());
  db.exec(in_pg_temp(std::string(embedded_pg_functions()), c.functions));
  std::vector<std::string> texts;
  const auto& files = embedded_pg_migrations();
  texts.reserve(files.size());
  storage::MigrationFiles temp_files;
  for (const auto& [name, sql] : files)
    temp_files.emplace_back(name, texts.emplace_back(in_pg_temp(std::string(sql), c.functions)));
  storage::apply_migrations(db, storage::Migrations{"audit", pg_migrations().table, &temp_files}, c.version);
  if (c.with_views) db.exec(embedded_pg_views());
  auto tables = db.exec(
      "SELECT relname::text FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r'");
  for (int i = 0; i < tables.rows(); ++i) c.tables.push_back(tables.text(i, 0));
  c.objects = describe(db, db.exec("SELECT pg_my_temp_schema()::text").text(0, 0), c);
}

}  // namespace

PgCatalog pg_expected_catalog(PgConnection& db) {
  PgCatalog c;
  c.version = pg_schema_version(db);
  // A newer schema: structure_problem names it. None: nothing was created,
  // and any chained table found is named as not part of the schema.
  if (c.version > latest_schema_version() || c.version == 0) return c;
  if (c.version == latest_schema_version()) {
    c.with_views = pg_schema_meta(db, "views_sha256") == fast_sha256_hex(embedded_pg_views());
    if (!c.with_views) {
      c.problem = views_not_ours(pg_schema_meta(db, "views_revision"), views_revision(embedded_pg_views()));
      return c;
    }
  }
  // What a server renders for this build's SQL depends on nothing else:
  // built once per process (~0.3 s of DDL; a console or a test verifies
  // many times).
  static std::mutex mutex;
  static std::map<std::tuple<std::string, int, bool>, PgCatalog> built;
  const auto key = std::make_tuple(db.exec("SHOW server_version_num").text(0, 0), c.version, c.with_views);
  {
    std::lock_guard lock(mutex);
    if (auto it = built.find(key); it != built.end()) return it->second;
  }
  // READ WRITE whatever the role's default: only temporary objects are
  // written, and the ROLLBACK removes them.
  try {
    db.exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");  // refused on a hot standby
    build_expected(db, c);
    db.exec("ROLLBACK");
    std::lock_guard lock(mutex);
    built.emplace(key, c);
    return c;
  } catch (const Error& e) {
    c.problem = fmt::format(
        "the schema cannot be compared with this build's: creating it in a temporary schema "
        "failed (verify as a role that may create temporary tables, on the primary): {}",
        e.what());
  }
  db.exec("ROLLBACK");  // without a transaction, a warning only
  return c;
}

std::string pg_schema_difference(PgConnection& db, const PgCatalog& expected) {
  if (!expected.problem.empty()) return expected.problem;
  if (expected.version > latest_schema_version()) return "";
  if (const int now = pg_schema_version(db); now != expected.version) {
    return fmt::format("the schema version changed while verifying ({} then {}): verify again",
                       expected.version, now);
  }
  // An audit table the expected schema lacks (its migration's record
  // deleted, say) escapes the comparison below: name it.
  const std::set<std::string> ours(expected.tables.begin(), expected.tables.end());
  for (const auto& t : pg_chained_tables(db)) {
    if (!ours.count(t.name)) return not_in_schema("table", t.name);
  }
  const auto have =
      describe(db, db.exec("SELECT oid::text FROM pg_namespace WHERE nspname = current_schema()").text(0, 0),
               expected);
  for (const auto& [object, want] : expected.objects) {
    auto it = have.find(object);
    if (it == have.end()) return fmt::format("{} of the audit schema is missing", object);
    if (it->second != want) {
      return fmt::format("{} differs from the audit schema: {}", object,
                         token_mismatch(sql_tokens(it->second), sql_tokens(want)));
    }
  }
  for (const auto& [object, def] : have) {
    if (!expected.objects.count(object)) {
      const auto space = object.find(' ');
      return not_in_schema(object.substr(0, space), object.substr(space + 1));
    }
  }
  return "";
}

}  // namespace reviewer::audit
