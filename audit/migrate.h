// Schema versioning: the embedded migrations (schema/NNN_name.sql) are
// applied in order by storage/migrate.h, each recorded in
// schema_migrations, all in one transaction; the auditor views are
// (re)created when views.sql changed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/db.h"
#include "storage/migrate.h"

namespace reviewer::audit {

// The audit log's migrations on each backend (the same numbers and names).
const storage::Migrations& sqlite_migrations();
const storage::Migrations& pg_migrations();

// The highest migration this build knows (the NNN of the last file).
int latest_schema_version();

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
