#include "audit/pg_log.h"

#include <set>

#include <fmt/format.h>

#include "audit/embedded_sql.h"
#include "audit/migrate.h"
#include "audit/pg_schema_check.h"
#include "audit/schema_check.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

using storage::PgConnection;
using storage::PgTransaction;

namespace {

// Migrations are serialized on an advisory lock of the audit log
// (storage::lock_for_migration). Appends are serialized on the one row of audit_chain_lock, not on an
// advisory lock: any role may take an advisory lock (an auditor's session
// holding the key stalled every instance's writes), while FOR UPDATE needs
// UPDATE on the table, which only the owner and serve's role hold.
constexpr std::string_view kChainLockTable =
    "CREATE TABLE IF NOT EXISTS audit_chain_lock (id BIGINT PRIMARY KEY CHECK (id = 1));"
    "INSERT INTO audit_chain_lock VALUES (1) ON CONFLICT DO NOTHING";
constexpr std::string_view kSchemaMetaTable =
    "CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";
constexpr std::string_view kChainLock = "SELECT 1 FROM audit_chain_lock FOR UPDATE";
constexpr std::string_view kPermissionDenied = "42501", kLockNotAvailable = "55P03";

// The shared SQL writes parameters ?1, ?2…; PostgreSQL wants $1, $2….
// (Our queries have no '?' inside string literals.)
std::string dollar_params(std::string_view sql) {
  std::string out(sql);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '?' && out[i + 1] >= '1' && out[i + 1] <= '9') out[i] = '$';
  }
  return out;
}

using storage::has_table;
using storage::throw_newer_schema;

// An append-only trigger that is enabled, unconditional and calls the
// schema's audit_append_only(), whose body still raises.
constexpr std::string_view kTriggerCheck = R"sql(
SELECT 1 FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relname = $1
  AND t.tgname = $2
  AND t.tgenabled = 'O' AND t.tgqual IS NULL AND p.proname = 'audit_append_only'
  AND p.prosrc LIKE '%RAISE EXCEPTION%')sql";

// Every trigger and rule on the schema's tables (views' own _RETURN rules
// aside): type, name, table.
constexpr std::string_view kTableHooks = R"sql(
SELECT 'trigger', t.tgname::text, c.relname::text FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND NOT t.tgisinternal
UNION ALL
SELECT 'rule', r.rulename::text, c.relname::text FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p')
ORDER BY 1, 2)sql";

class PgReader final : public LogReader {
 public:
  PgReader(PgConnection& db, const PgCatalog* expected) : db_(db), expected_(expected) {}

  void each(std::string_view sql, const std::vector<Value>& params,
            const std::function<void(const LogRow&)>& row) override {
    // Row by row as they arrive, never the whole result in memory.
    LogRow out;
    db_.each_row(dollar_params(sql), params, [&](const storage::PgResult& r, int i) {
      out.values.resize(static_cast<std::size_t>(r.columns()));
      // Each value written over the last row's: its text's buffer reused.
      for (int c = 0; c < r.columns(); ++c) r.value_into(i, c, out.values[static_cast<std::size_t>(c)]);
      row(out);
    });
  }

  std::vector<TableLayout> chained_tables() override { return pg_chained_tables(db_); }

  std::vector<std::string> column_names(const std::string& table) override {
    auto r = db_.exec(
        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = $1 ORDER BY ordinal_position",
        {table});
    std::vector<std::string> names;
    for (int i = 0; i < r.rows(); ++i) names.push_back(r.text(i, 0));
    return names;
  }

  int schema_version() override { return pg_schema_version(db_); }

  std::string structure_problem(const std::vector<TableLayout>& tables) override {
    for (const auto& t : tables) {
      for (const char* what : {"update", "delete", "truncate"}) {
        std::string name = fmt::format("{}_no_{}", t.name, what);
        if (db_.exec(kTriggerCheck, {t.name, name}).rows() == 0) {
          return fmt::format("append-only trigger {} is missing or altered: table {} accepts {}", name, t.name,
                             what);
        }
      }
    }
    if (auto why = added_hook(tables); !why.empty()) return why;
    int version = pg_schema_version(db_);
    if (version > latest_schema_version()) {
      return fmt::format("schema version {} is newer than this build knows (up to {}): it cannot be checked",
                         version, latest_schema_version());
    }
    return expected_ ? pg_schema_difference(db_, *expected_) : "";
  }

