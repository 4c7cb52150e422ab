#include "subagents/intent/text.h"

#include <re2/re2.h>

namespace reviewer::intent {

namespace {

bool is_word(unsigned char c) { return std::isalnum(c) || c == '_'; }

}  // namespace

std::string strip_html_comments(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t open = s.find("<!--", i);
    if (open == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, open - i));
    size_t close = s.find("-->", open + 4);
    if (close == std::string_view::npos) break;  // unterminated: hidden to the end
    i = close + 3;
  }
  return out;
}

size_t search_at(const Regex& re, std::string_view text, std::string* match) {
  if (!re) return std::string_view::npos;
  re2::StringPiece input(text.data(), text.size());
  re2::StringPiece m;
  if (!re->Match(input, 0, input.size(), RE2::UNANCHORED, &m, 1)) return std::string_view::npos;
  if (match) match->assign(m.data(), m.size());
  return static_cast<size_t>(m.data() - text.data());
}

bool search(const Regex& re, std::string_view text, std::string* match) {
  return search_at(re, text, match) != std::string_view::npos;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !is_word(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && is_word(s[j])) ++j;
    if (j > i) out.push_back(lower(s.substr(i, j - i)));
    i = j;
  }
  return out;
}

std::string stem(std::string_view word) {
  std::string w = lower(word);
  auto drop = [&](std::string_view suffix, size_t keep) {
    if (w.size() >= suffix.size() + keep && w.ends_with(suffix)) {
      w.resize(w.size() - suffix.size());
      return true;
    }
    return false;
  };
  if (drop("ies", 3)) {
    w += 'y';
  } else if (w.ends_with("sses") || w.ends_with("xes") || w.ends_with("zes") || w.ends_with("ches") ||
             w.ends_with("shes")) {
    drop("es", 3);
  } else if (!w.ends_with("ss")) {
    drop("s", 3);
  }
  if (!drop("ing", 3)) drop("ed", 3);
  return w;
}

}  // namespace reviewer::intent
