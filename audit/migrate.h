// Schema versioning: the embedded migrations (schema/NNN_name.sql) are
// applied in order by storage/migrate.h, each recorded in
// schema_migrations, all in one transaction; the auditor views are
// (re)created when views.sql changed, unless a newer build wrote them
// (views_need_refresh).
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

// The revision a views file declares ("-- views revision: N"); 0 without.
int views_revision(std::string_view views_sql);

// Whether a build whose views hash to `hash` at `revision` re-creates the
// views recorded in schema_meta (views_sha256, views_revision; "" and 0
// when absent): when they differ from its own and are not of a higher
// revision. Views of a higher revision were written by a newer build at the
// same schema version: an older binary starting on the database must not
// take them back.
bool views_need_refresh(std::string_view stored_hash, std::string_view stored_revision, std::string_view hash,
                        int revision);

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
