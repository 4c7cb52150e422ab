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

}  // namespace reviewer
