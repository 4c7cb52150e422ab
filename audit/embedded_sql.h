// The schema migrations (audit/schema/NNN_name.sql) and the auditor views
// (audit/views.sql), compiled into the binary so an installed reviewer needs
// no data files to create or upgrade a database.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace reviewer::audit {

// (file name, SQL) in file-name order, i.e. migration order.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_migrations();

// The same migrations in PostgreSQL's form (derived at build time by
// embed_sql.cmake): the same numbers and names, the same tables and columns
// in the same order.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_pg_migrations();

// The console's queries (audit/console/NAME.sql) as (file name, SQL), in
// the dialect both backends share (console_queries.h runs them).
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_console_queries();

// The CREATE VIEW statements of audit/views.sql.
std::string_view embedded_views();

// The functions the PostgreSQL migrations use (audit/pg_functions.sql),
// created (or replaced) before migrating.
std::string_view embedded_pg_functions();

// The same views for PostgreSQL (audit/views_postgres.sql).
std::string_view embedded_pg_views();

}  // namespace reviewer::audit
