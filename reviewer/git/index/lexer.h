// A hand-written lexer per language family: identifiers, string and number
// literals and punctuation, with comments skipped (or collected). One pass,
// no backtracking, so its cost is linear in the input whatever the input;
// malformed code (unterminated strings, stray quotes) never throws.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "reviewer/git/index/language.h"

namespace reviewer::index {

enum class TokKind : std::uint8_t { ident, string, number, punct };

struct Token {
  TokKind kind = TokKind::punct;
  std::uint32_t line = 0;   // 1-based
  std::uint32_t col = 0;    // 0-based byte column
  std::string_view text;    // for strings: the content between the quotes, escapes kept
};

struct Comment {
  std::uint32_t line = 0;   // line where the comment starts
  std::string_view text;    // without the comment markers
};

// Tokenizes `src` (a view the tokens point into). Lines start at first_line.
// Comments are appended to *comments when given.
std::vector<Token> tokenize(Lang lang, std::string_view src, std::vector<Comment>* comments = nullptr,
                            std::uint32_t first_line = 1);

}  // namespace reviewer::index
