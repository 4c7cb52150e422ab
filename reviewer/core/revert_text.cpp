#include "reviewer/core/revert_text.h"

#include <algorithm>

#include "reviewer/core/text.h"

namespace reviewer {

namespace {

// RE2's \s: space, \t, \n, \f, \r.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool is_word(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '_';
}
bool is_hex(char c) {
  const auto u = static_cast<unsigned char>(c | 0x20);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'f');
}

std::string_view skip_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

// What follows `Revert` and the whitespace after it, or nullopt.
std::optional<std::string_view> after_revert(std::string_view title) {
  title = skip_space(title);
  constexpr std::string_view kRevert = "Revert";
  if (!title.starts_with(kRevert)) return std::nullopt;
  title.remove_prefix(kRevert.size());
  if (title.empty() || !is_space(title.front())) return std::nullopt;
  return skip_space(title);
}

}  // namespace

bool starts_as_revert_title(std::string_view title) {
  auto rest = after_revert(title);
  return rest && rest->starts_with('"');
}

std::optional<std::string> reverted_title(std::string_view title) {
  auto rest = after_revert(title);
  if (!rest || !rest->starts_with('"')) return std::nullopt;
  std::string_view s = *rest;
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.size() < 3 || s.back() != '"') return std::nullopt;
  std::string_view inner = s.substr(1, s.size() - 2);
  if (inner.find('\n') != std::string_view::npos) return std::nullopt;
  return std::string(inner);
}

std::vector<std::string> reverted_shas(std::string_view text, std::size_t max) {
  constexpr std::string_view kPhrase = "this reverts commit ";
  const std::string folded = lower(text);
  std::vector<std::string> out;
  for (std::size_t at = folded.find(kPhrase); at != std::string::npos && out.size() < max;
       at = folded.find(kPhrase, at + 1)) {
    if (at > 0 && is_word(folded[at - 1])) continue;
    const std::size_t from = at + kPhrase.size();
    std::size_t end = from;
    while (end < folded.size() && is_word(folded[end])) ++end;
    const std::size_t n = end - from;
    if (n < 7 || n > 40 || !std::all_of(folded.begin() + from, folded.begin() + end, is_hex)) continue;
    std::string sha = folded.substr(from, n);
    if (std::find(out.begin(), out.end(), sha) == out.end()) out.push_back(std::move(sha));
  }
  return out;
}

}  // namespace reviewer
