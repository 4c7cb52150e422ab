// Schema versioning: the embedded migrations (schema/NNN_name.sql) are
// applied in order, each recorded in schema_migrations, all in one
// transaction; the auditor views are (re)created when views.sql changed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/db.h"

namespace reviewer::audit {

// The highest migration this build knows (the NNN of the last file).
int latest_schema_version();

// Calls apply(version, name, sql) for each migration of `files` above
// `current` up to `target`, in order; throws Error(internal) when the files
// are not numbered 1, 2, 3… (both backends' migrations go through here).
void for_each_migration(const std::vector<std::pair<std::string_view, std::string_view>>& files, int current,
                        int target, const std::function<void(int, std::string_view, std::string_view)>& apply);

// The refusal to write a database `where` at schema `current`, newer than
// this build's `latest`.
[[noreturn]] void throw_newer_schema(const std::string& where, int current, int latest);

// The version recorded in the database; 0 for a fresh (empty) file.
int schema_version(Connection& db);

// Brings the database to latest_schema_version(). Throws reviewer::Error
// when the database is newer than this build (it is never touched then),
// or when a migration fails (nothing is applied then).
void migrate(Connection& db);

// Creates, in an empty database, the schema a file at `version` has: the
// migrations up to it, and the auditor views when it is the latest (what
// `audit verify` compares a file's schema with).
void create_schema(Connection& db, int version);

}  // namespace reviewer::audit
