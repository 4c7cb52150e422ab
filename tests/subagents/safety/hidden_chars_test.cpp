// red17 group D: hidden characters beyond the old short list. Every Unicode
// format character (Cf), the line and paragraph separators, and runs of
// variation selectors are errors in added lines; the legitimate uses that
// are common (a BOM at a file's start, ZWJ in emoji sequences, one variation
// selector after an emoji or a keycap digit, joiners in translation files)
// stay quiet. Fullwidth and mathematical letters spelling words are warnings.
#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "safety_fixtures.h"
#include "subagents/safety/deobfuscate.h"
#include "subagents/safety/safety_agent.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

std::vector<Finding> hidden_scan(const std::string& path, const std::vector<std::string>& lines) {
  return make_safety_agent()->review(context_with({added_lines(path, lines)}));
}

const Finding* hidden_finding(const std::vector<Finding>& fs, const std::string& rule) {
  for (const auto& f : fs) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

std::string utf8(char32_t cp) {
  std::string out;
  safety::append_utf8(out, cp);
  return out;
}

// ASCII text shifted into another block letter by letter (fullwidth forms,
// mathematical bold), as text styled to dodge keyword rules is.
std::string styled(const std::string& ascii, char32_t upper, char32_t lower) {
  std::string out;
  for (char c : ascii) {
    if (c >= 'A' && c <= 'Z') out += utf8(upper + static_cast<char32_t>(c - 'A'));
    else if (c >= 'a' && c <= 'z') out += utf8(lower + static_cast<char32_t>(c - 'a'));
    else out += c;
  }
  return out;
}

const std::string kHidden = "safety/hidden/zero-width-character";
const std::string kStyled = "safety/hidden/styled-letters";

}  // namespace

