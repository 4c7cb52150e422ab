// Small text helpers shared across layers.
#pragma once

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace reviewer {

// `s` with ASCII letters in lower case; other bytes as they are.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `s` without leading and trailing ASCII whitespace.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Evidence text: control characters become spaces, token-like runs of 20+
// letters/digits mixing both (keys, tokens, hashes) are masked, and the
// result is capped at `max` bytes (with an ellipsis). `keep_layout` keeps
// line breaks and tabs (code and multi-line text). Linear in `s`; never
// throws on invalid UTF-8.
std::string redact(std::string_view s, std::size_t max = 160, bool keep_layout = false);

// A Markdown code span that is safe for any input: redacted, at most 200
// bytes, backticks replaced, so a file name or title cannot open HTML, a
// link or another span.
std::string code_span(std::string_view s);

// The lines of a text file, one at a time, without their "\n" or "\r\n"; a
// last line without a newline counts. Views into `text`, which must outlive
// the splitter.
//   Lines lines(text);
//   for (std::string_view line; lines.next(line);) use(lines.number(), line);
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  int number() const { return number_; }  // 1-based number of the last line returned

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int number_ = 0;
};

}  // namespace reviewer
