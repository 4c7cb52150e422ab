# Writes OUT: a C++ file holding each audit/schema/NNN_name.sql migration and
# audit/views.sql as raw strings (see audit/embedded_sql.h).
file(GLOB files "${SCHEMA_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(READ "${f}" text)
  get_filename_component(name "${f}" NAME)
  string(APPEND body "    {\"${name}\", R\"reviewer_sql(${text})reviewer_sql\"},\n")
endforeach()
file(READ "${VIEWS}" views)
file(WRITE "${OUT}.tmp" "#include \"audit/embedded_sql.h\"
namespace reviewer::audit {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_migrations() {
  static const std::vector<std::pair<std::string_view, std::string_view>> files = {
${body}  };
  return files;
}
std::string_view embedded_views() {
  return R\"reviewer_sql(${views})reviewer_sql\";
}
}  // namespace reviewer::audit
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