  std::string where() const override { return db_.where(); }
  Backend backend() const override { return Backend::postgres; }

 private:
  // A trigger or rule besides the append-only triggers (as SQLite's schema
  // comparison names an added trigger): a BEFORE INSERT trigger returning
  // NULL or a DO INSTEAD NOTHING rule drops rows as they are written, and
  // the chain cannot show it, since each append reads the head back.
  std::string added_hook(const std::vector<TableLayout>& tables) {
    std::set<std::string> ours, chained;  // the queue's tables may share the schema: not ours to judge
    for (const auto& t : tables) {
      chained.insert(t.name);
      // Keyed by table: another table's trigger name on this one is not ours.
      for (const char* what : {"update", "delete", "truncate"}) ours.insert(fmt::format("{}.{}_no_{}", t.name, t.name, what));
    }
    auto r = db_.exec(kTableHooks);
    for (int i = 0; i < r.rows(); ++i) {
      if (!chained.count(r.text(i, 2)) || (r.text(i, 0) == "trigger" && ours.count(r.text(i, 2) + "." + r.text(i, 1)))) continue;
      return not_in_schema(r.text(i, 0), r.text(i, 1));
    }
    return "";
  }

  PgConnection& db_;
  const PgCatalog* expected_;
};

}  // namespace

std::string pg_support_tables_sql() { return fmt::format("{}{}", kSchemaMetaTable, kChainLockTable); }

PgConnection pg_open(const std::string& url) { return PgConnection::open(url, "audit database"); }

int pg_schema_version(PgConnection& db) { return storage::schema_version(db, pg_migrations()); }

std::string pg_schema_meta(PgConnection& db, const std::string& key) {
  if (!has_table(db, "schema_meta")) return "";
  auto r = db.exec("SELECT value FROM schema_meta WHERE key = $1", {key});
  return r.rows() > 0 ? r.text(0, 0) : "";
}

namespace {

bool pg_views_outdated(PgConnection& db) {
  return views_need_refresh(pg_schema_meta(db, "views_sha256"), pg_schema_meta(db, "views_revision"),
                            fast_sha256_hex(embedded_pg_views()), views_revision(embedded_pg_views()));
}

// Drops this schema's views and creates the embedded ones, noting their hash.
void refresh_pg_views(PgConnection& db) {
  auto views = db.exec("SELECT table_name::text FROM information_schema.views WHERE table_schema = current_schema()");
  for (int i = 0; i < views.rows(); ++i) db.exec(fmt::format("DROP VIEW IF EXISTS {} CASCADE", storage::pg_identifier(views.text(i, 0))));
  db.exec(embedded_pg_views());
  db.exec("INSERT INTO schema_meta(key, value) VALUES ('views_sha256', $1), "
          "('views_revision', $2) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          {fast_sha256_hex(embedded_pg_views()), std::to_string(views_revision(embedded_pg_views()))});
}

}  // namespace

void pg_migrate(PgConnection& db) {
  const int latest = latest_schema_version();
  // Read before any DDL (and before the lock: readers of an up-to-date
  // database should not queue for it): serve's role, which may not CREATE
  // in the schema, must hear that the database is newer, not PostgreSQL's
  // "permission denied for schema" of a CREATE TABLE IF NOT EXISTS. A newer
  // database is left whole, its views included.
  int current = pg_schema_version(db);
  if (current > latest) throw_newer_schema(db.where(), current, latest);
  if (current == latest && !pg_views_outdated(db) && has_table(db, "audit_chain_lock")) return;
  try {
    PgTransaction tx(db);
    storage::lock_for_migration(db, pg_migrations());
    current = pg_schema_version(db);  // again, under the lock
    if (current > latest) throw_newer_schema(db.where(), current, latest);
    if (!has_table(db, "schema_meta")) db.exec(kSchemaMetaTable);
    if (!has_table(db, "audit_chain_lock")) db.exec(kChainLockTable);
    if (current < latest) db.exec(embedded_pg_functions());
    storage::apply_migrations(db, pg_migrations(), latest);
    if (pg_views_outdated(db)) refresh_pg_views(db);
    tx.commit();
  } catch (const storage::PgError& e) {
    if (e.sqlstate() != kPermissionDenied) throw;
    // Every change comes first as DDL (a table, the functions, a view),
    // which only the owner may run.
    throw Error(Error::Code::io,
                fmt::format("{} has schema version {}, this build needs {}{}, and this role may not change the "
                            "schema: run `reviewer audit migrate --to URL` as the database's owner (README, "
                            "\"Several instances on PostgreSQL\"): {}",
                            db.where(), current, latest,
                            current == latest ? " with its chain lock table and views" : "", e.what()));
  }
}

std::vector<TableLayout> pg_chained_tables(PgConnection& db) {
  // From the catalog, with the rows information_schema.columns joined to
  // its tables' BASE TABLEs gives (the columns the user may use, of tables
  // and partitioned tables: views carry no chain): those views took 35-45
  // ms on the 100,000-change log's database, on the critical path of the
  // console's start and of every change page; the catalog ~3 ms.
  auto r = db.exec(
      "SELECT c.relname::text, a.attname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
      // By name: a cast to regnamespace would read the schema's name as an
      // identifier (folded to lower case: "Audit" would be audit).
      "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
      "AND c.relkind IN ('r', 'p') "
      "AND a.attnum > 0 AND NOT a.attisdropped "
      "AND (pg_has_role(c.relowner, 'USAGE') "
      "OR has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES')) "
      "ORDER BY c.relname, a.attnum");
  std::vector<TableLayout> out;
  std::vector<bool> has_hash;
  for (int i = 0; i < r.rows(); ++i) {
    std::string table = r.text(i, 0), column = r.text(i, 1);
    if (out.empty() || out.back().name != table) {
      out.push_back({table, {}});
      has_hash.push_back(false);
    }
    if (column == "row_hash") {
      has_hash.back() = true;
    } else {
      out.back().columns.push_back(column);
    }
  }
  std::vector<TableLayout> chained;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& cols = out[i].columns;
    bool seq = std::find(cols.begin(), cols.end(), "seq") != cols.end();
    bool prev = std::find(cols.begin(), cols.end(), "prev_hash") != cols.end();
    if (seq && prev && has_hash[i]) chained.push_back(std::move(out[i]));
  }
  return chained;
}

