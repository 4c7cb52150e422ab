#include "subagents/intent/code_scan.h"

#include <algorithm>
#include <array>

namespace reviewer::intent {

namespace {

constexpr std::array<std::string_view, 34> kKeywords = {
    "if", "else", "elif", "elsif", "for", "foreach", "while", "do", "return", "break", "continue",
    "switch", "case", "default", "goto", "try", "catch", "except", "finally", "throw", "raise",
    "unless", "until", "when", "match", "yield", "await", "and", "or", "not", "is", "in", "then",
    "fallthrough"};
constexpr std::array<std::string_view, 9> kLiterals = {"true", "false", "null", "nil", "none",
                                                       "undefined", "True", "False", "None"};
constexpr std::array<std::string_view, 27> kMultiOps = {
    "===", "!==", "**=", "<<=", ">>=", "...", "==", "!=", "<=", ">=", "&&", "||", "->", "=>", "::",
    "<<", ">>", "++", "+=", "-=", "*=", "/=", "**", "??", "?.", "|=", "&="};
constexpr std::array<std::string_view, 14> kLogicOps = {
    "==", "!=", "===", "!==", "<", ">", "<=", ">=", "&&", "||", "!", "?", "??", "?."};
constexpr std::array<std::string_view, 15> kPreprocessor = {
    "include", "define", "if", "ifdef", "ifndef", "else", "elif", "endif", "pragma", "undef",
    "import", "error", "warning", "line", "region"};

bool ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c == '$' || c >= 0x80; }
bool ident_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

std::string_view ltrim(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// '#' starts a comment except for C preprocessor lines and Rust attributes.
bool hash_is_comment(std::string_view from_hash, bool at_line_start) {
  if (from_hash.size() > 1 && from_hash[1] == '[') return false;
  if (!at_line_start) return true;
  std::string_view rest = ltrim(from_hash.substr(1));
  size_t n = 0;
  while (n < rest.size() && std::isalpha(static_cast<unsigned char>(rest[n]))) ++n;
  std::string_view word = rest.substr(0, n);
  return std::find(kPreprocessor.begin(), kPreprocessor.end(), word) == kPreprocessor.end();
}

size_t count_of(std::string_view s, std::string_view needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string_view::npos; p = s.find(needle, p + needle.size())) ++n;
  return n;
}

bool line_comment_start(std::string_view t) {
  if (t.starts_with("//") || t.starts_with("<!--") || t.starts_with(";") || t.starts_with("%") ||
      t.starts_with("/*") || t == "*" || t.starts_with("* ") || t.starts_with("*/")) {
    return true;
  }
  if (t.starts_with("--") && (t.size() == 2 || t[2] == ' ' || t[2] == '-')) return true;
  if (t.starts_with("#")) return hash_is_comment(t, true);
  return false;
}

}  // namespace

std::vector<LineKind> classify_lines(const Hunk& hunk) {
  std::vector<LineKind> kinds(hunk.lines.size(), LineKind::code);
  bool in_block = false;   // inside /* */ or <!-- -->
  bool in_triple = false;  // inside a Python-style """ or ''' block
  bool opened_block = false;
  for (size_t i = 0; i < hunk.lines.size(); ++i) {
    std::string_view t = ltrim(hunk.lines[i].content);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    if (in_block) {
      kinds[i] = LineKind::comment;
      if (t.find("*/") != std::string_view::npos || t.find("-->") != std::string_view::npos) in_block = false;
      continue;
    }
    if (in_triple) {
      kinds[i] = LineKind::comment;
      if (count_of(t, "\"\"\"") % 2 == 1 || count_of(t, "'''") % 2 == 1) in_triple = false;
      continue;
    }
    if (t.empty()) {
      kinds[i] = LineKind::blank;
      continue;
    }
    size_t close = t.find("*/");
    size_t open = t.find("/*");
    if (!opened_block && close != std::string_view::npos && (open == std::string_view::npos || open > close)) {
      // The hunk starts inside a block comment: everything so far was in it.
      for (size_t j = 0; j <= i; ++j) {
        if (kinds[j] != LineKind::blank) kinds[j] = LineKind::comment;
      }
      opened_block = true;
      continue;
    }
    bool comment = line_comment_start(t);
    bool triple_start = t.starts_with("\"\"\"") || t.starts_with("'''") || t.starts_with("r\"\"\"");
    kinds[i] = (comment || triple_start) ? LineKind::comment : LineKind::code;
    if (open != std::string_view::npos && t.find("*/", open + 2) == std::string_view::npos) {
      in_block = opened_block = true;
    }
    size_t html = t.find("<!--");
    if (html != std::string_view::npos && t.find("-->", html + 4) == std::string_view::npos) {
      in_block = opened_block = true;
    }
    if (count_of(t, "\"\"\"") % 2 == 1 || count_of(t, "'''") % 2 == 1) in_triple = true;
  }
  return kinds;
}

