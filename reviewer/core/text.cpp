#include "reviewer/core/text.h"

#include <algorithm>

namespace reviewer {

std::string redact(std::string_view s, std::size_t max, bool keep_layout) {
  std::string out;
  out.reserve(std::min(s.size(), max) + 8);
  std::size_t i = 0;
  while (i < s.size() && out.size() < max) {
    unsigned char c = s[i];
    if (std::isalnum(c) || c == '+' || c == '/' || c == '_' || c == '-' || c == '=') {
      std::size_t j = i;
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
      std::size_t longest = 0, cur = 0;
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
    std::size_t cut = std::min(out.size(), max);
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

std::string code_span(std::string_view s) {
  std::string clean = redact(s, 200);
  for (char& c : clean) {
    if (c == '`') c = '\'';
  }
  return "`" + clean + "`";
}

}  // namespace reviewer
