#include "subagents/safety/hidden_secrets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include <re2/re2.h>

namespace reviewer::safety {

namespace {

constexpr std::size_t kMaxContext = 256;   // bytes of a line kept before a joined group
constexpr std::size_t kMinRun = 16;        // shorter runs are words, not encodings
constexpr std::size_t kMinEscapes = 6;     // \xNN or \uXXXX in a row
constexpr std::size_t kMaxJoinedBytes = 64 * 1024;
constexpr std::size_t kMaxObjectText = 4096;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_hex(char c) { return hex_digit(c) >= 0; }

// Base64 and base64url digit values, -1 for other bytes: a table, as every
// byte of every added line is looked up.
constexpr std::array<signed char, 256> kB64 = [] {
  std::array<signed char, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 26; ++i) {
    t[static_cast<std::size_t>('A' + i)] = static_cast<signed char>(i);
    t[static_cast<std::size_t>('a' + i)] = static_cast<signed char>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t[static_cast<std::size_t>('0' + i)] = static_cast<signed char>(52 + i);
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}();

int b64_value(char c) { return kB64[static_cast<unsigned char>(c)]; }

bool b64_char(char c) { return kB64[static_cast<unsigned char>(c)] >= 0; }

// A decoded byte a reading may hold: printable ASCII, tab and line breaks.
bool decodable(unsigned char b) { return (b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n' || b == '\r'; }

// Appends a decoded byte as a one-line reading writes it: a line break as
// the two characters `\n` (as a key in a string literal holds it, which
// the private-key rules read), CR dropped, a tab as a space.
void put(std::string& out, unsigned char b) {
  if (b == '\n') {
    out += "\\n";
  } else if (b == '\r') {
    return;
  } else {
    out += static_cast<char>(b == '\t' ? ' ' : b);
  }
}

// Hex pairs to text, or nothing at the first byte that is not printable.
std::optional<std::string> hex_decode(std::string_view run) {
  std::string out;
  for (std::size_t i = 0; i + 1 < run.size(); i += 2) {
    const auto b = static_cast<unsigned char>(hex_digit(run[i]) * 16 + hex_digit(run[i + 1]));
    if (!decodable(b)) return std::nullopt;
    put(out, b);
  }
  return out;
}

}  // namespace

std::optional<std::string> b64_decode(std::string_view run) {
  const bool standard = run.find_first_of("+/") != std::string_view::npos;
  const bool url = run.find_first_of("-_") != std::string_view::npos;
  if (standard && url) return std::nullopt;
  while (!run.empty() && run.back() == '=') run.remove_suffix(1);
  if (run.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : run) {
    const int v = b64_value(c);
    if (v < 0) return std::nullopt;  // a character of neither alphabet
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const auto b = static_cast<unsigned char>((acc >> bits) & 0xff);
      if (!decodable(b)) return std::nullopt;
      put(out, b);
    }
  }
  return out;
}

namespace {

// A run of \xNN / \uXXXX escapes at `i`: its end and decoded text, when
// there are enough of them and each is printable ASCII.
std::optional<std::pair<std::size_t, std::string>> escapes_at(std::string_view s, std::size_t i, bool& unicode) {
  std::string out;
  std::size_t count = 0;
  std::size_t j = i;
  while (j + 1 < s.size() && s[j] == '\\') {
    const char kind = s[j + 1];
    const std::size_t digits = kind == 'x' ? 2 : kind == 'u' ? 4 : 0;
    if (digits == 0 || j + 2 + digits > s.size()) break;
    int v = 0;
    bool ok = true;
    for (std::size_t k = 0; k < digits; ++k) {
      const int h = hex_digit(s[j + 2 + k]);
      ok = ok && h >= 0;
      v = v * 16 + (h < 0 ? 0 : h);
    }
    if (!ok || v < 0x20 || v >= 0x7f) break;
    unicode |= kind == 'u';
    out += static_cast<char>(v);
    ++count;
    j += 2 + digits;
  }
  if (count < kMinEscapes) return std::nullopt;
  return std::make_pair(j, std::move(out));
}

// Loops, not find_first_not_of (which calls memchr once per blank).
std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

// ---------------------------------------------------------- joined literals

struct Literal {
  std::size_t begin = 0, end = 0;  // the quotes included
  char quote = '"';
};

// The string literals of a line, left to right, into `out` (reused from
// line to line); stops at one that is not closed (an apostrophe in prose).
void literals(std::string_view line, std::vector<Literal>& out) {
  out.clear();
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c != '"' && c != '\'' && c != '`') continue;
    std::size_t j = i + 1;
    while (j < line.size() && line[j] != c) j += line[j] == '\\' ? 2 : 1;
    if (j >= line.size()) break;
    out.push_back({i, j + 1, c});
    i = j;
  }
}

// Text between two literals that joins them: `+`, `.` (PHP, Perl), `..`
// (Lua), or nothing where the language joins adjacent literals (C and its
// kin, Python; elsewhere adjacent strings are separate: HCL labels, shell
// arguments).
bool joins(std::string_view gap, bool juxtaposed, bool comma = false) {
  gap = trim(gap);
  if (comma && gap == ",") return true;
  // A builder's or a string's own append: `new StringBuilder("…").append("…")`,
  // C#'s `.Append(`, JavaScript's `"…".concat("…")`.
  if (gap.size() > 7 && gap.back() == '(') {
    return gap == ").append(" || gap == ").Append(" || gap == ".concat(" || gap == ").concat(";
  }
  return gap.empty() ? juxtaposed : gap == "+" || gap == "." || gap == "..";
}

// A one-character literal (`'a'`, `'\\''`): a char array's element.
bool one_char(std::string_view line, const Literal& l) {
  const std::size_t n = l.end - l.begin - 2;
  return l.quote == '\'' && (n == 1 || (n == 2 && line[l.begin + 1] == '\\'));
}

// A format string of placeholders only (`"%s%s"`, `"{0}{1}"`, `"{}{}"`):
// the call joins its other arguments.
bool placeholders_only(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '%' && i + 1 < s.size() && (s[i + 1] == 's' || s[i + 1] == 'v')) {
      i += 2;
    } else if (s[i] == '{') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      if (j >= s.size() || s[j] != '}') return false;
      i = j + 1;
    } else {
      return false;
    }
  }
  return true;
}

// The calls that join literals with nothing between them, each written
// once, up to where its list (or the list's name) begins: Python's
// "".join(, Go's strings.Join( (its separator, `, "")`, follows the list),
// C#'s string.Concat(, Java's and C#'s String.join("", , PHP's
// implode('', , Rust's concat!(; JavaScript's .join('') follows the list.
// comma_joins, call_free, joined_name and joined_open_lists are built
// from them.
namespace join_call {
constexpr const char* kPython = R"((?:""|''|``)\s*\.\s*join\s*\()";
constexpr const char* kGo = R"(\bstrings\.Join\s*\()";
constexpr const char* kGoEmpty = R"(\s*,\s*""\s*\))";  // Go's empty separator, after the list
constexpr const char* kConcat = R"(\b[Ss]tring\.Concat\s*\()";
constexpr const char* kJoin = R"(\b[Ss]tring\.(?:join|Join)\s*\(\s*(?:""|[Ss]tring\.Empty)\s*,)";
constexpr const char* kImplode = R"(\bimplode\s*\(\s*(?:''|"")\s*,)";
constexpr const char* kRust = R"(\bconcat!\s*\()";
constexpr const char* kJsEmpty = R"(\s*\.\s*join\s*\(\s*(?:""|''|``)\s*\))";  // after the list or its name
// A format of placeholders only joins its arguments too.
constexpr const char* kFormatCall = R"((?:\b[Ss]tring\.[Ff]ormat|\bfmt\.Sprintf|\bformat!|\bsprintf)\s*\()";
constexpr const char* kBraces = R"((?:"(?:\{[0-9]*\})+"|'(?:\{[0-9]*\})+')\s*\.\s*format\s*\()";  // "{}{}".format(

std::string any(std::initializer_list<std::string> alternatives) {
  std::string out;
  for (const auto& a : alternatives) out += (out.empty() ? "" : "|") + a;
  return "(?:" + out + ")";
}
}  // namespace join_call