std::string pg_insert_sql(const TableLayout& t) {
  std::string cols, params;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    cols += storage::pg_identifier(t.columns[i]) + ", ";
    params += fmt::format("${}, ", i + 1);
  }
  return fmt::format("INSERT INTO {} ({}row_hash) VALUES ({}${})", storage::pg_identifier(t.name), cols, params,
                     t.columns.size() + 1);
}

ChainHead pg_read_head(PgConnection& db, const std::vector<TableLayout>& tables) {
  if (tables.empty()) return {};
  std::string sql;
  for (const auto& t : tables) {
    sql += fmt::format("{}(SELECT seq, row_hash FROM {} ORDER BY seq DESC LIMIT 1)", sql.empty() ? "" : " UNION ALL ",
                       storage::pg_identifier(t.name));
  }
  // Prepared: planning this UNION ALL over every chained table cost more
  // than running it (~0.7 ms a write), and its text changes only with the
  // tables.
  auto r = db.prepared(sql + " ORDER BY seq DESC LIMIT 1", {});
  ChainHead h;
  if (r.rows() == 1) {
    h.seq = r.int64(0, 0);
    h.hash = r.text(0, 1);
  }
  return h;
}

void pg_lock_chain(PgConnection& db) {
  db.exec(storage::kSetLockTimeout);
  try {
    if (db.prepared(kChainLock, {}).rows() != 1) {
      throw Error(Error::Code::io, fmt::format("{}: audit_chain_lock has lost its row: appends cannot be serialized; "
                                               "run `reviewer audit migrate --to URL` as the owner",
                                               db.where()));
    }
  } catch (const storage::PgError& e) {
    if (e.sqlstate() == kPermissionDenied) {
      throw Error(Error::Code::io,
                  fmt::format("{}: this role may not lock audit_chain_lock, which serializes appends: GRANT UPDATE "
                              "ON audit_chain_lock TO it (README, \"Several instances on PostgreSQL\"): {}",
                              db.where(), e.what()));
    }
    if (e.sqlstate() == kLockNotAvailable) {
      throw Error(Error::Code::io,
                  fmt::format("{}: another session held the audit chain's lock longer than lock_timeout; "
                              "a transient error, the write may be retried: {}", db.where(), e.what()),
                  Error::Retry::transient);
    }
    throw;
  }
}

std::unique_ptr<LogReader> pg_reader(PgConnection& db, const PgCatalog* expected) {
  return std::make_unique<PgReader>(db, expected);
}

}  // namespace reviewer::audit
