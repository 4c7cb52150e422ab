# Writes OUT: a C++ file holding each audit/schema/NNN_name.sql migration,
# its PostgreSQL form (derived here, so each table is defined once), the
# views of both backends (audit/views.sql, audit/views_postgres.sql) and
# the console's queries (audit/console/*.sql) as raw strings; see
# audit/embedded_sql.h.

# The PostgreSQL form of an SQLite migration: the same tables, columns and
# order (the chain hashes by position); BIGINT for INTEGER (both 64-bit);
# no STRICT (PostgreSQL's types are strict already); the append-only
# triggers as row triggers calling audit_append_only()
# (audit/pg_functions.sql), with a TRUNCATE trigger beside each DELETE one.
function(postgres_form text out_var)
  string(REPLACE "INTEGER" "BIGINT" text "${text}")
  string(REPLACE ") STRICT;" ");" text "${text}")
  set(raise "\n  BEGIN SELECT RAISE\\(ABORT, '[^']*'\\); END;")
  string(REGEX REPLACE "CREATE TRIGGER ([a-z_]+)_no_update BEFORE UPDATE ON ([a-z_]+)${raise}"
         "CREATE TRIGGER \\1_no_update BEFORE UPDATE ON \\2 FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
         text "${text}")
  string(REGEX REPLACE "CREATE TRIGGER ([a-z_]+)_no_delete BEFORE DELETE ON ([a-z_]+)${raise}"
         "CREATE TRIGGER \\1_no_delete BEFORE DELETE ON \\2 FOR EACH ROW EXECUTE FUNCTION audit_append_only();\nCREATE TRIGGER \\1_no_truncate BEFORE TRUNCATE ON \\2 FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();"
         text "${text}")
  if(text MATCHES "RAISE\\(ABORT")
    message(FATAL_ERROR "a trigger of this migration has no PostgreSQL form: write it as <table>_no_update/_no_delete")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

file(GLOB files "${SCHEMA_DIR}/*.sql")
list(SORT files)
set(body "")
set(pg_body "")
foreach(f IN LISTS files)
  file(READ "${f}" text)
  get_filename_component(name "${f}" NAME)
  string(APPEND body "    {\"${name}\", R\"reviewer_sql(${text})reviewer_sql\"},\n")
  postgres_form("${text}" pg_text)
  string(APPEND pg_body "    {\"${name}\", R\"reviewer_sql(${pg_text})reviewer_sql\"},\n")
endforeach()
# The console's queries (audit/console/*.sql), by file name.
file(GLOB console_files "${CONSOLE_DIR}/*.sql")
list(SORT console_files)
set(console_body "")
foreach(f IN LISTS console_files)
  file(READ "${f}" text)
  get_filename_component(name "${f}" NAME)
  string(APPEND console_body "    {\"${name}\", R\"reviewer_sql(${text})reviewer_sql\"},\n")
endforeach()
file(READ "${VIEWS}" views)
file(READ "${PG_VIEWS}" pg_views)
file(READ "${PG_FUNCTIONS}" pg_functions)
file(WRITE "${OUT}.tmp" "#include \"audit/embedded_sql.h\"
namespace reviewer::audit {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_migrations() {
  static const std::vector<std::pair<std::string_view, std::string_view>> files = {
${body}  };
  return files;
}
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_pg_migrations() {
  static const std::vector<std::pair<std::string_view, std::string_view>> files = {
${pg_body}  };
  return files;
}
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_console_queries() {
  static const std::vector<std::pair<std::string_view, std::string_view>> files = {
${console_body}  };
  return files;
}
std::string_view embedded_views() {
  return R\"reviewer_sql(${views})reviewer_sql\";
}
std::string_view embedded_pg_functions() {
  return R\"reviewer_sql(${pg_functions})reviewer_sql\";
}
std::string_view embedded_pg_views() {
  return R\"reviewer_sql(${pg_views})reviewer_sql\";
}
}  // namespace reviewer::audit
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
