# Writes OUT: a C++ file holding the console's static files as raw string
# literals (see static_files.h). Run at build time, so an edit of a file
# (or a new Chart.js from Debian) rebuilds the console.
#   CHART_JS  Debian's chart.min.js   CONSOLE_JS  CONSOLE_CSS  OUT
set(entries "")
foreach(pair IN ITEMS "chart.js|${CHART_JS}|text/javascript; charset=utf-8"
                      "console.js|${CONSOLE_JS}|text/javascript; charset=utf-8"
                      "console.css|${CONSOLE_CSS}|text/css; charset=utf-8")
  string(REPLACE "|" ";" parts "${pair}")
  list(GET parts 0 name)
  list(GET parts 1 file)
  list(GET parts 2 type)
  file(READ "${file}" text)
  if(text MATCHES "\\)reviewer_static\"")
    message(FATAL_ERROR "${file} holds the raw string's delimiter")
  endif()
  string(APPEND entries "  if (name == \"${name}\") return StaticFile{\"${type}\", R\"reviewer_static(${text})reviewer_static\"};\n")
endforeach()
file(WRITE "${OUT}.tmp" "#include \"reviewer/console/static_files.h\"
namespace reviewer::console {
std::optional<StaticFile> static_file(std::string_view name) {
${entries}  return std::nullopt;
}
}  // namespace reviewer::console
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
