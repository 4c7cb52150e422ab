// Language-agnostic reading of diff lines: which lines are comments, and a
// token stream of the code on a line with comments dropped and string
// literals collapsed. Heuristic by design (the agent works on any language):
// C-family, Python, shell, SQL, Lua, Markdown/HTML comments are recognized.
// Linear in the input; never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reviewer/core/diff.h"

namespace reviewer::intent {

enum class LineKind { blank, comment, code };

// One entry per line of the hunk (context lines included: they carry the
// block-comment state across changed lines).
std::vector<LineKind> classify_lines(const Hunk& hunk);

enum class TokenKind { identifier, keyword, literal, number, string, op };

struct Token {
  TokenKind kind;
  std::string text;  // strings are "\"…\"" unless keep_strings
  bool operator==(const Token&) const = default;
  bool operator<(const Token& o) const { return kind != o.kind ? kind < o.kind : text < o.text; }
};

// Tokens of one line's code. keep_strings keeps string literal contents
// (for comparing test expectations); otherwise every string is one token.
std::vector<Token> tokenize(std::string_view line, bool keep_strings = false);

// Conditions, numbers and control flow: comparison and logical operators,
// control keywords, numeric literals, true/false/null.
bool is_logic_token(const Token& t);

// The line's tokens joined by spaces, strings elided: evidence that shows
// the code's shape without quoting string contents (which may be secrets).
std::string skeleton(std::string_view line);

}  // namespace reviewer::intent