// The name part of a group whose literals a call joins: the text before
// the call (`var key = []byte(strings.Join([]string{` reads `var key =`,
// `char[] PW = {` reads `char[] PW =`), so a rule reads `key = "…"` as it
// reads a plain assignment.
std::string call_free(std::string s) {
  using namespace join_call;
  static const re2::RE2 call(R"((?:\[\]byte\(\s*)?)" +
                             any({kPython, kGo, kConcat, R"(\b[Ss]tring\.[Jj]oin\s*\()", kRust, kFormatCall, R"(\bimplode\s*\()", kBraces,
                                  R"(\bnew\s+[Ss]tring\s*\()", R"(\bnew\s+StringBuilder\s*\()"}));
  re2::StringPiece m[1];
  if (call.Match(s, 0, s.size(), re2::RE2::UNANCHORED, m, 1)) s.resize(static_cast<std::size_t>(m[0].data() - s.data()));
  // What is left after the assignment: brackets and type words (`{`,
  // `new char[] {`, `[`), no literal.
  const auto op = s.find_last_of("=:");
  if (op != std::string::npos && s.find_first_not_of(" \t[]{}()<>!&*_.$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", op + 1) == std::string::npos) {
    s.resize(op + 1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// A line that joins a list of literals with nothing between them, where a
// comma between two literals joins them too (join_call's calls; a format of
// placeholders only; JavaScript's "…".concat("…", "…")). (A separator
// that is not empty joins words, not a value.)
bool comma_joins(std::string_view line) {
  if (line.find("oin") == std::string_view::npos && line.find("oncat") == std::string_view::npos &&
      line.find("mplode") == std::string_view::npos && line.find("printf") == std::string_view::npos &&
      line.find("ormat") == std::string_view::npos) {
    return false;
  }
  using namespace join_call;
  static const re2::RE2 re(any({kPython, std::string(kGo) + ".*" + kGoEmpty, std::string(R"(\])") + kJsEmpty, kConcat, kJoin, kRust, kImplode,
                                R"(\bimplode\s*\(\s*\[)", std::string(kFormatCall) + R"(\s*["'](?:%[sv]|\{[0-9]*\})+["']\s*,)", kBraces,
                                R"(["']\s*\.\s*concat\s*\()"}));
  return re2::RE2::PartialMatch(line, re);
}

// After a line's last literal, what may carry it on to the next line: an
// operator, a backslash continuation, both, or nothing (then the next
// line's start must join: an operator, or where juxtaposition joins a
// literal).
bool carries(std::string_view tail, bool juxtaposed, bool comma) {
  tail = trim(tail);
  if (tail.empty()) return true;  // the next line's start decides (`+ "…"`, or a literal where adjacent ones join)
  if (!tail.empty() && tail.back() == '\\') {
    tail = trim(tail.substr(0, tail.size() - 1));
    if (tail.empty()) return true;
  }
  return joins(tail, juxtaposed, comma);
}

// Languages whose adjacent string literals are one string.
bool juxtaposition_joins(std::string_view path) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view ext = path.substr(dot + 1);
  for (std::string_view e : {"c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "m", "mm", "py", "pyw", "pyi", "ipynb"}) {
    if (ext == e) return true;
  }
  return false;
}

// A joined group's context as a rule reads a name: trimmed, and without
// the parenthesis that opens a value (`KEY = ("…" "…")` reads `KEY = "…"`).
std::string name_part(std::string_view prefix) {
  std::string_view t = trim(prefix);
  if (t.ends_with('(')) {
    const std::string_view head = trim(t.substr(0, t.size() - 1));
    if (head.ends_with('=') || head.ends_with(':')) t = head;
  }
  return std::string(t);
}

// A reading of `text` with [from, to) replaced by `value` quoted, the value
// marked as produced (a join read in place).
HiddenReading spliced_reading(std::string_view text, std::size_t from, std::size_t to, std::string_view value,
                              std::size_t first, std::size_t lines, std::string_view how) {
  HiddenReading r;
  r.first = first;
  r.lines = lines;
  r.how = how;
  r.text.assign(text.substr(0, from));
  const std::size_t at = r.text.size();
  r.text += '"';
  r.text += value;
  r.text += '"';
  r.changed.emplace_back(at, r.text.size());
  r.text += text.substr(to);
  return r;
}

// A reading of one value written as a literal after its name part:
// `name "value"` (the name trimmed, a blank between), the value marked as
// produced.
HiddenReading literal_reading(std::size_t first, std::size_t lines, std::string_view how, std::string name,
                              std::string_view value, char quote = '"') {
  HiddenReading r;
  r.first = first;
  r.lines = lines;
  r.how = how;
  r.text = std::move(name);
  if (!r.text.empty()) r.text += ' ';
  const std::size_t from = r.text.size();
  r.text += quote;
  r.text += value;
  r.text += quote;
  r.changed.emplace_back(from, r.text.size());
  return r;
}

class Joiner {
 public:
  Joiner(const AddedLines& lines, bool juxtaposed, std::vector<HiddenReading>& out)
      : lines_(lines), out_(out), juxtaposed_(juxtaposed) {}

  void line(std::size_t i, bool quoted) {
    const std::string_view text = lines_.line(i);
    if (!quoted) {
      lits_.clear();
      close({});
      return;
    }
    literals(text, lits_);
    const auto& lits = lits_;
    if (lits.empty()) {
      close({});
      return;
    }
    // Once per line (not per group: a long line of many groups).
    const bool comma_line = comma_joins(text);
    std::size_t k = 0;
    // `"abc"\` then `"def"` at the next line's first column is one word in
    // a shell (and one string wherever adjacent literals join).
    if (open_ && lines_.number(i) == last_number_ + 1 &&
        joins(text.substr(0, lits[0].begin), juxtaposed_ || operator_ || (tight_ && lits[0].begin == 0), comma_) &&
        i - first_ < kMaxJoin) {
      add(i, text, lits[0]);
      comma_ = comma_ || comma_line;
      k = 1;
    } else {
      close({});
    }
    for (; k < lits.size(); ++k) {
      // A char array's elements join: `{ 'h', 'u', 'n', … }`.
      // (open_ only after a literal of this line or the last: k > 0 here.)
      const bool chars = open_ && one_char(text, lits[k - 1]) && one_char(text, lits[k]);
      const std::string_view gap = open_ ? text.substr(lits[k - 1].end, lits[k].begin - lits[k - 1].end) : std::string_view();
      if (open_ && joins(gap, juxtaposed_, comma_ || chars)) {
        // Joined by a call (a char array, `.append(`, `.concat(`): the name
        // part reads without the call that wraps the first literal.
        called_ = called_ || chars || gap.find('(') != std::string_view::npos;
        add(i, text, lits[k]);
        continue;
      }
      // Only the text up to the next literal: the rest of a long line,
      // copied once per group, made a line of many joins quadratic.
      if (open_) close(text.substr(lits[k - 1].end, lits[k].begin - lits[k - 1].end));
      start(i, text, lits[k], comma_line);
    }
    if (!open_) return;
    const std::string_view tail = text.substr(lits.back().end);
    if (carries(tail, juxtaposed_, comma_)) {
      last_number_ = lines_.number(i);
      tight_ = tail == "\\" || tail == "\\\r";
      // `"…" +` at the end of a line: the next line's literal needs no
      // operator of its own (`"…" +` / `    "…";` in Java, JavaScript, C#).
      std::string_view op = trim(tail);
      if (op.ends_with('\\')) op = trim(op.substr(0, op.size() - 1));
      operator_ = !op.empty();
    } else {
      close(tail);
    }
  }

  // The literals of the last quoted line read (empty after an unquoted one).
  const std::vector<Literal>& literals_of_line() const { return lits_; }

  void close(std::string_view suffix) {
    if (open_ && count_ > 1) {
      HiddenReading r = literal_reading(first_, last_ - first_ + 1, "joined strings",
                                        comma_ || called_ ? call_free(name_part(prefix_)) : name_part(prefix_),
                                        contents_, quote_);
      r.text += trim(suffix);
      out_.push_back(std::move(r));
    }
    open_ = false;
    tight_ = operator_ = called_ = false;
  }

 private:
  void start(std::size_t i, std::string_view text, const Literal& l, bool comma) {
    open_ = true;
    comma_ = comma;
    first_ = last_ = i;
    count_ = 1;
    quote_ = l.quote;
    // Views into the line: most literals join nothing, so nothing is
    // copied until a second one does.
    // At most kMaxContext bytes before it: the name a rule reads is there,
    // and a whole long line copied per group would be quadratic.
    const std::size_t keep = std::min(l.begin, kMaxContext);
    prefix_ = text.substr(l.begin - keep, keep);
    // A value that starts on the line after its name: `KEY = (` or
    // `KEY = \` then the literals. The name is the line before.
    if (trim(prefix_).empty() && i > 0 && lines_.number(i - 1) + 1 == lines_.number(i)) {
      std::string_view before = trim(lines_.line(i - 1));
      if (before.ends_with('\\')) before = trim(before.substr(0, before.size() - 1));
      if (before.ends_with('(') || before.ends_with('=') || before.ends_with(':')) {
        prefix_ = before.substr(before.size() - std::min(before.size(), kMaxContext));
      }
    }
    first_contents_ = text.substr(l.begin + 1, l.end - l.begin - 2);
    last_number_ = lines_.number(i);
  }

  void add(std::size_t i, std::string_view text, const Literal& l) {
    last_ = i;
    // A format of placeholders only is no part of the value it formats.
    if (count_ == 1) contents_.assign(comma_ && placeholders_only(first_contents_) ? std::string_view() : first_contents_);
    if (contents_.size() > kMaxJoinedBytes) return;
    contents_.append(text.substr(l.begin + 1, l.end - l.begin - 2));
    ++count_;
  }

  const AddedLines& lines_;
  std::vector<HiddenReading>& out_;
  const bool juxtaposed_;
  bool open_ = false;
  bool comma_ = false;  // inside a join with an empty separator: a comma joins literals too
  bool tight_ = false;  // the last line ended in a literal and a backslash, nothing between
  bool operator_ = false;  // the last line ended in a literal and a joining operator
  bool called_ = false;    // the group joined through a call (a char array, `.append(`)
  std::size_t first_ = 0, last_ = 0, count_ = 0;
  int last_number_ = 0;
  char quote_ = '"';
  std::string_view prefix_, first_contents_;  // views into the group's first line
  std::string contents_;
  std::vector<Literal> lits_;
};

// ------------------------------------------------- a list of parts joined later

// A list of literals over one or more lines, joined with an empty separator
// on a later line by the list's name: `parts = [` / `"AKIA…",` / `"…",` /
// `]` … `key = "".join(parts)`. The joins read (the separator empty):
// Python's "".join(name), JavaScript's name.join(''), Go's
// strings.Join(name, ""), Java's String.join("", name), C#'s
// string.Join("", name) and string.Concat(name), PHP's implode('', $name)
// (a join line with no quote, such as Ruby's name.join, is not read). The
// reading is the join line's text before the join (the name a rule
// reads), then the parts as one literal.

constexpr std::size_t kMaxListLookBack = 200;  // lines between a list and its join
constexpr std::size_t kMaxJoinedNames = 256;   // distinct lists joined in one file

// Whether a line may join a list (join, Join, Concat, implode): the cheap
// test before any regex.
bool may_join(std::string_view line) {
  return line.find("oin") != std::string_view::npos || line.find("oncat") != std::string_view::npos ||
         line.find("mplode") != std::string_view::npos;
}

// The list's name a line joins and where the join expression starts.
std::optional<std::pair<std::string, std::size_t>> joined_name(std::string_view line) {
  if (!may_join(line)) return std::nullopt;
  using namespace join_call;
  const std::string name = R"(\s*([A-Za-z_]\w*)\s*\))";  // the list's name as the call's last argument
  static const re2::RE2 re(any({kPython + name, std::string(R"(\b([A-Za-z_$][\w$]*))") + kJsEmpty,
                                std::string(kGo) + R"(\s*([A-Za-z_]\w*))" + kGoEmpty, kJoin + name, kConcat + name,
                                std::string(kImplode) + R"(\s*\$([A-Za-z_]\w*)\s*\))"}));
  re2::StringPiece m[7];
  if (!re.Match(line, 0, line.size(), re2::RE2::UNANCHORED, m, 7)) return std::nullopt;
  for (int g = 1; g < 7; ++g) {
    if (m[g].data() != nullptr && !m[g].empty()) {
      return std::make_pair(std::string(m[g].data(), m[g].size()), static_cast<std::size_t>(m[0].data() - line.data()));
    }
  }
  return std::nullopt;
}

// The parts of a list whose definition starts at `open` (just after its
// opening bracket) on line `k`: every literal up to the closing bracket,
// with only commas, blanks and comments between them; nothing when the
// list holds anything else (a name, a call, a number).
std::optional<std::string> list_parts(const AddedLines& lines, std::size_t k, std::size_t open, char closer,
                                      std::vector<Literal>& lits, std::size_t* end = nullptr,
                                      std::vector<std::string>* items = nullptr) {
  std::string parts;
  std::size_t count = 0;
  for (std::size_t j = k; j < lines.size() && j - k < kMaxJoin; ++j) {
    if (j > k && lines.number(j) != lines.number(j - 1) + 1) return std::nullopt;
    std::string_view text = lines.line(j);
    if (j == k) text = text.substr(open);
    literals(text, lits);
    std::size_t at = 0;
    for (const Literal& l : lits) {
      const std::string_view gap = trim(text.substr(at, l.begin - at));
      // The list closed before this literal (`'…'].join('')`, `}, "")`):
      // the rest of the line is the join's.
      if (std::string_view g = gap.starts_with(',') ? trim(gap.substr(1)) : gap; !g.empty() && g.front() == closer) {
        if (end) *end = j;
        return count >= 2 ? std::optional<std::string>(std::move(parts)) : std::nullopt;
      }
      if (!gap.empty() && gap != ",") return std::nullopt;
      parts.append(text.substr(l.begin + 1, l.end - l.begin - 2));
      if (items) items->emplace_back(text.substr(l.begin + 1, l.end - l.begin - 2));
      if (parts.size() > kMaxJoinedBytes) return std::nullopt;
      ++count;
      at = l.end;
    }
    std::string_view rest = trim(text.substr(at));
    if (!rest.empty() && rest.front() == ',') rest = trim(rest.substr(1));
    if (!rest.empty() && rest.front() == closer) {
      if (end) *end = j;
      return count >= 2 ? std::optional<std::string>(std::move(parts)) : std::nullopt;
    }
    if (!rest.empty() && rest.front() != '#' && !rest.starts_with("//")) return std::nullopt;
  }
  return std::nullopt;
}

// Where a list named `name` is defined, its opening bracket as group 1:
// `name = [`, `name := []string{`, `String[] name = {`, `var name = new[] {`,
// `$name = array(`, `name: list[str] = (`.
std::unique_ptr<re2::RE2> list_definition(const std::string& name) {
  return std::make_unique<re2::RE2>("(?:^|[^\\w$])\\$?" + re2::RE2::QuoteMeta(name) +
                                    R"(\s*(?::\s*[^=\n]{1,40}?)?(?::=|=)\s*(?:new\s*\w*\s*\[\s*\]\s*|\[\]\w+\s*|array\s*|%w)?([\[\(\{]))");
}

char closer_of(char opener) { return opener == '[' ? ']' : opener == '(' ? ')' : '}'; }

void joined_lists(const AddedLines& lines, const std::vector<std::size_t>& joins, std::vector<HiddenReading>& out) {
  std::vector<Literal> lits;
  // Each list is read once, however many lines join it, and each name's
  // pattern compiled once: a file of many joins of one large list must not
  // multiply its bytes (or the time spent) by the number of joins.
  std::set<std::size_t> read_defs;
  std::map<std::string, std::unique_ptr<re2::RE2>> defs;
  for (std::size_t i : joins) {
    const std::string_view line = lines.line(i);
    const auto name = joined_name(line);
    if (!name) continue;
    if (!defs.count(name->first) && defs.size() >= kMaxJoinedNames) continue;  // a pattern compiled per name
    auto& slot = defs[name->first];
    if (!slot) {
      slot = list_definition(name->first);
    }
    const re2::RE2& def = *slot;
    if (!def.ok()) continue;
    for (std::size_t back = 1; back <= kMaxListLookBack && back <= i; ++back) {
      const std::size_t k = i - back;
      const std::string_view text = lines.line(k);
      if (text.find(name->first) == std::string_view::npos) continue;
      re2::StringPiece m[2];
      if (!def.Match(text, 0, text.size(), re2::RE2::UNANCHORED, m, 2)) continue;
      if (!read_defs.insert(k).second) break;  // this list was read for an earlier join
      const auto parts = list_parts(lines, k, static_cast<std::size_t>(m[1].data() - text.data()) + 1, closer_of(m[1][0]), lits);
      if (parts) {
        const std::size_t keep = std::min(name->second, kMaxContext);
        out.push_back(literal_reading(k, i - k + 1, "joined list", std::string(trim(line.substr(name->second - keep, keep))), *parts));
      }
      break;  // the nearest definition is the one joined
    }
  }
}

// Python: slices of a list joined (with a short separator or none) and
// added to literals, `"_".join(PARTS[:2]) + "_" + "".join(PARTS[2:])`: each join
// replaced by its value (the list defined on an earlier line as in
// joined_lists), then the literals added with `+` read as one.
void sliced_joins(const AddedLines& lines, const std::vector<std::size_t>& joins, std::vector<HiddenReading>& out) {
  static const re2::RE2 join(
      R"re((?:"([^"\\]{0,8})"|'([^'\\]{0,8})')\s*\.\s*join\s*\(\s*([A-Za-z_]\w*)\s*(?:\[\s*(-?[0-9]*)\s*:\s*(-?[0-9]*)\s*\])?\s*\))re");
  std::vector<Literal> lits;
  std::size_t reads = 0, lookups = 0;  // bounded per file: a pattern is compiled per lookup
  for (std::size_t i : joins) {
    const std::string_view line = lines.line(i);
    if (reads >= 16 || line.find("].join(") != std::string_view::npos) continue;  // an inline list: the Joiner's
    std::string rebuilt;
    std::vector<std::pair<std::size_t, std::size_t>> pieces;  // replaced ranges of `rebuilt`
    std::size_t at = 0;
    re2::StringPiece m[6];
    bool sliced = false;
    while (pieces.size() < 8 && join.Match(line, at, line.size(), re2::RE2::UNANCHORED, m, 6)) {
      const std::string_view sep = m[1].data() ? std::string_view(m[1].data(), m[1].size()) : std::string_view(m[2].data(), m[2].size());
      if (++lookups > 64) break;
      const std::string name(m[3].data(), m[3].size());
      // The nearest definition above: `NAME = (` / `NAME = [` and its literals.
      std::optional<std::vector<std::string>> items;
      const auto def_ptr = list_definition(name);
      const re2::RE2& def = *def_ptr;
      for (std::size_t back = 1; back <= kMaxListLookBack && back <= i && def.ok(); ++back) {
        const std::string_view text = lines.line(i - back);
        if (text.find(name) == std::string_view::npos) continue;
        re2::StringPiece d[2];
        if (!def.Match(text, 0, text.size(), re2::RE2::UNANCHORED, d, 2)) continue;
        std::vector<std::string> v;
        if (list_parts(lines, i - back, static_cast<std::size_t>(d[1].data() - text.data()) + 1, closer_of(d[1][0]), lits, nullptr, &v)) {
          items = std::move(v);
        }
        break;
      }
      if (!items) break;
      const auto n = static_cast<long>(items->size());
      auto bound = [&](const re2::StringPiece& g, long dflt) {
        if (g.data() == nullptr || g.empty()) return dflt;
        long v = std::strtol(std::string(g.data(), g.size()).c_str(), nullptr, 10);
        if (v < 0) v += n;
        return std::clamp(v, 0L, n);
      };
      const long from = bound(m[4], 0), to = bound(m[5], n);
      sliced = sliced || m[4].data() != nullptr;
      std::string value;
      for (long k = from; k < to; ++k) {
        if (k > from) value += sep;
        value += (*items)[static_cast<std::size_t>(k)];
      }
      const auto b = static_cast<std::size_t>(m[0].data() - line.data());
      rebuilt.append(line.substr(at, b - at));
      pieces.emplace_back(rebuilt.size(), rebuilt.size() + value.size() + 2);
      rebuilt += '"' + value + '"';
      at = b + m[0].size();
    }
    // Only what joined_lists does not read: a slice (with or without a
    // separator; a separator alone joins words, `", ".join(names)`).
    if (pieces.empty() || !sliced) continue;
    rebuilt.append(line.substr(at));
    // The literals added with `+` around the joins, as one.
    literals(rebuilt, lits);
    std::size_t first = 0;
    for (std::size_t k = 0; k < lits.size(); ++k) {
      const bool last = k + 1 == lits.size() || trim(std::string_view(rebuilt).substr(lits[k].end, lits[k + 1].begin - lits[k].end)) != "+";
      if (!last) continue;
      const std::size_t b = lits[first].begin, e = lits[k].end;
      const bool holds_join = std::any_of(pieces.begin(), pieces.end(), [&](const auto& p) { return p.first >= b && p.second <= e; });
      if (holds_join) {
        std::string value;
        for (std::size_t j = first; j <= k; ++j) value.append(rebuilt, lits[j].begin + 1, lits[j].end - lits[j].begin - 2);
        const std::size_t keep = std::min(b, kMaxContext);
        out.push_back(literal_reading(i, 1, "joined list", std::string(trim(std::string_view(rebuilt).substr(b - keep, keep))), value));
        ++reads;
      }
      first = k + 1;
    }
  }
}

// A list of literals over several lines, joined with an empty separator
// by the call that opens it or by the join that closes it: Python's
// `"".join([` / C#'s `string.Concat(` / Java's `String.join("",` / Go's
// `strings.Join([]string{` … `}, "")` at the end of a line, then a literal
// or a few per line; JavaScript's `const key = [` … `'…'].join('');`. The
// reading is the opening line's name part and the parts as one literal.
void joined_open_lists(const AddedLines& lines, const std::vector<std::size_t>& joins, std::vector<HiddenReading>& out) {
  using namespace join_call;
  static const re2::RE2 opens("(" +
                              any({std::string(kPython) + R"(\s*[\[\(])", std::string(kGo) + R"(\s*\[\]string\s*\{)", kConcat, kJoin,
                                   std::string(kImplode) + R"(\s*(?:\[|array\s*\())", kRust}) +
                              R"()\s*$)");
  static const re2::RE2 closes(std::string(R"(^\s*(?:(?:"[^"]*"|'[^']*'|`[^`]*`)\s*,?\s*)*\])") + kJsEmpty);
  std::vector<Literal> lits;
  std::size_t done = 0;  // lines before this one were read as a list's
  auto read = [&](std::size_t k, std::size_t open, std::size_t i, const std::string& parts) {
    const std::size_t keep = std::min(open, kMaxContext);
    out.push_back(literal_reading(k, i - k + 1, "joined list", call_free(name_part(lines.line(k).substr(open - keep, keep))), parts));
    done = i + 1;
  };
  for (std::size_t i : joins) {
    if (i < done) continue;
    const std::string_view line = lines.line(i);
    re2::StringPiece m[2];
    if (opens.Match(line, 0, line.size(), re2::RE2::UNANCHORED, m, 2)) {
      const auto at = static_cast<std::size_t>(m[1].data() - line.data());
      const char last = m[1][m[1].size() - 1];
      const char closer = last == '[' ? ']' : last == '{' ? '}' : ')';
      std::size_t end = i;
      const auto parts = list_parts(lines, i, at + m[1].size(), closer, lits, &end);
      // Go names its separator after the list: only `}, "")` is empty.
      if (!parts || end == i) continue;
      if (closer == '}') {
        const std::string_view tail = lines.line(end).substr(lines.line(end).find('}') + 1);
        static const re2::RE2 empty_sep(std::string("^") + join_call::kGoEmpty);
        if (!re2::RE2::PartialMatch(tail, empty_sep)) continue;
      }
      read(i, at, end, *parts);
      continue;
    }
    if (i == 0 || !re2::RE2::PartialMatch(line, closes)) continue;
    for (std::size_t k = i - 1; lines.number(k) + 1 == lines.number(k + 1) && i - k < kMaxJoin; --k) {
      const std::string_view text = lines.line(k);
      const auto open = text.rfind('[');
      if (open != std::string_view::npos) {
        std::size_t end = k;
        const auto parts = list_parts(lines, k, open + 1, ']', lits, &end);
        if (parts && end == i) read(k, open, i, *parts);
        break;
      }
      if (k == 0) break;
    }
  }
}

// -------------------------------------------------- a value built with +=

// A literal assigned to a name, then literals appended to it on the lines
// that follow: `key = "AKIA…"` / `key += "…"` (PHP `.=`). Each line holds
// the one literal and nothing after it but `;`. The reading is the first
// line's name and the literals as one.
class Accumulator {
 public:
  Accumulator(const AddedLines& lines, std::vector<HiddenReading>& out) : lines_(lines), out_(out) {}

  // `lits`: the line's literals, as the Joiner found them (read once).
  void line(std::size_t i, bool quoted, const std::vector<Literal>& lits) {
    if (!quoted || lits.size() != 1) {
      close();
      return;
    }
    const std::string_view text = lines_.line(i);
    const Literal& l = lits[0];
    const std::string_view after = trim(text.substr(l.end));
    const std::string_view before = trim(text.substr(0, l.begin));
    const std::string_view body = text.substr(l.begin + 1, l.end - l.begin - 2);
    if ((after.empty() || after == ";") && before.size() > 2) {
      const std::string_view op = before.substr(before.size() - 2);
      if (op == "+=" || op == ".=") {
        if (count_ > 0 && i == last_ + 1 && lines_.number(i) == lines_.number(last_) + 1 &&
            trim(before.substr(0, before.size() - 2)) == name_ && contents_.size() < kMaxJoinedBytes &&
            i - first_ < kMaxJoin) {
          contents_.append(body);
          last_ = i;
          ++count_;
          return;
        }
      } else if (before.back() == '=' && std::string_view("=!<>:+-*/.%&|^").find(before[before.size() - 2]) == std::string_view::npos) {
        remember(trim(before.substr(0, before.size() - 1)), body, i);
        close();
        prefix_ = before.substr(before.size() - std::min(before.size(), kMaxContext));
        std::string_view name = trim(before.substr(0, before.size() - 1));
        const auto blank = name.find_last_of(" \t");
        if (blank != std::string_view::npos) name = name.substr(blank + 1);
        name_ = name;
        contents_.assign(body);
        quote_ = l.quote;
        first_ = last_ = i;
        count_ = 1;
        return;
      }
    }
    close();
  }

  // Literals named on earlier lines and joined by name on line `i` (`const
  // A = "sk_live_…"; const B = "…";` then `new Stripe(A + B)`, session 25):
  // each chain of two or more such names joined by `+` is read as the line
  // with the chain replaced by its literals as one, over the lines from the
  // first name's to line `i` (at most kMaxJoin lines back). Session 26: also
  // joined inside a string (`${A}${B}`, f"{A}{B}", C#'s $"{A}{B}") and by a
  // format of placeholders only (`"{}{}".format(A, B)`, `String.format("%s%s",
  // A, B)`, `fmt.Sprintf("%s%s", A, B)`, `"%s%s" % (A, B)`). A name is looked
  // up only where a `+`, a `{` or a `,` stands beside it (one hash lookup):
  // reading every name of a `+`-heavy file against the list cost ~3x.
  void joined_names(std::size_t i) {
    const std::string_view text = lines_.line(i);
    if (index_.empty() || text.size() > kMaxNamedLine) return;
    const bool plus = text.find('+') != std::string_view::npos;
    const bool brace = text.find('{') != std::string_view::npos;
    if (plus) plus_chains(i, text);
    if (brace) placeholder_chains(i, text);
    if (text.find("%s%s") != std::string_view::npos || text.find("{}{}") != std::string_view::npos ||
        text.find("{0}{1}") != std::string_view::npos) {
      format_calls(i, text);
    }
  }

  void close() {
    if (count_ > 1) {
      HiddenReading r;
      r.first = first_;
      r.lines = last_ - first_ + 1;
      r.how = "joined strings";
      r.text.assign(prefix_);
      r.text += ' ';
      const std::size_t from = r.text.size();
      r.text += quote_;
      r.text += contents_;
      r.text += quote_;
      r.changed.emplace_back(from, r.text.size());
      out_.push_back(std::move(r));
    }
    count_ = 0;
  }

 private:
  const AddedLines& lines_;
  std::vector<HiddenReading>& out_;
  std::string_view prefix_, name_;
  std::string contents_;
  char quote_ = '"';
  std::size_t first_ = 0, last_ = 0, count_ = 0;

  // A name and the one literal a line assigns it (the name's last word
  // before any `:` type: `const A`, `A: str`, `final String A`). At most
  // kMaxNamed of them, each literal up to kMaxNamedValue bytes.
  struct Named {
    std::string name, value;
    std::size_t line = 0;
  };
  static constexpr std::size_t kMaxNamed = 256, kMaxNamedValue = 256, kMaxNamedLine = 4096, kMaxNamedReadings = 64;
  std::vector<Named> named_;
  std::unordered_map<std::string, std::size_t> index_;  // name -> its entry in named_
  std::size_t readings_ = 0;

  static bool ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

  // The literal remembered for the name text[at, e), if recent enough.
  const Named* lookup(std::string_view name, std::size_t i) const {
    const auto it = index_.find(std::string(name));
    if (it == index_.end()) return nullptr;
    const Named& n = named_[it->second];
    return i - n.line < kMaxJoin ? &n : nullptr;
  }

  // A reading of line `i` with text[from, to) replaced by the value quoted.
  void read_joined(std::size_t i, std::string_view text, std::size_t first, std::size_t from, std::size_t to,
                   const std::string& value) {
    if (readings_ >= kMaxNamedReadings) return;
    ++readings_;
    out_.push_back(spliced_reading(text, from, to, value, first, i - first + 1, "joined names"));
  }

  void plus_chains(std::size_t i, std::string_view text) {
    const auto blanks = [&](std::size_t p) {
      while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
      return p;
    };
    // A `+` joining (not `++`, `+=`) after position p's blanks.
    const auto joins = [&](std::size_t p) {
      p = blanks(p);
      return p < text.size() && text[p] == '+' && !(p + 1 < text.size() && (text[p + 1] == '+' || text[p + 1] == '='));
    };
    char quote = 0;
    for (std::size_t k = 0; k < text.size();) {
      const char c = text[k];
      if (quote || c == '"' || c == '\'' || c == '`') {
        quote = quote == c ? 0 : (quote ? quote : c);
        ++k;
        continue;
      }
      // A name's start: not inside a name nor after a `.` (a member).
      if (!ident(c) || std::isdigit(static_cast<unsigned char>(c)) || (k > 0 && (ident(text[k - 1]) || text[k - 1] == '.'))) {
        ++k;
        continue;
      }
      std::size_t e = k;
      while (e < text.size() && ident(text[e])) ++e;
      if (!joins(e)) {  // no `+` after it: no chain starts here
        k = e;
        continue;
      }
      std::string value;
      std::size_t first = i, parts = 0, end = k;
      for (std::size_t at = k;;) {
        std::size_t f = at;
        while (f < text.size() && ident(text[f])) ++f;
        const Named* n = lookup(text.substr(at, f - at), i);
        if (!n) break;
        value += n->value;
        first = std::min(first, n->line);
        ++parts;
        end = f;
        if (!joins(f)) break;
        const std::size_t p = blanks(blanks(f) + 1);
        if (p >= text.size() || !ident(text[p]) || std::isdigit(static_cast<unsigned char>(text[p]))) break;
        at = p;
      }
      if (parts >= 2) read_joined(i, text, first, k, end, value);
      k = std::max(end, e);
    }
  }

  // `${A}${B}` / `{A}{B}` inside a string: the parts replaced by the value;
  // when they are the whole literal (with its `f`/`$` prefix), the literal.
  void placeholder_chains(std::size_t i, std::string_view text) {
    for (std::size_t p = text.find('{'); p != std::string_view::npos && p < text.size();) {
      const bool dollar = p > 0 && text[p - 1] == '$';
      const std::size_t from = dollar ? p - 1 : p;
      std::string value;
      std::size_t first = i, parts = 0, at = from;
      while (true) {
        std::size_t q = at;
        if (dollar) {
          if (q >= text.size() || text[q] != '$') break;
          ++q;
        }
        if (q >= text.size() || text[q] != '{') break;
        std::size_t e = q + 1;
        while (e < text.size() && ident(text[e]) && text[e] != '$') ++e;
        if (e == q + 1 || e >= text.size() || text[e] != '}') break;
        const Named* n = lookup(text.substr(q + 1, e - q - 1), i);
        if (!n) break;
        value += n->value;
        first = std::min(first, n->line);
        ++parts;
        at = e + 1;
      }
      if (parts >= 2) {
        std::size_t a = from, b = at;
        if (a > 0 && b < text.size() && (text[a - 1] == '"' || text[a - 1] == '\'' || text[a - 1] == '`') && text[b] == text[a - 1]) {
          --a;
          ++b;
          if (a > 0 && (text[a - 1] == 'f' || text[a - 1] == 'F' || text[a - 1] == '$') && (a < 2 || !ident(text[a - 2]))) --a;
        }
        read_joined(i, text, first, a, b, value);
      }
      p = text.find('{', std::max(at, p + 1));
    }
  }

  // A literal of placeholders only (`"%s%s"`, `"{}{}"`, `"{0}{1}"`) and the
  // names it formats: `.format(A, B)` or `% (A, B)` after it, or `, A, B)`
  // after it inside a call (`String.format(`, `fmt.Sprintf(`, `format!(`),
  // read as the whole expression replaced by the value.
  void format_calls(std::size_t i, std::string_view text) {
    for (std::size_t q = 0; q < text.size(); ++q) {
      const char c = text[q];
      if (c != '"' && c != '\'') continue;
      const std::size_t close = text.find(c, q + 1);
      if (close == std::string_view::npos) return;
      const std::string_view body = text.substr(q + 1, close - q - 1);
      std::size_t holes = 0;
      for (std::size_t k = 0; k < body.size();) {
        if (body.substr(k, 2) == "%s" || body.substr(k, 2) == "{}") {
          k += 2;
        } else if (k + 2 < body.size() && body[k] == '{' && std::isdigit(static_cast<unsigned char>(body[k + 1])) && body[k + 2] == '}') {
          k += 3;
        } else {
          holes = 0;
          break;
        }
        ++holes;
      }
      if (holes < 2) {
        q = close;
        continue;
      }
      std::size_t p = close + 1, from = q;
      const auto skip = [&] {
        while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
      };
      skip();
      if (text.substr(p, 8) == ".format(") {
        p += 8;
      } else if (p < text.size() && text[p] == '%') {
        ++p;
        skip();
        if (p >= text.size() || text[p] != '(') continue;
        ++p;
      } else if (p < text.size() && text[p] == ',') {
        // Inside a call: the expression starts at the call's name.
        std::size_t o = q;
        while (o > 0 && (text[o - 1] == ' ' || text[o - 1] == '\t')) --o;
        if (o == 0 || text[o - 1] != '(') continue;
        --o;
        while (o > 0 && (ident(text[o - 1]) || text[o - 1] == '.' || text[o - 1] == '!' || text[o - 1] == ':')) --o;
        from = o;
        ++p;
      } else {
        continue;
      }
      std::string value;
      std::size_t first = i, parts = 0;
      while (true) {
        skip();
        std::size_t e = p;
        while (e < text.size() && ident(text[e])) ++e;
        const Named* n = e > p ? lookup(text.substr(p, e - p), i) : nullptr;
        if (!n) break;
        value += n->value;
        first = std::min(first, n->line);
        ++parts;
        p = e;
        skip();
        if (p < text.size() && text[p] == ',') {
          ++p;
          continue;
        }
        break;
      }
      if (parts >= 2 && parts == holes && p < text.size() && text[p] == ')') read_joined(i, text, first, from, p + 1, value);
      q = close;
    }
  }

  void remember(std::string_view left, std::string_view body, std::size_t i) {
    if (named_.size() >= kMaxNamed || body.size() > kMaxNamedValue || body.empty()) return;
    if (const auto colon = left.find(':'); colon != std::string_view::npos) left = trim(left.substr(0, colon));
    if (const auto blank = left.find_last_of(" \t"); blank != std::string_view::npos) left = left.substr(blank + 1);
    if (left.empty() || left.size() > 64) return;
    for (const char c : left) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$')) return;
    }
    std::string name(left);
    if (const auto it = index_.find(name); it != index_.end()) {
      named_[it->second] = {std::move(name), std::string(body), i};  // the latest assignment counts
      return;
    }
    index_.emplace(name, named_.size());
    named_.push_back({std::move(name), std::string(body), i});
  }
};

// ------------------------------------------- a join with a separator

// Literals joined on one line with a one-character separator (session 26,
// the lead's list): `"_".join(["sk", "live", "…"])`, `['sk', 'live',
// '…'].join('_')`, `strings.Join([]string{"glpat", "…"}, "-")`. The reading
// is the line with the expression replaced by the joined value (a vendor's
// prefix is put back together). The list holds literals only.
void separator_joins(std::string_view line, std::size_t i, std::vector<HiddenReading>& out) {
  if (line.find("oin") == std::string_view::npos || line.size() > kMaxJoinedBytes) return;
  static const re2::RE2 re(
      R"re(["']([_.:/|-])["']\s*\.\s*join\s*\(\s*[\[(]([^\[\]()]*)[\])]\s*\)|\[([^\[\]]*)\]\s*\.\s*join\s*\(\s*["']([_.:/|-])["']\s*\)|\bstrings\.Join\s*\(\s*\[\]string\s*\{([^{}]*)\}\s*,\s*"([_.:/|-])"\s*\))re");
  re2::StringPiece m[7];
  std::size_t pos = 0, readings = 0;
  while (readings < 16 && pos < line.size() && re.Match(line, pos, line.size(), re2::RE2::UNANCHORED, m, 7)) {
    const auto begin = static_cast<std::size_t>(m[0].data() - line.data());
    const std::size_t end = begin + m[0].size();
    pos = end;
    const re2::StringPiece list = m[2].data() ? m[2] : m[3].data() ? m[3] : m[5];
    const re2::StringPiece sep = m[1].data() ? m[1] : m[4].data() ? m[4] : m[6];
    // The list: literals and commas only.
    std::string value;
    std::size_t parts = 0;
    std::string_view rest = trim(std::string_view(list.data(), list.size()));
    bool ok = true;
    while (!rest.empty()) {
      const char q = rest[0];
      const auto close = q == '"' || q == '\'' ? rest.find(q, 1) : std::string_view::npos;
      if (close == std::string_view::npos || rest.substr(1, close - 1).find('\\') != std::string_view::npos) {
        ok = false;
        break;
      }
      if (parts++) value.append(sep.data(), sep.size());
      value.append(rest.substr(1, close - 1));
      rest = trim(rest.substr(close + 1));
      if (!rest.empty() && rest[0] == ',') rest = trim(rest.substr(1));
    }
    if (!ok || parts < 2) continue;
    ++readings;
    out.push_back(spliced_reading(line, begin, end, value, i, 1, "literals joined with a separator"));
  }
}

// ------------------------------------------------------ reversed literals

// A literal written backwards and reversed where it is used: Python's
// "..."[::-1], Ruby's "...".reverse, JavaScript's '...'.split('').reverse(),
// PHP's strrev('...'). The reading holds the literal turned round, after up
// to kMaxContext bytes of the line before it (the name a rule reads).
void reversed_literals(std::string_view line, std::size_t i, std::vector<Literal>& lits,
                       std::vector<HiddenReading>& out) {
  if (line.find("[::-1]") == std::string_view::npos && line.find("reverse") == std::string_view::npos &&
      line.find("strrev") == std::string_view::npos) {
    return;
  }
  literals(line, lits);
  std::size_t readings = 0;  // a long line of reversed words: bounded copies
  for (const Literal& l : lits) {
    if (readings == 16) break;
    const std::string_view after = trim(line.substr(l.end));
    const std::string_view before = trim(line.substr(0, l.begin));
    const bool reversed = after.starts_with("[::-1]") || after.starts_with(".reverse") ||
                          ((after.starts_with(".split('')") || after.starts_with(".split(\"\")")) &&
                           after.substr(10).starts_with(".reverse(")) ||
                          before.ends_with("strrev(");
    if (!reversed || l.end - l.begin < 18) continue;  // a short word reversed is no secret
    HiddenReading r;
    r.first = i;
    r.how = "reversed string";
    const std::size_t keep = std::min(l.begin, kMaxContext);
    r.text = trim(line.substr(l.begin - keep, keep));
    if (!r.text.empty()) r.text += ' ';
    const std::size_t from = r.text.size();
    const std::string_view body = line.substr(l.begin + 1, l.end - l.begin - 2);
    r.text += l.quote;
    r.text.append(body.rbegin(), body.rend());
    r.text += l.quote;
    r.changed.emplace_back(from, r.text.size());
    r.raw.emplace_back(body);
    out.push_back(std::move(r));
    ++readings;
  }
}

// ------------------------------------------------------------- char codes

// Character codes written as numbers and turned into a string where used:
// JavaScript's String.fromCharCode(115, 107, …), Python's bytes([…]) or
// chr(c) for c in […], Go's string([]byte{…}), C#'s GetString(new byte[]
// {…}). A run of at least kMinCodes codes of printable ASCII (decimal or
// 0x hex) is read as a literal, after the line's name part.
constexpr std::size_t kMinCodes = 8;

bool may_hold_codes(std::string_view line) {
  // "yte" for bytes([, byte{ and byte[]; "hr(" for chr(.
  return line.find("yte") != std::string_view::npos || line.find("hr(") != std::string_view::npos ||
         line.find("CharCode") != std::string_view::npos || line.find("GetString(") != std::string_view::npos;
}

void char_codes(std::string_view line, std::size_t i, std::vector<HiddenReading>& out) {
  std::size_t k = 0;
  while (k < line.size()) {
    // A run: number, comma, number, …
    std::size_t start = k, j = k, count = 0;
    std::string text;
    while (j < line.size()) {
      std::size_t q = j;
      int base = 10;
      if (q + 1 < line.size() && line[q] == '0' && (line[q + 1] == 'x' || line[q + 1] == 'X')) {
        base = 16;
        q += 2;
      }
      long v = 0;
      std::size_t digits = 0;
      while (q < line.size() && digits < 4 && (base == 16 ? is_hex(line[q]) : (line[q] >= '0' && line[q] <= '9'))) {
        v = v * base + hex_digit(line[q]);
        ++q;
        ++digits;
      }
      if (digits == 0 || v < 0x20 || v >= 0x7f || (q < line.size() && (is_hex(line[q]) || line[q] == '.'))) break;
      text += static_cast<char>(v);
      ++count;
      j = q;
      while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
      if (j >= line.size() || line[j] != ',') break;
      ++j;
      while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    }
    if (count >= kMinCodes && (start == 0 || !std::isalnum(static_cast<unsigned char>(line[start - 1])))) {
      const std::size_t keep = std::min(start, kMaxContext);
      out.push_back(literal_reading(i, 1, "character codes", call_free(std::string(trim(line.substr(start - keep, keep)))), text));
      return;  // one run a line
    }
    k = j > start ? j : start + 1;
  }
}

// ------------------------------------------------------- next-line values

// The name part of a line whose value starts on the next line, and the
// quote to write the value in: `key: |` / `key: >-` (YAML block scalar),
// `key = <<EOT` / `<<-EOT` (HCL heredoc), `key = '''` / `"""` (TOML,
// Python).
std::optional<std::pair<std::string_view, char>> value_follows(std::string_view line) {
  const std::string_view t = trim(line);
  if (t.size() < 3) return std::nullopt;
  // YAML: ": |" or ": >" with up to two indicator characters.
  const auto colon = t.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < t.size()) {
    const std::string_view v = trim(t.substr(colon + 1));
    if (!v.empty() && v.size() <= 3 && (v[0] == '|' || v[0] == '>') &&
        v.substr(1).find_first_not_of("+-0123456789") == std::string_view::npos) {
      return std::make_pair(t.substr(0, colon + 1), '\0');
    }
  }
  const auto eq = t.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  const std::string_view v = trim(t.substr(eq + 1));
  if (v == "'''" || v == "\"\"\"") return std::make_pair(t.substr(0, eq + 1), v[0]);
  if (v.size() > 2 && v.substr(0, 2) == "<<") {
    std::string_view tag = v.substr(v[2] == '-' || v[2] == '~' ? 3 : 2);
    if (!tag.empty() && (tag.front() == '"' || tag.front() == '\'')) tag = tag.substr(1, tag.size() >= 2 ? tag.size() - 2 : 0);
    const bool word = !tag.empty() && std::all_of(tag.begin(), tag.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (word) return std::make_pair(t.substr(0, eq + 1), '"');
  }
  return std::nullopt;
}

// ------------------------------------- a name and its value as two fields

// `"field": "text"` at the start of `s` (after blanks): the text, and `s`
// advanced past it; nothing when `s` does not start so, or the text holds
// a backslash (an escape: not worth decoding here) or is longer than
// `max`.
std::optional<std::string_view> json_field(std::string_view& s, std::string_view field, std::size_t max) {
  std::string_view t = trim(s);
  if (t.size() < field.size() + 2 || t[0] != '"' || t.substr(1, field.size()) != field || t[field.size() + 1] != '"') return std::nullopt;
  t = trim(t.substr(field.size() + 2));
  if (t.empty() || t[0] != ':') return std::nullopt;
  t = trim(t.substr(1));
  if (t.empty() || t[0] != '"') return std::nullopt;
  const auto close = t.find_first_of("\"\\", 1);
  if (close == std::string_view::npos || t[close] != '"' || close - 1 > max) return std::nullopt;
  const std::string_view text = t.substr(1, close - 1);
  s = t.substr(close + 1);
  return text;
}

// The last reading (a name and its value read together) once more with
// its encoded runs decoded: a HAR's `"name": "Authorization"` and, on the
// next line, `"value": "Basic <base64 of user:password>"` (one level, as
// every reading).
void decoded_pair(std::vector<HiddenReading>& out) {
  HiddenReading d;
  if (!decode_runs(out.back().text, d)) return;
  d.first = out.back().first;
  d.lines = out.back().lines;
  out.push_back(std::move(d));
}

// API clients' exports hold a setting as a name field and a value field:
// Postman's variables and auth (`{"key": "apiKey", "value": "…"}`),
// Insomnia's and Bruno's pairs, a HAR's headers (`"name":
// "Authorization"`, then `"value": "Bearer …"`), on one line or on two.
// Read as `"apiKey": "…"`, so the rules read the name with its value.
// Postman's API-key auth names the key's own field "value" (`{"key":
// "value", "value": "<the key>"}`, beside `{"key": "key", "value":
// "X-API-Key"}`): read as apiKey.
void named_value(const AddedLines& lines, std::size_t i, std::vector<HiddenReading>& out) {
  std::string_view rest = trim(lines.line(i));
  if (rest.starts_with('[')) rest = trim(rest.substr(1));  // a minified array of pairs
  if (rest.starts_with('{')) rest.remove_prefix(1);         // the pair as one object on one line
  auto name = json_field(rest, "key", 64);
  if (!name) name = json_field(rest, "name", 64);
  // CloudFormation's parameter files and `--parameters` JSON (session 26).
  const char* value_field = "value";
  if (!name && (name = json_field(rest, "ParameterKey", 64))) value_field = "ParameterValue";
  if (!name || name->empty()) return;
  if (*name == "value") name = std::string_view("apiKey");
  rest = trim(rest);
  if (!rest.empty() && rest[0] == ',') rest = trim(rest.substr(1));
  std::size_t count = 1;
  if (rest.empty()) {  // the value on the next line
    if (i + 1 >= lines.size() || lines.number(i + 1) != lines.number(i) + 1) return;
    rest = lines.line(i + 1);
    count = 2;
  }
  const auto value = json_field(rest, value_field, kMaxJoinedBytes);
  if (!value || value->empty()) return;
  out.push_back(literal_reading(i, count, "name and value fields", "\"" + std::string(*name) + "\":", *value));
  decoded_pair(out);
}

// The same pair in YAML and Bruno's request files, one field a line: a
// Kubernetes container's `- name: DB_PASSWORD` then `value: "…"`, Bruno's
// `auth:apikey {` block (`key: X-API-Key`, then `value: …`), Insomnia's
// YAML export. Read as `DB_PASSWORD: "…"` at the name's indent. (The
// caller has seen the line start with `key:`, `name:`, `- name:` or `- ParameterKey:`.)
void named_value_lines(const AddedLines& lines, std::size_t i, std::vector<HiddenReading>& out) {
  if (i + 1 >= lines.size() || lines.number(i + 1) != lines.number(i) + 1) return;
  const std::string_view line = lines.line(i);
  std::string_view name = trim(line);
  if (name.starts_with("- ")) name = trim(name.substr(2));
  name = trim(name.substr(name.find(':') + 1));
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') && name.back() == name.front()) {
    name = name.substr(1, name.size() - 2);
  }
  if (name.empty() || name.size() > 64 || name.find_first_of(" \t\"'#:") != std::string_view::npos) return;
  // In Bruno's `auth:apikey {` block the value is an API key whatever the
  // header is called (`key: X-Partner-Key`, session 25).
  if (i > 0 && lines.number(i - 1) + 1 == lines.number(i) && trim(lines.line(i - 1)).starts_with("auth:apikey")) name = "apiKey";
  std::string_view value = trim(lines.line(i + 1));
  // CloudFormation's parameters in YAML (`- ParameterKey: DBPassword`, then
  // `ParameterValue: …`: StackSets, sceptre, Ansible's template_parameters).
  const std::string_view field = trim(line).find("ParameterKey:") != std::string_view::npos ? "ParameterValue:" : "value:";
  if (!value.starts_with(field)) return;
  value = trim(value.substr(field.size()));
  if (value.empty()) return;
  HiddenReading r;
  r.first = i;
  r.lines = 2;
  r.how = "name and value fields";
  r.text.assign(line.substr(0, line.find_first_not_of(" \t-")));
  r.text += name;
  r.text += ": ";
  const std::size_t from = r.text.size();
  r.text += value;
  r.changed.emplace_back(from, r.text.size());
  out.push_back(std::move(r));
  decoded_pair(out);
}

// A value in an object of its own on the line after its name (Terraform's
// plan, ARM parameters: `"db_password": {`, then `"value": "…"`), read as
// the two lines joined. (The caller has seen the line end with `{`.)
void object_value_lines(const AddedLines& lines, std::size_t i, std::vector<HiddenReading>& out) {
  if (i + 1 >= lines.size() || lines.number(i + 1) != lines.number(i) + 1) return;
  const std::string_view head = trim(lines.line(i));
  const std::string_view value = trim(lines.line(i + 1));
  if (head.size() + value.size() > kMaxObjectText || !value.starts_with("\"value\"") || head.find('"') == std::string_view::npos) return;
  HiddenReading r;
  r.first = i;
  r.lines = 2;
  r.how = "name and value fields";
  r.text.assign(head);
  r.text += ' ';
  const std::size_t from = r.text.size();
  r.text += value;
  r.changed.emplace_back(from, r.text.size());
  out.push_back(std::move(r));
}

// ---------------------------------------------- arguments and rows over lines

// One argument a line: a literal or a name (`'AC…',`, `"…");`,
// `settings.USER,`), its commas and closing parentheses stripped, and how
// many parentheses close; nothing for anything else (a dict, a list, a
// call, a tuple of names: a test's parameters).
struct Argument {
  std::string_view text;
  int closes = 0;
  bool literal = false;
};
std::optional<Argument> argument_line(std::string_view t) {
  Argument a;
  while (!t.empty() && (t.back() == ';' || t.back() == ',' || t.back() == ')')) {
    a.closes += t.back() == ')';
    t.remove_suffix(1);
    t = trim(t);
  }
  a.text = t;
  if (t.empty()) return a;
  const char q = t.front();
  if (q == '"' || q == '\'' || q == '`') {
    if (t.size() < 2 || t.back() != q || t.substr(1, t.size() - 2).find(q) != std::string_view::npos) return std::nullopt;
    a.literal = true;
    return a;
  }
  for (const char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return std::nullopt;
  }
  return a;
}

// A call whose arguments follow its line, one a line (`twilio(`, then
// `'AC…',` and `'…'` and `)`): the call and its arguments read as one
// line, so a rule reads a literal argument beside its call and the
// arguments before it. Up to 8 lines, until the parenthesis closes; each
// argument a literal or a name, and one literal holding a digit and a
// letter or a symbol (not `%`: a format), as a key or password does (a list of field names,
// `"client_secret",` then `"redirect_uri",`, is no credential). (The
// caller has seen the line end with `(`.)
// (At most kMaxCallText bytes: the lines are untrusted, and 8 lines of a
// megabyte each would make one reading of 8 MB.)
constexpr std::size_t kMaxCallText = 4096;
void call_arguments(const AddedLines& lines, std::size_t i, std::vector<HiddenReading>& out) {
  const std::string_view line = lines.line(i);
  if (trim(line).size() > kMaxCallText) return;
  std::string text(trim(line));
  // A call: a name before the parenthesis (a bare `(` opens a tuple).
  if (text.size() < 2 || !(std::isalnum(static_cast<unsigned char>(text[text.size() - 2])) || text[text.size() - 2] == '_')) return;
  const std::size_t from = text.size();
  bool generated = false;
  std::size_t j = i + 1;
  for (bool closed = false; !closed; ++j) {
    if (j >= lines.size() || j > i + 8 || lines.number(j) != lines.number(j - 1) + 1) return;
    const std::string_view t = trim(lines.line(j));
    // A line past the cap, or one that is no argument (an options object),
    // ends the reading with the arguments before it: padding after a key
    // must not hide the key (read25a).
    const auto arg = text.size() + t.size() > kMaxCallText ? std::nullopt : argument_line(t);
    if (!arg || arg->closes > 1) {
      if (text.size() == from) return;
      break;
    }
    closed = arg->closes == 1;
    if (arg->literal) {
      bool letter = false, digit = false, symbol = false;
      for (const char c : arg->text.substr(1, arg->text.size() - 2)) {
        letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        digit |= c >= '0' && c <= '9';
        symbol |= c == '!' || c == '@' || c == '#' || c == '$' || c == '^' || c == '&' || c == '*' || c == '+' || c == '=' || c == '~' || c == '?';
      }
      generated |= letter && (digit || symbol);
    }
    if (text.size() > from || !t.starts_with(')')) text += ' ';
    text += t;
  }
  if (!generated) return;
  HiddenReading r;
  r.first = i;
  r.lines = j - i;
  r.how = "call over lines";
  r.text = std::move(text);
  r.changed.emplace_back(from, r.text.size());
  out.push_back(std::move(r));
}

// `needle` (lowercase) in `s`, whatever its case.
std::size_t find_nocase(std::string_view s, std::string_view needle) {
  for (std::size_t k = 0; k + needle.size() <= s.size(); ++k) {
    std::size_t n = 0;
    while (n < needle.size() && (s[k + n] | 0x20) == needle[n]) ++n;
    if (n == needle.size()) return k;
  }
  return std::string_view::npos;
}

// `word` (lowercase) in `s` as a word of its own (not inside an identifier
// such as `config_values`), whatever its case.
std::size_t find_word_nocase(std::string_view s, std::string_view word) {
  const auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t from = 0; from < s.size();) {
    const std::size_t k = find_nocase(s.substr(from), word);
    if (k == std::string_view::npos) return k;
    const std::size_t at = from + k, end = at + word.size();
    if ((at == 0 || !ident(s[at - 1])) && (end == s.size() || !ident(s[end]))) return at;
    from = at + 1;
  }
  return std::string_view::npos;
}

// An SQL INSERT whose rows follow on lines of their own (`INSERT INTO
// api_clients (name, secret)`, `VALUES`, `('billing', '…'),`, `('crm',
// '…');`): each row read with the statement's head, `INSERT INTO
// api_clients (name, secret) VALUES ('billing', '…')`, as the rules read a
// one-line INSERT. Up to 64 rows; the head within 3 lines and kMaxSqlText
// bytes, each row too (read24b: heads of column names 340 KB long made a
// 1 MB file 157 MB of readings). Only the INSERT nearest its VALUES reads
// the rows. (The caller has seen an .sql file's line start with INSERT.)
constexpr std::size_t kMaxSqlText = 4096;

// The parentheses `t` leaves open, from `depth` (quoted text not counted).
// A backslash escapes the next character inside quotes (MySQL's `\'`).
int open_parens(std::string_view t, int depth) {
  char quote = 0;
  for (std::size_t n = 0; n < t.size(); ++n) {
    const char c = t[n];
    if (quote) {
      if (c == '\\') ++n;
      else if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else {
      depth += (c == '(') - (c == ')');
    }
  }
  return depth;
}

void insert_rows(const AddedLines& lines, std::size_t i, std::vector<HiddenReading>& out) {
  std::string head;
  std::size_t j = i;
  std::size_t values = std::string_view::npos;
  for (; j < lines.size() && j < i + 3; ++j) {
    if (j > i && lines.number(j) != lines.number(j - 1) + 1) return;
    const std::string_view t = trim(lines.line(j));
    if (j > i && find_nocase(t.substr(0, 6), "insert") == 0) return;  // that INSERT reads them
    if (!head.empty()) head += ' ';
    head += t;
    if (head.size() > kMaxSqlText) return;
    values = find_word_nocase(head, "values");
    if (values != std::string_view::npos) break;
  }
  if (values == std::string_view::npos || j >= lines.size()) return;
  // A first row after VALUES on the head's last line is read with the head
  // when the head spans lines; rows on the lines after it, each.
  const std::string first_row(trim(std::string_view(head).substr(values + 6)));
  head.resize(values + 6);
  const auto row = [&](std::size_t at, std::size_t count, std::string_view text) {
    while (!text.empty() && (text.back() == ',' || text.back() == ';')) text.remove_suffix(1);
    HiddenReading r;
    r.first = at;
    r.lines = count;
    r.how = "SQL rows";
    r.text = head + ' ';
    const std::size_t from = r.text.size();
    r.text += text;
    r.changed.emplace_back(from, r.text.size());
    out.push_back(std::move(r));
  };
  // A row over lines (`(`, its values one a line, `);`, session 25) is
  // read whole: its lines up to the parenthesis that closes it, within
  // the 64 lines and kMaxSqlText bytes. `k` becomes the row's last line.
  const auto whole_row = [&](std::string text, std::size_t& k) -> std::optional<std::string> {
    for (int depth = open_parens(text, 0); depth > 0;) {
      if (k + 1 >= lines.size() || k + 1 > j + 64 || lines.number(k + 1) != lines.number(k) + 1) return std::nullopt;
      const std::string_view t = trim(lines.line(++k));
      if (text.size() + t.size() > kMaxSqlText) return std::nullopt;
      if (!text.ends_with('(')) text += ' ';
      text += t;
      depth = open_parens(t, depth);
    }
    return text;
  };
  std::size_t k = j;
  if (!first_row.empty()) {
    if (!first_row.starts_with('(')) return;
    // A row whose end is not found (an unbalanced quote, a cap) is read
    // as its own line, as before rows over lines were read: never skipped.
    auto whole = whole_row(first_row, k);
    if (!whole) k = j, whole = first_row;
    if (k > i) row(i, k - i + 1, *whole);
    if (whole->ends_with(';')) return;
  }
  for (++k; k < lines.size() && k <= j + 64; ++k) {
    if (lines.number(k) != lines.number(k - 1) + 1) return;
    const std::string_view t = trim(lines.line(k));
    if (!t.starts_with('(') || t.size() > kMaxSqlText) return;
    const std::size_t at = k;
    auto whole = whole_row(std::string(t), k);
    if (!whole) k = at, whole = std::string(t);
    row(i, k - i + 1, *whole);
    if (whole->ends_with(';')) return;
  }
}

// Line `i`'s value when it starts on the next line (the caller has seen a
// '<' in the line, or the line ending in a block indicator or a triple
// quote).
void next_line_value(const AddedLines& lines, std::size_t i, std::vector<HiddenReading>& out) {
  if (i + 1 >= lines.size()) return;
  const std::string_view line = lines.line(i);
  const auto name = value_follows(line);
  if (!name || lines.number(i + 1) != lines.number(i) + 1) return;
  std::string_view value = trim(lines.line(i + 1));
  for (std::string_view close : {"'''", "\"\"\""}) {
    if (value.ends_with(close)) value.remove_suffix(3);
  }
  if (value.empty()) return;
  HiddenReading r;
  r.first = i;
  r.lines = 2;
  r.how = "next line";
  const std::size_t indent = line.find_first_not_of(" \t");
  r.text.assign(line.substr(0, indent));
  r.text += name->first;
  r.text += ' ';
  const std::size_t from = r.text.size();
  if (name->second) r.text += name->second;
  r.text += value;
  if (name->second) r.text += name->second;
  r.changed.emplace_back(from, r.text.size());
  out.push_back(std::move(r));
}

// `key = '''value'''` on one line (TOML, Python): the value as a plain
// literal (the rules read a quote, then the value, then a quote).
void one_line_triple(std::string_view line, std::size_t i, std::vector<HiddenReading>& out) {
  const std::string_view t = trim(line);
  if (t.size() < 7) return;
  const std::string_view q = t.substr(t.size() - 3);
  if (q != "'''" && q != "\"\"\"") return;
  const auto open = t.find(q);
  if (open + 6 >= t.size()) return;  // only the closing quotes, or an empty string
  HiddenReading r;
  r.first = i;
  r.how = "multi-line string";
  r.text.assign(t.substr(0, open));
  const std::size_t from = r.text.size();
  r.text += q[0];
  r.text += t.substr(open + 3, t.size() - 6 - open);
  r.text += q[0];
  r.changed.emplace_back(from, r.text.size());
  out.push_back(std::move(r));
}

// A shell heredoc that writes a netrc (or a netrc file's own lines): its
// body as the one-line netrc form, `machine H login U password P`.
bool netrc_target(std::string_view line) {
  return line.find("<<") != std::string_view::npos &&
         (line.find(".netrc") != std::string_view::npos || line.find("_netrc") != std::string_view::npos);
}

void netrc_blocks(const AddedLines& lines, const std::vector<std::size_t>& from, bool netrc_file,
                  std::vector<HiddenReading>& out) {
  for (std::size_t i : from) {
    const bool heredoc = netrc_target(lines.line(i));
    if (!heredoc && !(netrc_file && trim(lines.line(i)).substr(0, 8) == "machine ")) continue;
    HiddenReading r;
    r.first = heredoc ? i + 1 : i;
    r.how = "netrc lines";
    std::size_t j = r.first;
    for (; j < lines.size() && j - r.first < 16; ++j) {
      if (j > r.first && lines.number(j) != lines.number(j - 1) + 1) break;
      const std::string_view t = trim(lines.line(j));
      if (j > r.first && (t.substr(0, 8) == "machine " || t.find(' ') == std::string_view::npos)) break;
      if (!r.text.empty()) r.text += ' ';
      r.text += t;
    }
    if (j - r.first < 2) continue;
    r.lines = j - r.first;
    r.changed.emplace_back(0, r.text.size());
    out.push_back(std::move(r));
  }
}

// --------------------------------------------------------------- notebooks

// A notebook's source line is a JSON string: `"db_password = \"…\"\n",`.
void notebook_sources(const AddedLines& lines, std::vector<HiddenReading>& out) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = trim(lines.line(i));
    if (t.ends_with(",")) t.remove_suffix(1);
    if (t.size() < 2 || t.front() != '"' || t.back() != '"' || t.find('\\') == std::string_view::npos) continue;
    HiddenReading r;
    r.first = i;
    r.how = "notebook source";
    for (std::size_t k = 1; k + 1 < t.size(); ++k) {
      if (t[k] != '\\' || k + 2 >= t.size()) {
        r.text += t[k];
        continue;
      }
      const char e = t[++k];
      if (e == 'n' || e == 'r') continue;  // the line's own end
      r.text += e == 't' ? ' ' : e;        // \" \\ \/ and the rest as written
    }
    r.changed.emplace_back(0, r.text.size());
    out.push_back(std::move(r));
  }
}

// Whether a line ends in an opening bracket (a list or call that goes on).
bool opens_list(std::string_view line) {
  std::size_t e = line.size();
  while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) --e;
  return e > 0 && (line[e - 1] == '(' || line[e - 1] == '[' || line[e - 1] == '{');
}

// One pass over a line's bytes (a table lookup each): which readings
// could differ from the line. Most lines of code stop here.
struct Flags {
  bool quote = false, escape = false, percent = false, lt = false;
  bool block_end = false;  // ends in a YAML block indicator or a triple quote
  bool comma = false;      // a list of character codes has commas
  std::size_t run = 0;     // the longest run of base64 characters
};

enum : unsigned char { kQuoteBit = 1, kEscapeBit = 2, kPercentBit = 4, kLtBit = 8, kB64Bit = 16, kCommaBit = 32 };

constexpr std::array<unsigned char, 256> kMarks = [] {
  std::array<unsigned char, 256> t{};
  for (std::size_t b = 0; b < 256; ++b) t[b] = kB64[b] >= 0 ? kB64Bit : 0;
  t['"'] = t['\''] = t['`'] = kQuoteBit;
  t['\\'] = kEscapeBit;
  t['%'] = kPercentBit;
  t['<'] = kLtBit;
  t[','] = kCommaBit;
  return t;
}();

Flags flags_of(std::string_view s) {
  Flags f;
  unsigned marks = 0;
  std::size_t run = 0;
  for (char c : s) {
    const unsigned m = kMarks[static_cast<unsigned char>(c)];
    marks |= m;
    run = (m & kB64Bit) ? run + 1 : 0;
    if (run >= kMinRun) f.run = run;
  }
  f.comma = (marks & kCommaBit) != 0;
  f.quote = (marks & kQuoteBit) != 0;
  f.escape = (marks & kEscapeBit) != 0;
  f.percent = (marks & kPercentBit) != 0;
  f.lt = (marks & kLtBit) != 0;
  std::size_t end = s.size();
  while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) --end;
  for (std::size_t k = end > 3 ? end - 3 : 0; k < end; ++k) f.block_end |= s[k] == '|' || s[k] == '>';
  f.block_end |= end >= 3 && (s[end - 1] == '\'' || s[end - 1] == '"') && s[end - 2] == s[end - 1] && s[end - 3] == s[end - 1];
  return f;
}

}  // namespace

bool decode_runs(std::string_view s, HiddenReading& out) {
  std::string text;
  std::size_t copied = 0;  // s[copied..) not yet in text
  std::string_view how;
  auto replace = [&](std::size_t begin, std::size_t end, std::string_view decoded, std::string_view kind) {
    text.append(s.substr(copied, begin - copied));
    out.changed.emplace_back(text.size(), text.size() + decoded.size());
    text += decoded;
    if (end - begin >= kMinRun) out.raw.emplace_back(s.substr(begin, end - begin));
    copied = end;
    how = how.empty() || how == kind ? kind : std::string_view("encodings");
  };
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '\\' && i + 3 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'u')) {
      bool unicode = false;
      if (auto run = escapes_at(s, i, unicode)) {
        replace(i, run->first, run->second, unicode ? "\\u escapes" : "\\x escapes");
        i = run->first;
        continue;
      }
      i += 2;
      continue;
    }
    if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      const int v = hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]);
      if (v > 0x20 && v < 0x7f) {
        const char ch = static_cast<char>(v);
        replace(i, i + 3, std::string_view(&ch, 1), "percent encoding");
      }
      i += 3;
      continue;
    }
    if (!b64_char(c)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && b64_char(s[j])) ++j;
    std::size_t end = j;
    while (end < s.size() && end - j < 2 && s[end] == '=') ++end;
    const std::string_view run = s.substr(i, end - i);
    if (run.size() >= kMinRun && run.size() <= kMaxRun) {
      const bool hex = j - i == run.size() && run.size() % 2 == 0 && std::all_of(run.begin(), run.end(), is_hex);
      auto decoded = hex ? hex_decode(run) : b64_decode(run);
      if (decoded && decoded->size() >= 8) replace(i, end, *decoded, hex ? "hex" : "base64");
    }
    i = end;
  }
  if (copied == 0) return false;
  text.append(s.substr(copied));
  out.text = std::move(text);
  out.how = how;
  return true;
}

