// The queue's schema migrations, one list per backend (schema/sqlite/,
// schema/postgres/NNN_name.sql), compiled into the binary and applied by
// storage/migrate.h into queue_schema_migrations, as the audit log's are
// into schema_migrations.
#pragma once

#include "storage/migrate.h"

namespace reviewer::server {

const storage::MigrationFiles& queue_sqlite_migrations();
const storage::MigrationFiles& queue_postgres_migrations();

// The version record of both backends; on PostgreSQL the queue may share
// the audit log's database, hence its own table.
inline constexpr std::string_view kQueueVersionTable = "queue_schema_migrations";

}  // namespace reviewer::server
