// Text read a second time for the rules marked `decoded` (the prompt
// injection rules), after the simple disguises that keep a sentence from
// matching a keyword rule and that a language model reads through: HTML
// entities and \uXXXX escapes, invisible characters inside words, runs of
// Unicode tag characters (read as the ASCII text they spell),
// fullwidth and mathematical letters, markdown emphasis and backticks,
// leetspeak digits inside words, a sentence split over comment lines, and
// a file name's separators. Session 26: Armenian, Cherokee and more Greek
// look-alikes, identifiers of four words or more as words, and beside that
// reading (in scanner.cpp) accents folded, rot13 decoded where the text
// names it, and docstrings and block comments joined like comment runs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace reviewer::safety {

// How a text is read: code (only entities, escapes and characters are
// decoded) or prose (comments, docs, PR text, file names: markdown marks
// are dropped and leetspeak digits folded too).
enum class Reading { code, prose };

// Whether fold() may change `s`: one pass, no allocation, so the many
// lines with nothing to decode cost a scan of their bytes only.
bool foldable(std::string_view s, Reading how);

// `s` de-obfuscated (see the file comment). Never throws on malformed
// UTF-8 or escapes: what does not decode is kept as it is.
std::string fold(std::string_view s, Reading how);

// The text of a comment line after its marker (#, //, /*, *, --, ;, %,
// <!--) and before a closing */ or -->, or nothing when the line is not a
// comment.
std::optional<std::string_view> comment_body(std::string_view line);

// Files whose every line is prose (markdown, text, reStructuredText,
// AsciiDoc): their paragraphs are read joined, like comments.
bool prose_path(std::string_view path);

// `cp` appended to `out` as UTF-8 (a valid code point; tests build text
// with it too).
void append_utf8(std::string& out, char32_t cp);

// Whether `s` holds an identifier of four or more words of two letters or
// more ("ignore_all_previous_instructions", "shouldNotCommentHere"): fold()
// reads it as the words ("ignore all previous instructions").
bool has_long_identifier(std::string_view s);
std::string identifier_words(std::string_view s);

// Whether `s` holds a precomposed Latin letter with a diacritic or a stroke
// ("Ignóre", "ř", "ạ", "ø"), and `s` with each read as its base letter
// (then look-alike letters in words now all Latin read as Latin). A second
// reading beside fold(): the first keeps the accents other languages'
// patterns name ("précédentes").
bool has_accents(std::string_view s);
std::string fold_accents(std::string_view s);

// `s` with its letters rotated by 13 when it names rot13 ("rot13",
// "rot-13", "ROT 13"): the text a model is told to decode.
std::optional<std::string> rot13_reading(std::string_view s);

// Lines inside a docstring or a block comment over several lines (""" ...
// """, ''' ... ''', /* ... */), read one after another: the text of each
// such line (its delimiter and a leading "*" left out), or nothing for a
// line outside one. A line that does not follow the one read before (another
// hunk) starts outside.
class BlockReader {
 public:
  std::optional<std::string_view> next(std::string_view line, bool follows);

 private:
  enum class Open : char { none, c, dq, sq };
  Open open_ = Open::none;
};

// A file path or branch name as words: '/', '-', '_' and '.' become spaces,
// then folded as prose ("ignore-all-previous-instructions.md").
std::string name_words(std::string_view name);

}  // namespace reviewer::safety