bool pem_private_begin(std::string_view line) {
  const std::string_view t = trim(line);
  return t.substr(0, 11) == "-----BEGIN " && t.ends_with("PRIVATE KEY-----");
}

bool pem_end(std::string_view line) { return trim(line).substr(0, 9) == "-----END "; }

HiddenReading pem_body_reading(std::string_view begin_line, std::string_view body, std::size_t index) {
  HiddenReading r;
  r.first = index;
  r.how = "key body under an existing BEGIN line";
  r.text.assign(trim(begin_line));
  r.text += ' ';
  const std::size_t from = r.text.size();
  r.text += trim(body);
  r.changed.emplace_back(from, r.text.size());
  return r;
}

std::vector<HiddenReading> hidden_readings(const AddedLines& lines, std::string_view path) {
  std::vector<HiddenReading> out;
  const std::size_t n = lines.size();
  const auto slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const bool netrc_file = base == ".netrc" || base == "_netrc";
  const bool sql = path.ends_with(".sql") || path.ends_with(".SQL");
  std::vector<std::size_t> netrc_from;
  Joiner joiner(lines, juxtaposition_joins(path), out);
  Accumulator accumulator(lines, out);
  std::vector<Literal> reversed_lits;  // reused from line to line
  std::vector<std::size_t> join_lines;  // lines that may join a list by its name
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view line = lines.line(i);
    const Flags f = flags_of(line);
    if (f.escape || f.percent || f.run >= kMinRun) {
      HiddenReading r;
      r.first = i;
      if (decode_runs(line, r)) out.push_back(std::move(r));
    }
    joiner.line(i, f.quote);
    accumulator.line(i, f.quote, joiner.literals_of_line());
    accumulator.joined_names(i);
    if (f.quote) {
      reversed_literals(line, i, reversed_lits, out);
      separator_joins(line, i, out);
      if (may_join(line)) join_lines.push_back(i);
      if (const auto head = trim(line).substr(0, 8);
          head.find("\"key\"") != std::string_view::npos || head.find("\"name\"") != std::string_view::npos ||
          (head.find("\"Param") != std::string_view::npos && trim(line).substr(0, 18).find("\"ParameterKey\"") != std::string_view::npos)) {
        named_value(lines, i, out);
      }
    } else if (opens_list(line) && (line.find("Join(") != std::string_view::npos || line.find("Concat(") != std::string_view::npos)) {
      join_lines.push_back(i);  // `strings.Join([]string{`, `string.Concat(`: the literals follow
    }
    if (f.comma && may_hold_codes(line)) char_codes(line, i, out);
    if (const std::string_view t = trim(line); !t.empty()) {
      if (t.back() == '(' && i + 1 < n) call_arguments(lines, i, out);
      if (t.back() == '{' && f.quote && i + 1 < n) object_value_lines(lines, i, out);
      if (t.starts_with("key:") || t.starts_with("name:") || t.starts_with("- name:") || t.starts_with("- ParameterKey:")) {
        named_value_lines(lines, i, out);
      }
      if (sql && (t[0] == 'I' || t[0] == 'i') && find_nocase(t.substr(0, 6), "insert") == 0) insert_rows(lines, i, out);
    }
    if (f.lt || f.block_end) next_line_value(lines, i, out);
    if (f.block_end) one_line_triple(line, i, out);
    if (netrc_file ? trim(line).starts_with("machine ") : f.lt && netrc_target(line)) netrc_from.push_back(i);
  }
  joiner.close({});
  accumulator.close();
  if (!join_lines.empty()) {
    joined_lists(lines, join_lines, out);
    joined_open_lists(lines, join_lines, out);
    sliced_joins(lines, join_lines, out);
  }
  if (!netrc_from.empty()) netrc_blocks(lines, netrc_from, netrc_file, out);
  if (path.ends_with(".ipynb")) notebook_sources(lines, out);
  return out;
}

}  // namespace reviewer::safety
