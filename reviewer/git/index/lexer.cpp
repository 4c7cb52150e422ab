#include "reviewer/git/index/lexer.h"

#include <algorithm>
#include <string>

namespace reviewer::index {

namespace {

bool ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}
bool ident_char(unsigned char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  Lexer(Lang lang, std::string_view src, std::vector<Comment>* comments, std::uint32_t first_line)
      : lang_(lang), s_(src), comments_(comments), line_(first_line) {}

  std::vector<Token> run() {
    out_.reserve(s_.size() / 5);
    while (i_ < s_.size()) step();
    return std::move(out_);
  }

 private:
  bool c_comments() const {
    return lang_ == Lang::c || lang_ == Lang::js || lang_ == Lang::go || lang_ == Lang::java ||
           lang_ == Lang::rust;
  }
  bool hash_comments() const {
    return lang_ == Lang::python || lang_ == Lang::ruby || lang_ == Lang::data ||
           lang_ == Lang::unknown;
  }
  char at(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  void newline() {
    ++line_;
    line_start_ = i_ + 1;
  }
  std::uint32_t col(size_t pos) const { return static_cast<std::uint32_t>(pos - line_start_); }

  void emit(TokKind k, size_t begin, size_t end, std::uint32_t line, std::uint32_t col) {
    out_.push_back(Token{k, line, col, s_.substr(begin, end - begin)});
  }

  void comment(size_t begin, size_t end, std::uint32_t line) {
    if (comments_) comments_->push_back(Comment{line, s_.substr(begin, end - begin)});
  }

  void line_comment(size_t marker_len) {
    size_t begin = i_ + marker_len;
    size_t end = s_.find('\n', begin);
    if (end == std::string_view::npos) end = s_.size();
    comment(begin, end, line_);
    i_ = end;  // the newline itself is handled by step()
  }

  void block_comment() {
    std::uint32_t start_line = line_;
    size_t begin = i_ + 2;
    i_ = begin;
    while (i_ < s_.size() && !(s_[i_] == '*' && at(i_ + 1) == '/')) {
      if (s_[i_] == '\n') newline();
      ++i_;
    }
    comment(begin, i_, start_line);
    i_ = i_ < s_.size() ? i_ + 2 : s_.size();
  }

  // A quoted string starting at i_ (the quote). Escapes skip one byte.
  // Single-line quotes stop at the end of the line (robust to garbage).
  void quoted(char q, bool multiline, size_t quote_len = 1) {
    std::uint32_t start_line = line_, start_col = col(i_);
    size_t begin = i_ + quote_len;
    i_ = begin;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\\' && !(q == '`' && lang_ == Lang::go)) {
        if (at(i_ + 1) == '\n') newline();
        i_ += 2;
        continue;
      }
      if (c == q && (quote_len == 1 || (at(i_ + 1) == q && at(i_ + 2) == q))) break;
      if (c == '\n') {
        if (!multiline) break;
        newline();
      }
      ++i_;
    }
    size_t end = i_ < s_.size() ? i_ : s_.size();
    emit(TokKind::string, begin, end, start_line, start_col);
    if (i_ < s_.size() && s_[i_] == q) i_ += quote_len;
  }

  // C++ R"delim( ... )delim" and Rust r#" ... "#: no escapes inside.
  void raw_until(std::string_view terminator, size_t content_begin) {
    std::uint32_t start_line = line_, start_col = col(i_);
    size_t end = s_.find(terminator, content_begin);
    if (end == std::string_view::npos) end = s_.size();
    for (size_t k = content_begin; k < end; ++k) {
      if (s_[k] == '\n') {
        i_ = k;
        newline();
      }
    }
    emit(TokKind::string, content_begin, end, start_line, start_col);
    i_ = std::min(s_.size(), end + terminator.size());
  }

  bool try_prefixed_string(size_t ident_begin) {
    std::string_view id = s_.substr(ident_begin, i_ - ident_begin);
    char q = at(i_);
    if (lang_ == Lang::c && q == '"' && !id.empty() && id.back() == 'R' && id.size() <= 3) {
      size_t open = s_.find('(', i_ + 1);
      if (open == std::string_view::npos || open - i_ > 17) return false;
      std::string term = ")" + std::string(s_.substr(i_ + 1, open - i_ - 1)) + "\"";
      raw_until(term, open + 1);
      return true;
    }
    if (lang_ == Lang::rust && (id == "r" || id == "br") && (q == '#' || q == '"')) {
      size_t k = i_;
      while (at(k) == '#') ++k;
      if (at(k) != '"') return false;
      std::string term = "\"" + std::string(k - i_, '#');
      raw_until(term, k + 1);
      return true;
    }
    if (lang_ == Lang::python && id.size() <= 2 && (q == '"' || q == '\'')) {
      for (char c : id) {
        if (std::string_view("rRbBuUfF").find(c) == std::string_view::npos) return false;
      }
      python_string();
      return true;
    }
    return false;
  }

  void python_string() {
    char q = s_[i_];
    if (at(i_ + 1) == q && at(i_ + 2) == q) {
      quoted(q, true, 3);
    } else {
      quoted(q, false);
    }
  }

  // Rust: 'a' is a char, 'a (no closing quote right after) is a lifetime.
  void rust_quote() {
    if (at(i_ + 1) == '\\' || (at(i_ + 2) == '\'' && at(i_ + 1) != '\n')) {
      quoted('\'', false);
    } else {
      ++i_;  // lifetime or label: the name follows as an identifier
    }
  }

  // YAML/properties/INI: the unquoted value after "key:" or "key=" is a string.
  void data_value() {
    size_t k = i_;
    while (k < s_.size() && (s_[k] == ' ' || s_[k] == '\t')) ++k;
    char c = at(k);
    if (c == '\0' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '[' || c == '{' ||
        c == '|' || c == '>' || c == '&' || c == '*' || c == '#') {
      return;
    }
    size_t end = k;
    while (end < s_.size() && s_[end] != '\n' && !(s_[end] == '#' && s_[end - 1] == ' ')) ++end;
    size_t e = end;
    while (e > k && (s_[e - 1] == ' ' || s_[e - 1] == '\r' || s_[e - 1] == '\t' || s_[e - 1] == ',')) --e;
    bool letter = false;
    for (size_t p = k; p < e && !letter; ++p) letter = ident_start(static_cast<unsigned char>(s_[p]));
    if (!letter) return;
    emit(TokKind::string, k, e, line_, col(k));
    i_ = end;
  }

  void step() {
    const char c = s_[i_];
    const auto uc = static_cast<unsigned char>(c);
    if (c == '\n') {
      newline();
      ++i_;
      return;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i_;
      return;
    }
    if (c_comments() && c == '/' && at(i_ + 1) == '/') return line_comment(2);
    if (c_comments() && c == '/' && at(i_ + 1) == '*') return block_comment();
    if (hash_comments() && c == '#' && !(lang_ == Lang::ruby && at(i_ + 1) == '{')) {
      return line_comment(1);
    }
    if (lang_ == Lang::ruby && c == '=' && col(i_) == 0 && s_.substr(i_, 6) == "=begin") {
      size_t end = s_.find("\n=end", i_);
      end = end == std::string_view::npos ? s_.size() : end + 5;
      for (size_t k = i_; k < end; ++k) {
        if (s_[k] == '\n') {
          i_ = k;
          newline();
        }
      }
      i_ = end;
      return;
    }
    if (ident_start(uc)) {
      size_t begin = i_;
      std::uint32_t cl = col(i_);
      while (i_ < s_.size() && (ident_char(static_cast<unsigned char>(s_[i_])) ||
                                (lang_ == Lang::data && s_[i_] == '-'))) {
        ++i_;
      }
      if (try_prefixed_string(begin)) return;
      emit(TokKind::ident, begin, i_, line_, cl);
      return;
    }
    if (digit(uc) || (c == '.' && digit(static_cast<unsigned char>(at(i_ + 1))))) {
      size_t begin = i_;
      std::uint32_t cl = col(i_);
      while (i_ < s_.size()) {
        char d = s_[i_];
        if (ident_char(static_cast<unsigned char>(d)) || d == '.' || (d == '\'' && lang_ == Lang::c)) {
          ++i_;
        } else if ((d == '+' || d == '-') && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E') &&
                   !(s_[begin] == '0' && (at(begin + 1) == 'x' || at(begin + 1) == 'X'))) {
          ++i_;
        } else {
          break;
        }
      }
      emit(TokKind::number, begin, i_, line_, cl);
      return;
    }
    if (c == '"') {
      if (lang_ == Lang::python) return python_string();
      return quoted('"', lang_ == Lang::rust || lang_ == Lang::ruby);
    }
    if (c == '\'') {
      if (lang_ == Lang::python) return python_string();
      if (lang_ == Lang::rust) return rust_quote();
      return quoted('\'', lang_ == Lang::ruby);
    }
    if (c == '`' && (lang_ == Lang::js || lang_ == Lang::go)) return quoted('`', true);
    if (lang_ == Lang::data && (c == ':' || c == '=')) {
      emit(TokKind::punct, i_, i_ + 1, line_, col(i_));
      ++i_;
      data_value();
      return;
    }
    emit(TokKind::punct, i_, i_ + 1, line_, col(i_));
    ++i_;
  }

  Lang lang_;
  std::string_view s_;
  std::vector<Comment>* comments_;
  std::uint32_t line_;
  size_t i_ = 0;
  size_t line_start_ = 0;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> tokenize(Lang lang, std::string_view src, std::vector<Comment>* comments,
                            std::uint32_t first_line) {
  return Lexer(lang, src, comments, first_line).run();
}

}  // namespace reviewer::index
