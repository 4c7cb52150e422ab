#include "subagents/safety/deobfuscate.h"

#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

namespace reviewer::safety {

namespace {

constexpr char32_t kNone = 0xFFFFFFFF;

// One UTF-8 character at s[i]: its code point and length, or kNone with
// length 1 for a byte that starts no valid sequence.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t n = b0 >= 0xF0 && b0 < 0xF5 ? 4 : b0 >= 0xE0 && b0 < 0xF0 ? 3 : b0 >= 0xC2 && b0 < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return {kNone, 1};
  char32_t cp = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {kNone, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {kNone, 1};
  }
  return {cp, n};
}

bool ascii_alpha(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }

// Characters that render as nothing inside a word: format characters,
// variation selectors, tags, Hangul fillers.
bool invisible(char32_t c) {
  return c == 0xAD || c == 0x61C || c == 0x180E || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || (c >= 0xFE00 && c <= 0xFE0F) || c == 0x115F ||
         c == 0x1160 || c == 0x3164 || c == 0xFFA0 || (c >= 0xE0000 && c <= 0xE007F) || (c >= 0xE0100 && c <= 0xE01EF);
}

bool space_like(char32_t c) {
  return c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// The ASCII character a styled letter stands for, or kNone: fullwidth
// forms, and the Mathematical Alphanumeric Symbols (13 alphabets of 52
// letters from U+1D400, dotless i and j, 5 sets of 10 digits from U+1D7CE).
char32_t plain(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
  if (c >= 0x1D400 && c <= 0x1D6A3) {
    const char32_t k = (c - 0x1D400) % 52;
    return k < 26 ? U'A' + k : U'a' + (k - 26);
  }
  if (c == 0x1D6A4) return U'i';
  if (c == 0x1D6A5) return U'j';
  if (c >= 0x1D7CE && c <= 0x1D7FF) return U'0' + (c - 0x1D7CE) % 10;
  // Letters that case-fold to an ASCII one, or stand for it, where RE2's
  // (?i) does not fold them: Turkish dotted capital I and dotless i, the
  // long s, the Kelvin sign ("İgnore", "ıgnore", "preſent").
  switch (c) {
    case 0x130: return U'I';
    case 0x131: return U'i';
    case 0x17F: return U's';
    case 0x212A: return U'K';
    default: return kNone;
  }
}

// A Cyrillic or Greek letter that looks like a Latin one (the hidden-text
// rule's set), and the Latin letter it shows; kNone for any other.
char32_t latin_lookalike(char32_t c) {
  static constexpr std::array<std::pair<char32_t, char>, 45> kSet{{
      {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'}, {0x0399, 'I'}, {0x039A, 'K'},
      {0x039C, 'M'}, {0x039D, 'N'}, {0x039F, 'O'}, {0x03A1, 'P'}, {0x03A4, 'T'}, {0x03A5, 'Y'}, {0x03A7, 'X'},
      {0x03BF, 'o'}, {0x0405, 'S'}, {0x0406, 'I'}, {0x0408, 'J'}, {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'},
      {0x041A, 'K'}, {0x041C, 'M'}, {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'}, {0x0422, 'T'},
      {0x0425, 'X'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0443, 'y'},
      {0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04BB, 'h'}, {0x04CF, 'l'}, {0x0501, 'd'},
      {0x051B, 'q'}, {0x051D, 'w'}, {0x03B9, 'i'}}};
  for (const auto& [cp, ch] : kSet) {
    if (cp == c) return static_cast<char32_t>(ch);
  }
  return kNone;
}

bool combining_mark(char32_t c) { return c >= 0x300 && c <= 0x36F; }

bool changes(char32_t c) { return invisible(c) || space_like(c) || plain(c) != kNone; }

// Look-alike letters read as the Latin ones they show, in words that mix
// them with ASCII letters and hold no other letter outside ASCII
// ("іgnоre" with Cyrillic і and о); a Cyrillic or Greek word (no ASCII
// letter) is left as it is.
std::string latin_words(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80 && !ascii_alpha(s[i])) {
      out += s[i++];
      continue;
    }
    // A word: ASCII letters and characters outside ASCII.
    std::size_t end = i;
    bool ascii = false;
    bool mixed = false;
    bool other = false;
    while (end < s.size()) {
      const auto e = static_cast<unsigned char>(s[end]);
      if (e < 0x80) {
        if (!ascii_alpha(s[end])) break;
        ascii = true;
        ++end;
        continue;
      }
      auto [cp, n] = decode_utf8(s, end);
      if (cp == kNone || space_like(cp)) break;
      (latin_lookalike(cp) != kNone ? mixed : other) = true;
      end += n;
    }
    if (end == i) {  // a byte that starts no word (invalid UTF-8, a space)
      out += s[i++];
      continue;
    }
    if (!(ascii && mixed && !other)) {
      out.append(s.substr(i, end - i));
    } else {
      for (std::size_t k = i; k < end;) {
        auto [cp, n] = decode_utf8(s, k);
        if (const char32_t l = latin_lookalike(cp); l != kNone) out += static_cast<char>(l);
        else out.append(s.substr(k, n));
        k += n;
      }
    }
    i = end;
  }
  return out;
}

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

bool ascii_alnum(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

// An HTML character reference at s[i] ('&'): its code point and length.
std::pair<char32_t, std::size_t> entity(std::string_view s, std::size_t i) {
  static constexpr std::array<std::pair<std::string_view, char32_t>, 6> kNamed{
      {{"amp;", U'&'}, {"lt;", U'<'}, {"gt;", U'>'}, {"quot;", U'"'}, {"apos;", U'\''}, {"nbsp;", U' '}}};
  std::string_view rest = s.substr(i + 1);
  if (rest.size() > 1 && rest[0] == '#') {
    const bool hex = rest[1] == 'x' || rest[1] == 'X';
    std::size_t k = hex ? 2 : 1;
    char32_t cp = 0;
    const std::size_t first = k;
    for (; k < rest.size() && k < first + 7; ++k) {
      const int v = hex ? hex_value(rest[k]) : (rest[k] >= '0' && rest[k] <= '9' ? rest[k] - '0' : -1);
      if (v < 0) break;
      cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(v);
    }
    if (k > first && k < rest.size() && rest[k] == ';' && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
      return {cp, k + 2};
    }
    return {kNone, 1};
  }
  for (const auto& [name, cp] : kNamed) {
    if (rest.starts_with(name)) return {cp, name.size() + 1};
  }
  return {kNone, 1};
}

// A \uXXXX escape at s[i] ('\\'), a surrogate pair of two as one
// character: its code point and length.
std::pair<char32_t, std::size_t> escape(std::string_view s, std::size_t i) {
  auto unit = [&](std::size_t at) -> long {
    if (at + 6 > s.size() || s[at] != '\\' || s[at + 1] != 'u') return -1;
    long v = 0;
    for (std::size_t k = at + 2; k < at + 6; ++k) {
      const int h = hex_value(s[k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  };
  const long u = unit(i);
  if (u < 0) return {kNone, 1};
  if (u >= 0xD800 && u <= 0xDBFF) {
    const long low = unit(i + 6);
    if (low >= 0xDC00 && low <= 0xDFFF) {
      return {static_cast<char32_t>(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)), 12};
    }
    return {kNone, 1};
  }
  if (u >= 0xDC00 && u <= 0xDFFF) return {kNone, 1};
  return {static_cast<char32_t>(u), 6};
}

// Leetspeak: a digit inside a word of letters read as the letter it mimics.
char leet(char ch) {
  switch (ch) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    default: return ch;
  }
}

// Prose marks dropped and words with leetspeak digits read as letters.
std::string prose(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char ch = s[i];
    if (ch == '*' || ch == '`') {
      ++i;
      continue;
    }
    // `_` marks emphasis at a word's edge; inside snake_case it is a letter.
    if (ch == '_' && !(i > 0 && ascii_alnum(s[i - 1]) && i + 1 < s.size() && ascii_alnum(s[i + 1]))) {
      ++i;
      continue;
    }
    if (!ascii_alnum(ch)) {
      out += ch;
      ++i;
      continue;
    }
    std::size_t end = i;
    bool letter = false;
    while (end < s.size() && ascii_alnum(s[end])) letter |= ascii_alpha(s[end++]);
    for (std::size_t k = i; k < end; ++k) out += letter ? leet(s[k]) : s[k];
    i = end;
  }
  return out;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool foldable(std::string_view s, Reading how) {
  for (std::size_t i = 0; i < s.size();) {
    const char ch = s[i];
    const auto b = static_cast<unsigned char>(ch);
    if (b >= 0x80) {
      auto [cp, n] = decode_utf8(s, i);
      if (cp != kNone && changes(cp)) return true;
      const bool after_letter = i > 0 && ascii_alpha(s[i - 1]);
      if (cp != kNone && (latin_lookalike(cp) != kNone || combining_mark(cp)) &&
          (after_letter || (latin_lookalike(cp) != kNone && i + n < s.size() && ascii_alpha(s[i + n])))) {
        return true;
      }
      i += n;
      continue;
    }
    if (ch == '&' && entity(s, i).first != kNone) return true;
    if (ch == '\\' && escape(s, i).first != kNone) return true;
    if (how == Reading::prose) {
      if (ch == '*' || ch == '`' || ch == '_') return true;
      // A digit that leet() maps, next to a letter.
      if (leet(ch) != ch && ((i > 0 && ascii_alpha(s[i - 1])) || (i + 1 < s.size() && ascii_alpha(s[i + 1])))) {
        return true;
      }
    }
    ++i;
  }
  return false;
}

std::string fold(std::string_view s, Reading how) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = kNone;
    std::size_t n = 1;
    if (s[i] == '&') std::tie(cp, n) = entity(s, i);
    else if (s[i] == '\\') std::tie(cp, n) = escape(s, i);
    else if (static_cast<unsigned char>(s[i]) >= 0x80) std::tie(cp, n) = decode_utf8(s, i);
    if (cp == kNone) {
      out += s[i];
      i += 1;
      continue;
    }
    i += n;
    // A run of tag characters spells ASCII text a model reads (and a
    // person does not see): eight or more are read as that text, set off
    // by spaces. Shorter runs (an emoji flag's tags) are dropped below.
    if (cp >= 0xE0020 && cp <= 0xE007E) {
      std::string text(1, static_cast<char>(cp - 0xE0000));
      std::size_t j = i;
      for (;;) {
        if (j >= s.size() || static_cast<unsigned char>(s[j]) < 0x80) break;
        auto [next, len] = decode_utf8(s, j);
        if (next < 0xE0020 || next > 0xE007E) break;
        text += static_cast<char>(next - 0xE0000);
        j += len;
      }
      if (text.size() >= 8) {
        out += ' ';
        out += text;
        out += ' ';
        i = j;
        continue;
      }
    }
    if (invisible(cp)) continue;
    // A combining mark on an ASCII letter ("i̇gnore": İ lowercased) is dropped.
    if (combining_mark(cp) && !out.empty() && ascii_alpha(out.back())) continue;
    if (space_like(cp)) cp = U' ';
    if (const char32_t p = plain(cp); p != kNone) cp = p;
    append_utf8(out, cp);
  }
  out = latin_words(out);
  return how == Reading::prose ? prose(out) : out;
}

std::optional<std::string_view> comment_body(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(i);
  std::size_t marker = 0;
  if (rest.starts_with("<!--")) marker = 4;
  else if (rest.starts_with("//") || rest.starts_with("/*") || rest.starts_with("--")) marker = 2;
  else if (rest[0] == '#' || rest[0] == ';' || rest[0] == '%') marker = 1;
  // A '*' continues a block comment only when a space or nothing follows
  // ("* text"), not in code ("*ptr = 0").
  else if (rest[0] == '*' && (rest.size() == 1 || rest[1] == ' ' || rest[1] == '\t')) marker = 1;
  if (marker == 0) return std::nullopt;
  rest.remove_prefix(marker);
  while (!rest.empty() && (rest.front() == '/' || rest.front() == '*' || rest.front() == '#' || rest.front() == '!' ||
                           rest.front() == ' ' || rest.front() == '\t')) {
    rest.remove_prefix(1);
  }
  for (std::string_view close : {"*/", "-->"}) {
    if (rest.ends_with(close)) rest.remove_suffix(close.size());
  }
  return rest;
}

bool prose_path(std::string_view path) {
  for (std::string_view ext : {".md", ".markdown", ".txt", ".rst", ".adoc"}) {
    if (path.size() > ext.size()) {
      std::string_view tail = path.substr(path.size() - ext.size());
      bool same = true;
      for (std::size_t k = 0; k < ext.size(); ++k) {
        same &= (tail[k] | 0x20) == ext[k] || tail[k] == ext[k];
      }
      if (same) return true;
    }
  }
  return false;
}

std::string name_words(std::string_view name) {
  std::string spaced(name);
  for (char& ch : spaced) {
    if (ch == '/' || ch == '-' || ch == '_' || ch == '.') ch = ' ';
  }
  return fold(spaced, Reading::prose);
}

}  // namespace reviewer::safety
