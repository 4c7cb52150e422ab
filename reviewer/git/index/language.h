// Which language family a path belongs to, from its extension or name: the
// lexer and the logic agent's rules are chosen per family.
#pragma once

#include <cstdint>
#include <string_view>

namespace reviewer::index {

enum class Lang : std::uint8_t {
  unknown,
  c,       // C and C++ (one family: headers are ambiguous)
  python,
  js,      // JavaScript and TypeScript
  go,
  java,    // Java (and C#, whose lexical shape is close enough)
  ruby,
  rust,
  data,    // JSON, YAML, TOML, .po, .properties: strings and keys only
};

Lang language_of(std::string_view path);
std::string_view to_string(Lang lang);
// Parses the names used in guidance ("c", "cpp", "python", "js", "ts", ...).
// Returns Lang::unknown for anything else.
Lang parse_lang(std::string_view name);

// The file name without folders and without the last extension ("a/b.test.js" -> "b.test").
std::string_view stem_of(std::string_view path);
std::string_view dir_of(std::string_view path);   // "" at the root
std::string_view ext_of(std::string_view path);   // without the dot, "" if none

}  // namespace reviewer::index
