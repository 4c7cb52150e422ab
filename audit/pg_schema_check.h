// `audit verify`'s schema check on PostgreSQL, the counterpart of
// schema_check.h: every column (type, nullability, default, position),
// constraint, index and trigger of the audit tables, every view of the
// schema and the function the append-only triggers call are compared with
// what this build's migrations create. The chain catches edited rows; this
// catches an edited schema: a column altered to another type (values no
// longer read back as they were hashed), a dropped index, a view replaced
// by one that hides rows, a trigger narrowed to `UPDATE OF one_column`.
//
// The expected catalog is not a hand-kept list: this build's own SQL is
// run in the session's temporary schema (pg_temp), in a transaction that is
// rolled back, and described by the same catalog query as the log, so
// PostgreSQL's own rendering (pg_get_indexdef, pg_get_viewdef…) is compared
// with itself. That needs only the TEMPORARY privilege, which PostgreSQL
// grants to every role by default: the auditor's SELECT-only,
// default_transaction_read_only role can run it (the transaction says READ
// WRITE, and writes nothing but its temporary objects, which vanish).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "storage/postgres.h"

namespace reviewer::audit {

// Object ("column findings.severity", "index findings_run", "view
// v_decisions"…) -> its definition, schema names taken out.
struct PgCatalog {
  int version = 0;          // the schema version described
  bool with_views = false;  // whether views were compared (see below)
  std::map<std::string, std::string> objects;
  std::vector<std::string> tables;     // the audit tables (and schema_meta, ...)
  std::vector<std::string> functions;  // of pg_functions.sql
  std::string problem;                 // why it could not be built: then nothing is compared
};

// What this build's migrations create at the version `db` records (views
// only at the latest version, when schema_meta.views_sha256 is this
// build's). Runs and rolls back its own transaction: call it outside any.
// A role that may not create temporary objects (or a hot standby) gets a
// PgCatalog whose `problem` says so.
PgCatalog pg_expected_catalog(storage::PgConnection& db);

// Empty when `db`'s current schema has exactly `expected`'s objects (the
// queue's tables may share the schema: only the audit tables, the views
// and the trigger function are compared); else one sentence naming the
// first object missing, extra or different. Reads only the catalog: runs
// inside the verifying snapshot.
std::string pg_schema_difference(storage::PgConnection& db, const PgCatalog& expected);

}  // namespace reviewer::audit
