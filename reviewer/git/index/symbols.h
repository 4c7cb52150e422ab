// Definitions and occurrences in one file's tokens, by per-language lexical
// rules: good enough to follow a name through a repository, not a parser.
// Arity is recorded for functions so call sites can be compared with it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "reviewer/git/index/language.h"
#include "reviewer/git/index/lexer.h"

namespace reviewer::index {

enum class DefKind : std::uint8_t { function, method, type, constant, variable, macro, module };

// How a name occurs. def_site is the name in its own definition.
enum class OccKind : std::uint8_t { ident, call, method_call, def_site, string, number };

constexpr std::int16_t kUnknownArity = -1;
constexpr std::int16_t kVariadic = 0x7fff;

struct Definition {
  std::string_view name;
  DefKind kind = DefKind::function;
  std::uint32_t line = 0;
  std::int16_t min_arity = kUnknownArity;  // required parameters (self excluded)
  std::int16_t max_arity = kUnknownArity;  // all parameters, kVariadic when open-ended
  bool has_self = false;                   // a method taking self/cls/&self first
};

struct Occurrence {
  std::string_view text;
  OccKind kind = OccKind::ident;
  std::uint32_t line = 0;
  std::int16_t argc = kUnknownArity;       // for calls: arguments at the call site
};

struct Analysis {
  std::vector<Definition> defs;
  std::vector<Occurrence> occs;
};

Analysis analyze(Lang lang, const std::vector<Token>& tokens);

// True for the language's reserved words (never a definition or a call).
bool is_keyword(Lang lang, std::string_view word);

}  // namespace reviewer::index
