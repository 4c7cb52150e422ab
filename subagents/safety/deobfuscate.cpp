#include "subagents/safety/deobfuscate.h"

#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

namespace reviewer::safety {

namespace {

constexpr char32_t kNone = 0xFFFFFFFF;

// An identifier of this many words or more is read as words (session 26;
// three split "override systemMessageDescription" into an instruction).
constexpr std::size_t kIdentifierWords = 4;

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
  static constexpr std::array<std::pair<char32_t, char>, 93> kSet{{
      {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'}, {0x0399, 'I'}, {0x039A, 'K'},
      {0x039C, 'M'}, {0x039D, 'N'}, {0x039F, 'O'}, {0x03A1, 'P'}, {0x03A4, 'T'}, {0x03A5, 'Y'}, {0x03A7, 'X'},
      {0x03BF, 'o'}, {0x0405, 'S'}, {0x0406, 'I'}, {0x0408, 'J'}, {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'},
      {0x041A, 'K'}, {0x041C, 'M'}, {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'}, {0x0422, 'T'},
      {0x0425, 'X'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0443, 'y'},
      {0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04BB, 'h'}, {0x04CF, 'l'}, {0x0501, 'd'},
      {0x051B, 'q'}, {0x051D, 'w'}, {0x03B9, 'i'},
      // Greek small letters that pass for Latin ones (session 26).
      {0x03B1, 'a'}, {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03C1, 'p'}, {0x03C5, 'u'}, {0x03C7, 'x'},
      // Armenian (session 26: "Ignօre" with Armenian օ).
      {0x0555, 'O'}, {0x0585, 'o'}, {0x054D, 'U'}, {0x057D, 'u'}, {0x054F, 'S'}, {0x053C, 'L'}, {0x0581, 'g'},
      {0x0570, 'h'}, {0x0578, 'n'}, {0x0566, 'q'}, {0x0563, 'q'}, {0x0575, 'j'},
      // Cherokee capitals that show a Latin letter (their small forms, U+AB70 on, map through them).
      {0x13A0, 'D'}, {0x13A1, 'R'}, {0x13A2, 'T'}, {0x13A5, 'i'}, {0x13A9, 'y'}, {0x13AA, 'A'}, {0x13AB, 'J'},
      {0x13AC, 'E'}, {0x13B3, 'W'}, {0x13B7, 'M'}, {0x13BB, 'H'}, {0x13C0, 'G'}, {0x13C2, 'h'}, {0x13C3, 'Z'},
      {0x13CF, 'b'}, {0x13D2, 'R'}, {0x13D4, 'W'}, {0x13D5, 'S'}, {0x13D9, 'V'}, {0x13DA, 'S'}, {0x13DE, 'L'},
      {0x13DF, 'C'}, {0x13E2, 'P'}, {0x13E6, 'K'}, {0x13E7, 'd'}, {0x13F3, 'G'}, {0x13F4, 'B'},
      // IPA letters drawn as Latin ones.
      {0x0251, 'a'}, {0x0261, 'g'}, {0x0269, 'i'}}};
  // Cherokee small letters (U+AB70-ABBF) are the capitals U+13A0-13EF drawn small.
  if (c >= 0xAB70 && c <= 0xABBF) c = c - 0xAB70 + 0x13A0;
  for (const auto& [cp, ch] : kSet) {
    if (cp == c) return static_cast<char32_t>(ch);
  }
  return kNone;
}

// The base letter of a precomposed Latin letter with diacritics or a
// stroke (what NFKD leaves first, when that is an ASCII letter: "ó" → o,
// "ř" → r, "ạ" → a, "ø" → o), or 0. Latin-1 Supplement, Latin Extended-A
// and -B (U+00C0-024F) and Latin Extended Additional (U+1E00-1EFF); '.'
// marks a character that is no such letter (×, æ, ß, ŋ, ...).
char accent_base(char32_t c) {
  static constexpr std::string_view kLatin =
      "AAAAAA.CEEEEIIII.NOOOOO.OUUUUY..aaaaaa.ceeeeiiii.nooooo.ouuuuy.y"
      "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi..JjKk.LlLlLl."
      ".LlNnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz."
      "b......................I..l.....Oo.............Uu.....z........."
      ".............AaIiOoUuUuUuUuUu.AaAa....GgKkOoOo..j...Gg..NnAa...."
      "AaAaEeEeIiIiOoOoRrRrUuUuSsTt..Hh......AaEeOoOoOoOoYy............"
      "................";
  static constexpr std::string_view kAdditional =
      "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm"
      "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv"
      "WwWwWwWwWwXxXxYyZzZzZzhtwy.s....AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe"
      "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy......";
  static_assert(kLatin.size() == 0x250 - 0xC0 && kAdditional.size() == 0x100);
  char b = '.';
  if (c >= 0xC0 && c < 0x250) b = kLatin[c - 0xC0];
  else if (c >= 0x1E00 && c < 0x1F00) b = kAdditional[c - 0x1E00];
  return b == '.' ? 0 : b;
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

// An identifier's words: its parts between underscores and at case changes
// ("ignore_previous_instructions", "shouldNotComment", "HTTPServerError"
// → HTTP Server Error). Each part counts only when it is two characters or
// more, so base64 and hex runs are not words.
template <typename F>
bool identifier_parts(std::string_view id, F&& part) {
  std::size_t n = 0;
  std::size_t start = 0;
  auto cut = [&](std::size_t end) {
    if (end > start) {
      if (end - start < 2) return false;
      part(id.substr(start, end - start));
      ++n;
    }
    return true;
  };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (id[i] == '_') {
      if (!cut(i)) return false;
      start = i + 1;
    } else if (i > start && upper(id[i]) &&
               (lower(id[i - 1]) || (upper(id[i - 1]) && i + 1 < id.size() && id[i + 1] >= 'a' && id[i + 1] <= 'z'))) {
      if (!cut(i)) return false;
      start = i;
    }
  }
  return cut(id.size()) && n >= kIdentifierWords;
}

bool word_char(char c) { return ascii_alnum(c) || c == '_'; }

}  // namespace

bool has_long_identifier(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (!word_char(s[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    std::size_t marks = 0;  // underscores and lower-to-upper changes: a cheap bound before the parts are cut
    while (end < s.size() && word_char(s[end])) {
      const bool up = s[end] >= 'A' && s[end] <= 'Z';
      marks += s[end] == '_' || (end > i && up && s[end - 1] >= 'a' && s[end - 1] <= 'z') ||
               (end > i && up && s[end - 1] >= 'A' && s[end - 1] <= 'Z' && end + 1 < s.size() && s[end + 1] >= 'a' &&
                s[end + 1] <= 'z');
      ++end;
    }
    if (marks + 1 >= kIdentifierWords && identifier_parts(s.substr(i, end - i), [](std::string_view) {})) return true;
    i = end;
  }
  return false;
}

std::string identifier_words(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (std::size_t i = 0; i < s.size();) {
    if (!word_char(s[i])) {
      out += s[i++];
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && word_char(s[end])) ++end;
    const std::string_view id = s.substr(i, end - i);
    std::string words;
    if (identifier_parts(id, [&](std::string_view w) {
          if (!words.empty()) words += ' ';
          words.append(w);
        })) {
      out += words;
    } else {
      out.append(id);
    }
    i = end;
  }
  return out;
}

bool has_accents(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0xC3 || (b > 0xC9 && b != 0xE1)) continue;
    const auto [cp, n] = decode_utf8(s, i);
    if (cp != kNone && accent_base(cp) != 0) return true;
  }
  return false;
}

std::string fold_accents(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += s[i++];
      continue;
    }
    const auto [cp, n] = decode_utf8(s, i);
    if (const char base = cp == kNone ? 0 : accent_base(cp); base != 0) out += base;
    else out.append(s.substr(i, n));
    i += n;
  }
  return latin_words(out);
}

std::optional<std::string> rot13_reading(std::string_view s) {
  bool named = false;
  for (std::size_t i = 0; !named && i + 5 <= s.size(); ++i) {
    if ((s[i] | 0x20) != 'r' || (s[i + 1] | 0x20) != 'o' || (s[i + 2] | 0x20) != 't') continue;
    std::size_t k = i + 3;
    if (s[k] == '-' || s[k] == '_' || s[k] == ' ') ++k;
    named = k + 2 <= s.size() && s[k] == '1' && s[k + 1] == '3';
  }
  if (!named) return std::nullopt;
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>('a' + (ch - 'a' + 13) % 26);
    else if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>('A' + (ch - 'A' + 13) % 26);
  }
  return out;
}