std::vector<Token> tokenize(std::string_view s, bool keep_strings) {
  std::vector<Token> out;
  size_t i = 0;
  bool at_start = true;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    std::string_view rest = s.substr(i);
    if (rest.starts_with("//") || rest.starts_with("<!--") ||
        (c == '#' && hash_is_comment(rest, at_start)) ||
        (rest.starts_with("-- ") && (i == 0 || std::isspace(static_cast<unsigned char>(s[i - 1]))))) {
      break;  // comment to end of line
    }
    at_start = false;
    if (rest.starts_with("/*")) {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 2;
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      bool triple = rest.size() >= 3 && rest[1] == c && rest[2] == c;
      size_t j = i + (triple ? 3 : 1);
      size_t content_start = j;
      while (j < s.size()) {
        if (s[j] == '\\') {
          j += 2;
          continue;
        }
        if (s[j] == static_cast<char>(c) &&
            (!triple || (j + 2 < s.size() && s[j + 1] == static_cast<char>(c) && s[j + 2] == static_cast<char>(c)))) {
          break;
        }
        ++j;
      }
      size_t content_end = std::min(j, s.size());
      std::string text = keep_strings ? "\"" + std::string(s.substr(content_start, content_end - content_start)) + "\""
                                      : "\"…\"";
      out.push_back({TokenKind::string, std::move(text)});
      i = j >= s.size() ? s.size() : j + (triple ? 3 : 1);
      continue;
    }
    if (std::isdigit(c) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '_')) ++j;
      out.push_back({TokenKind::number, std::string(s.substr(i, j - i))});
      i = j;
      continue;
    }
    if (ident_start(c)) {
      size_t j = i + 1;
      while (j < s.size() && ident_char(static_cast<unsigned char>(s[j]))) ++j;
      std::string word(s.substr(i, j - i));
      TokenKind kind = TokenKind::identifier;
      if (std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end()) kind = TokenKind::keyword;
      if (std::find(kLiterals.begin(), kLiterals.end(), word) != kLiterals.end()) kind = TokenKind::literal;
      out.push_back({kind, std::move(word)});
      i = j;
      continue;
    }
    size_t len = 1;
    for (auto op : kMultiOps) {
      if (rest.starts_with(op)) {
        len = op.size();
        break;
      }
    }
    out.push_back({TokenKind::op, std::string(rest.substr(0, len))});
    i += len;
  }
  return out;
}

bool is_logic_token(const Token& t) {
  switch (t.kind) {
    case TokenKind::number:
    case TokenKind::literal:
    case TokenKind::keyword: return true;
    case TokenKind::op: return std::find(kLogicOps.begin(), kLogicOps.end(), t.text) != kLogicOps.end();
    default: return false;
  }
}

std::string skeleton(std::string_view line) {
  std::string out;
  for (const auto& t : tokenize(line)) {
    if (!out.empty()) out += ' ';
    out += t.text;
  }
  return out;
}

}  // namespace reviewer::intent