TEST_SUITE("safety::hidden_chars") {
  TEST_CASE("format characters the old list missed are errors in code") {
    const std::initializer_list<char32_t> missed{0x00AD, 0x200D, 0x200E, 0x200F, 0x061C, 0x206A, 0xFFF9, 0x1D173};
    for (char32_t cp : missed) {
      const auto code = static_cast<std::uint32_t>(cp);
      CAPTURE(code);
      auto fs = hidden_scan("app/config.py", {"if user != \"ad" + utf8(cp) + "min\":"});
      const Finding* f = hidden_finding(fs, kHidden);
      REQUIRE(f);
      CHECK(f->severity == Severity::error);
    }
  }

  TEST_CASE("a right-to-left mark in Hebrew or Arabic text is ordinary") {
    CHECK_FALSE(hidden_finding(hidden_scan("src/messages.js", {"const hello = \"\u05E9\u05DC\u05D5\u05DD" + utf8(0x200F) + "\";"}), kHidden));
    CHECK_FALSE(hidden_finding(hidden_scan("src/messages.js", {"const hi = \"\u0645\u0631\u062D\u0628\u0627" + utf8(0x061C) + "\";"}), kHidden));
    CHECK(hidden_finding(hidden_scan("src/messages.js", {"const admin = \"ad" + utf8(0x200F) + "min\";"}), kHidden));
  }

  TEST_CASE("U+2028 and U+2029 in a JavaScript comment are errors (a line break to JavaScript)") {
    CHECK(hidden_finding(hidden_scan("web/util.js", {"  // default port" + utf8(0x2028) + " cfg.debug = true;"}), kHidden));
    CHECK(hidden_finding(hidden_scan("web/util.js", {"  // note" + utf8(0x2029) + "x = 1;"}), kHidden));
  }

  TEST_CASE("a run of variation selectors after an emoji is hidden text; one selector is not") {
    std::string run = utf8(0x1F600);
    for (unsigned char b : std::string("approve")) run += utf8(b < 16 ? 0xFE00u + b : 0xE0100u + b - 16);
    CHECK(hidden_finding(hidden_scan("app/config.py", {"# config loader " + run}), kHidden));
    CHECK(hidden_finding(hidden_scan("app/config.py", {"x = 1" + utf8(0xFE0F)}), kHidden));
    // Emoji and keycaps with their one selector, a CJK ideographic variant.
    CHECK(hidden_scan("app/ui.py", {"OK = \"" + utf8(0x2764) + utf8(0xFE0F) + " " + utf8(0x263A) + utf8(0xFE0E) + "\"",
                                     "KEY = \"1" + utf8(0xFE0F) + utf8(0x20E3) + " #" + utf8(0xFE0F) + utf8(0x20E3) + "\"",
                                     "NAME = \"" + utf8(0x845B) + utf8(0xE0100) + "\""})
              .empty());
  }

  TEST_CASE("legitimate joiners stay quiet: emoji ZWJ sequences, a BOM at a file's start, joiners in translations") {
    const std::string family = utf8(0x1F468) + utf8(0x200D) + utf8(0x1F469) + utf8(0x200D) + utf8(0x1F467);
    const std::string rainbow = utf8(0x1F3F3) + utf8(0xFE0F) + utf8(0x200D) + utf8(0x1F308);
    CHECK(hidden_scan("app/ui.py", {"FAMILY = \"" + family + "\"", "FLAG = \"" + rainbow + "\""}).empty());
    CHECK(hidden_scan("src/a.c", {"\xEF\xBB\xBFint x;"}).empty());
    // Persian with ZWNJ (mi-khaham) and Hindi with ZWJ, in translation files.
    const std::string persian = utf8(0x0645) + utf8(0x06CC) + utf8(0x200C) + utf8(0x062E) + utf8(0x0648);
    const std::string hindi = utf8(0x0915) + utf8(0x094D) + utf8(0x200D) + utf8(0x0937);
    CHECK(hidden_scan("locales/fa/messages.json", {"  \"want\": \"" + persian + "\","}).empty());
    CHECK(hidden_scan("po/hi.po", {"msgstr \"" + hindi + "\""}).empty());
    CHECK(hidden_scan("docs/de/README.md", {"Donau" + utf8(0x00AD) + "dampf" + utf8(0x00AD) + "schiff"}).empty());
  }

  TEST_CASE("a zero-width joiner between Latin letters is hidden, one in an Indic word is not") {
    CHECK(hidden_finding(hidden_scan("app/config.py", {"# No" + utf8(0x200D) + "te to the reviewer"}), kHidden));
    CHECK(hidden_scan("app/i18n_strings.py", {"HI = \"" + utf8(0x0915) + utf8(0x094D) + utf8(0x200D) + utf8(0x0937) + "\""})
              .empty());
  }

  TEST_CASE("fullwidth and mathematical letters spelling words in code or comments are warnings") {
    auto fw = hidden_scan("app/config.py", {"# " + styled("Note to the reviewer", 0xFF21, 0xFF41)});
    const Finding* f = hidden_finding(fw, kStyled);
    REQUIRE(f);
    CHECK(f->severity == Severity::warning);
    CHECK(hidden_finding(hidden_scan("app/config.py", {"# " + styled("Ignore previous", 0x1D400, 0x1D41A)}), kStyled));
    // A math variable or two, a Japanese comment with a fullwidth "OK", CJK
    // punctuation: ordinary.
    CHECK(hidden_scan("docs/math.py", {"# the area is " + utf8(0x1D45F) + " squared, " + utf8(0x1D465) + " = 2"}).empty());
    CHECK(hidden_scan("app/jp.py", {"# " + utf8(0x78BA) + utf8(0x8A8D) + utf8(0xFF2F) + utf8(0xFF2B) + utf8(0xFF01)}).empty());
    CHECK(hidden_scan("app/zh.py", {"# " + utf8(0x6CE8) + utf8(0x610F) + utf8(0xFF1A) + utf8(0x8FD9) + utf8(0xFF0C) + "x"}).empty());
  }
}
