// Numbered schema migrations, one scheme for every component that keeps
// tables (the audit log, the job queue) on both backends: a component's
// files NNN_name.sql, embedded in the binary, are applied in order inside
// one transaction, each recorded as (version, name, applied_at) in the
// component's own version table. A database newer than this build is
// refused with both versions named and left untouched. On PostgreSQL the
// migrating transaction holds an advisory lock of the component, so two
// instances starting at once migrate one after the other.
//
// The components keep their SQL (audit/schema/, reviewer/server/schema/)
// and what else they do around a migration (the audit log's views).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/postgres.h"
#include "storage/sqlite.h"

namespace reviewer::storage {

// (file name, SQL) in file-name order, i.e. migration order.
using MigrationFiles = std::vector<std::pair<std::string_view, std::string_view>>;

struct Migrations {
  std::string_view component;  // "audit", "queue": in messages and the advisory lock's key
  std::string_view table;      // the version record
  const MigrationFiles* files;

  // The highest migration (the NNN of the last file).
  int latest() const;
};

// Calls apply(version, name, sql) for each migration above `current` up to
// `target`, in order; throws Error(internal) when the files are not
// numbered 1, 2, 3….
void for_each_migration(const Migrations& m, int current, int target,
                        const std::function<void(int, std::string_view, std::string_view)>& apply);

// The refusal to write a database `where` at schema `current`, newer than
// this build's `latest`.
[[noreturn]] void throw_newer_schema(const std::string& where, int current, int latest);

// ---- SQLite ----

bool has_table(Connection& db, std::string_view name);
// The version recorded in m.table; 0 without the table.
int schema_version(Connection& db, const Migrations& m);
// Inside the caller's write transaction: creates m.table, refuses a newer
// database, runs the migrations above the recorded version up to `target`
// and records each. A failing migration throws, naming it.
void apply_migrations(Connection& db, const Migrations& m, int target);
// Records migrations 1..version as applied without running them: a
// database from before m.table, whose schema is at `version` already.
void adopt_migrations(Connection& db, const Migrations& m, int version);

// ---- PostgreSQL ----

bool has_table(PgConnection& db, std::string_view name);
int schema_version(PgConnection& db, const Migrations& m);
// pg_advisory_xact_lock of the component, held to the transaction's end;
// waits at most `wait`, then throws a transient Error naming the lock.
void lock_for_migration(PgConnection& db, const Migrations& m, std::chrono::seconds wait = std::chrono::seconds(60));
void apply_migrations(PgConnection& db, const Migrations& m, int target);
void adopt_migrations(PgConnection& db, const Migrations& m, int version);

}  // namespace reviewer::storage
