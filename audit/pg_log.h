// The audit log on PostgreSQL: everything that differs from SQLite lives in
// pg_log.cpp, pg_store.cpp, pg_schema_check.cpp and schema/postgres/; the
// rest of audit/ reads the log through LogReader and builds rows with
// rows.h, as for SQLite.
//
// Database layout: the tables of schema/postgres/NNN_*.sql in the
// connection's current schema (search_path), plus schema_migrations and
// schema_meta, as in an SQLite file.
#pragma once

#include <memory>
#include <string>

#include "audit/chain.h"
#include "audit/log_reader.h"
#include "storage/postgres.h"

namespace reviewer::audit {

// The tables pg_migrate creates beside the migrations' (schema_meta,
// audit_chain_lock with its one row), as SQL.
std::string pg_support_tables_sql();

// Connects for the audit log ("audit database <url>" in messages).
storage::PgConnection pg_open(const std::string& url);

// The version recorded in the database; 0 for an empty one.
int pg_schema_version(storage::PgConnection& db);

// The value of `key` in schema_meta ("views_sha256": the hash of the views
// file that wrote the views, "views_revision": its revision); "" without.
std::string pg_schema_meta(storage::PgConnection& db, const std::string& key);

// Brings the database to latest_schema_version() (and creates the chain's
// lock table), under a transaction-level advisory lock so that instances
// starting together migrate once. Throws reviewer::Error naming both
// versions when the database is newer than this build (nothing is touched
// then), or when a migration fails (nothing is applied then).
void pg_migrate(storage::PgConnection& db);

// Every chained table of the current schema, columns in declaration order.
std::vector<TableLayout> pg_chained_tables(storage::PgConnection& db);

// INSERT INTO the table: every column, then row_hash, as $1..$n+1.
std::string pg_insert_sql(const TableLayout& t);

// The last row of the log over `tables`.
ChainHead pg_read_head(storage::PgConnection& db, const std::vector<TableLayout>& tables);

// Takes the lock that serializes appends to the chain (the row of
// audit_chain_lock, FOR UPDATE), until the end of the caller's READ
// COMMITTED transaction: every writer reads the head after taking it, so
// the chain stays linear across processes and machines. Waits at most
// lock_timeout (kSetLockTimeout), then throws a transient Error.
void pg_lock_chain(storage::PgConnection& db);

struct PgCatalog;
// A LogReader over `db` (not owned). With `expected` (pg_schema_check.h,
// not owned), its structure_problem() also compares the schema with it.
std::unique_ptr<LogReader> pg_reader(storage::PgConnection& db, const PgCatalog* expected = nullptr);

}  // namespace reviewer::audit
