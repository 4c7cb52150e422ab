#include "reviewer/git/index/language.h"

#include <array>
#include <utility>

namespace reviewer::index {

namespace {

constexpr std::array<std::pair<std::string_view, Lang>, 37> kExtensions = {{
    {"c", Lang::c},        {"h", Lang::c},        {"cc", Lang::c},      {"cpp", Lang::c},
    {"cxx", Lang::c},      {"hh", Lang::c},       {"hpp", Lang::c},     {"hxx", Lang::c},
    {"ipp", Lang::c},      {"inl", Lang::c},      {"py", Lang::python}, {"pyi", Lang::python},
    {"js", Lang::js},      {"jsx", Lang::js},     {"mjs", Lang::js},    {"cjs", Lang::js},
    {"ts", Lang::js},      {"tsx", Lang::js},     {"mts", Lang::js},    {"cts", Lang::js},
    {"go", Lang::go},      {"java", Lang::java},  {"rb", Lang::ruby},   {"rake", Lang::ruby},
    {"rs", Lang::rust},    {"json", Lang::data},  {"yml", Lang::data},  {"yaml", Lang::data},
    {"toml", Lang::data},  {"po", Lang::data},    {"pot", Lang::data},  {"properties", Lang::data},
    {"ini", Lang::data},   {"cfg", Lang::data},   {"env", Lang::data},  {"gemspec", Lang::ruby},
    {"cs", Lang::java},
}};

}  // namespace

std::string_view dir_of(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::string_view ext_of(std::string_view path) {
  auto slash = path.rfind('/');
  auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.rfind('.');
  return (dot == std::string_view::npos || dot == 0) ? std::string_view{} : name.substr(dot + 1);
}

std::string_view stem_of(std::string_view path) {
  auto slash = path.rfind('/');
  auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.rfind('.');
  return (dot == std::string_view::npos || dot == 0) ? name : name.substr(0, dot);
}

Lang language_of(std::string_view path) {
  auto slash = path.rfind('/');
  auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name == "Rakefile" || name == "Gemfile") return Lang::ruby;
  if (name == ".env") return Lang::data;
  std::string_view ext = ext_of(path);
  for (const auto& [e, lang] : kExtensions) {
    if (e.size() != ext.size()) continue;
    bool same = true;
    for (size_t i = 0; i < e.size() && same; ++i) {
      char c = ext[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = c == e[i];
    }
    if (same) return lang;
  }
  return Lang::unknown;
}

std::string_view to_string(Lang lang) {
  switch (lang) {
    case Lang::unknown: return "unknown";
    case Lang::c: return "c";
    case Lang::python: return "python";
    case Lang::js: return "js";
    case Lang::go: return "go";
    case Lang::java: return "java";
    case Lang::ruby: return "ruby";
    case Lang::rust: return "rust";
    case Lang::data: return "data";
  }
  return "unknown";
}

Lang parse_lang(std::string_view n) {
  if (n == "c" || n == "cpp" || n == "c++") return Lang::c;
  if (n == "python" || n == "py") return Lang::python;
  if (n == "js" || n == "ts" || n == "javascript" || n == "typescript") return Lang::js;
  if (n == "go") return Lang::go;
  if (n == "java") return Lang::java;
  if (n == "ruby" || n == "rb") return Lang::ruby;
  if (n == "rust" || n == "rs") return Lang::rust;
  if (n == "data") return Lang::data;
  return Lang::unknown;
}

}  // namespace reviewer::index
