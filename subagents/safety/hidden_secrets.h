// Readings of added lines in which a secret shows that the raw lines hide
// from the secret rules (which match one raw line each): a run of base64,
// base64url, hex, percent, \xNN or \uXXXX encoding decoded in place; string
// literals joined across `+`, `.`, `..`, juxtaposition or a line
// continuation (also over lines: an operator at a line's end, a shell word
// continued by `\`), appended with `+=` / `.=`, or kept in a list over
// several lines that a later line joins by its name with an empty
// separator; a value on the line after its name (a YAML block scalar, an
// HCL heredoc, a TOML or Python multi-line string); a name field and a
// value field (`"key": "apiKey"`, `"value": "…"`: API clients' exports,
// HARs) read as `"apiKey": "…"`; a notebook's JSON-escaped source line. The scanner runs the secret rules over these
// readings and reports a value only where it overlaps what decoding or
// joining produced.
//
// Bounded: one level of decoding; runs of 16 to kMaxRun characters; only
// runs that decode to printable ASCII (decoding stops at the first other
// byte, so ordinary identifiers cost a few bytes each); at most kMaxJoin
// lines joined. Linear in the lines read.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reviewer::safety {

// Base64 or base64url (not both alphabets in one run) to text, or nothing
// at the first byte that is not printable ASCII, a tab or a line break (a
// line break comes out as the two characters `\n`): random identifiers
// fail within their first few characters.
std::optional<std::string> b64_decode(std::string_view run);

struct HiddenReading {
  std::string text;          // one line, no '\n'
  std::size_t first = 0;     // index of the first added line it reads
  std::size_t lines = 1;     // how many added lines it reads, from `first`
  std::string_view how;      // "base64", "joined strings", "next line", ...
  // Ranges of `text` that decoding or joining produced: a secret must
  // overlap one (elsewhere the raw line already said what it holds).
  std::vector<std::pair<std::size_t, std::size_t>> changed;
  // The raw encoded runs (for the redactor: the encoded form of a secret
  // is as good as the secret).
  std::vector<std::string> raw;
};

// The added lines of one file, as the scanner holds them.
class AddedLines {
 public:
  virtual ~AddedLines() = default;
  virtual std::size_t size() const = 0;
  virtual std::string_view line(std::size_t i) const = 0;
  virtual int number(std::size_t i) const = 0;  // new-side line number
};

inline constexpr std::size_t kMaxRun = 16 * 1024;
inline constexpr std::size_t kMaxJoin = 64;

// Every reading of the file's added lines that differs from the lines.
std::vector<HiddenReading> hidden_readings(const AddedLines& lines, std::string_view path);

// `s` with its encoded runs decoded (one level), or nothing when no run
// decodes to printable text. Exposed for tests.
bool decode_runs(std::string_view s, HiddenReading& out);

// A key body line added inside a PEM block whose BEGIN line was already
// there (context): the BEGIN line and the body as one reading.
HiddenReading pem_body_reading(std::string_view begin_line, std::string_view body, std::size_t index);

// Whether `line` is a PEM BEGIN line of a private key, and whether it is
// an END line (of any block).
bool pem_private_begin(std::string_view line);
bool pem_end(std::string_view line);

}  // namespace reviewer::safety
