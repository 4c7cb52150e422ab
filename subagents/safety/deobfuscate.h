// Text read a second time for the rules marked `decoded` (the prompt
// injection rules), after the simple disguises that keep a sentence from
// matching a keyword rule and that a language model reads through: HTML
// entities and \uXXXX escapes, invisible characters inside words, runs of
// Unicode tag characters (read as the ASCII text they spell),
// fullwidth and mathematical letters, markdown emphasis and backticks,
// leetspeak digits inside words, a sentence split over comment lines, and
// a file name's separators.
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

// A file path or branch name as words: '/', '-', '_' and '.' become spaces,
// then folded as prose ("ignore-all-previous-instructions.md").
std::string name_words(std::string_view name);

}  // namespace reviewer::safety