std::optional<std::string_view> BlockReader::next(std::string_view line, bool follows) {
  if (!follows) open_ = Open::none;
  auto find = [&](std::string_view what, std::size_t from = 0) { return line.find(what, from); };
  if (open_ == Open::none) {
    // A docstring or block comment opened and not closed on this line.
    for (auto [mark, kind] : {std::pair{std::string_view("\"\"\""), Open::dq}, std::pair{std::string_view("\x27\x27\x27"), Open::sq},
                              std::pair{std::string_view("/*"), Open::c}}) {
      const std::size_t at = find(mark);
      if (at == std::string_view::npos) continue;
      // "/*" opens a comment after a space or code's end, not inside a glob ("src/**/*.js").
      if (kind == Open::c && at > 0 && line[at - 1] != ' ' && line[at - 1] != '\t' && line[at - 1] != ';' &&
          line[at - 1] != ')' && line[at - 1] != '{' && line[at - 1] != '}') {
        continue;
      }
      const std::string_view close = kind == Open::c ? std::string_view("*/") : mark;
      if (find(close, at + mark.size()) != std::string_view::npos) return std::nullopt;
      open_ = kind;
      std::string_view rest = line.substr(at + mark.size());
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '*')) rest.remove_prefix(1);
      return rest;
    }
    return std::nullopt;
  }
  const std::string_view close = open_ == Open::dq ? "\"\"\"" : open_ == Open::sq ? "\x27\x27\x27" : "*/";
  std::string_view body = line;
  if (const std::size_t at = find(close); at != std::string_view::npos) {
    open_ = Open::none;
    // Text after the close (` */ // Note for the reviewer: ...`) is read
    // with the block's end, never dropped: the whole line, trimmed.
    if (line.find_first_not_of(" \t", at + close.size()) != std::string_view::npos) {
      const std::size_t first = line.find_first_not_of(" \t");
      return line.substr(first);
    }
    body = line.substr(0, at);
  }
  if (const auto marked = comment_body(body)) return marked;
  const std::size_t first = body.find_first_not_of(" \t");
  return first == std::string_view::npos ? std::string_view() : body.substr(first);
}

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
  return has_long_identifier(s);
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
  if (has_long_identifier(out)) out = identifier_words(out);
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
