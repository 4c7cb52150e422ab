# Writes OUT: a C++ file defining `const reviewer::storage::MigrationFiles&
# FUNCTION()` in NAMESPACE, with each DIR/NNN_name.sql as a raw string, in
# file-name order (storage/migrate.h applies them). Used by a component
# whose migrations need no derivation (audit/embed_sql.cmake derives the
# audit log's PostgreSQL form):
#   cmake -DDIR=... -DOUT=... -DNAMESPACE=... -DFUNCTION=... -DHEADER=... -P embed_migrations.cmake
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(READ "${f}" text)
  get_filename_component(name "${f}" NAME)
  string(APPEND body "    {\"${name}\", R\"reviewer_sql(${text})reviewer_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "#include \"${HEADER}\"
namespace ${NAMESPACE} {
const reviewer::storage::MigrationFiles& ${FUNCTION}() {
  static const reviewer::storage::MigrationFiles files = {
${body}  };
  return files;
}
}  // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
