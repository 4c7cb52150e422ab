#include "subagents/intent/text.h"

#include <re2/re2.h>

namespace reviewer::intent {

namespace {

bool is_word(unsigned char c) { return std::isalnum(c) || c == '_'; }

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string redact(std::string_view s, size_t max, bool keep_layout) {
  std::string out;
  out.reserve(std::min(s.size(), max) + 8);
  size_t i = 0;
  while (i < s.size() && out.size() < max) {
    unsigned char c = s[i];
    if (std::isalnum(c) || c == '+' || c == '/' || c == '_' || c == '-' || c == '=') {
      size_t j = i;
      bool alpha = false, digit = false;
      while (j < s.size()) {
        unsigned char d = s[j];
        if (!(std::isalnum(d) || d == '+' || d == '/' || d == '_' || d == '-' || d == '=')) break;
        alpha |= std::isalpha(d) != 0;
        digit |= std::isdigit(d) != 0;
        ++j;
      }
      std::string_view run = s.substr(i, j - i);
      // Paths are long too, but a path has separators every few characters;
      // a secret is one long unbroken run of letters and digits.
      size_t longest = 0, cur = 0;
      for (unsigned char d : run) {
        cur = std::isalnum(d) ? cur + 1 : 0;
        longest = std::max(longest, cur);
      }
      if (alpha && digit && longest >= 20) {
        out += "[redacted]";
      } else {
        out.append(run);
      }
      i = j;
      continue;
    }
    const bool layout = keep_layout && (c == '\n' || c == '\t');
    out += ((c < 0x20 && !layout) || c == 0x7f) ? ' ' : static_cast<char>(c);
    ++i;
  }
  if (i < s.size() || out.size() > max) {
    // Cut on a UTF-8 character boundary.
    size_t cut = std::min(out.size(), max);
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

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

std::string code_span(std::string_view s) {
  std::string clean = redact(s, 200);
  for (char& c : clean) {
    if (c == '`') c = '\'';
  }
  return "`" + clean + "`";
}

}  // namespace reviewer::intent
