// A pull request's change as a plain value: the three-dot diff from the merge
// base to the head, file by file, with old and new line numbers per line.
// Built by reviewer/git; read (never modified) by agents and renderers.
//
// A line's content is a view into its file's one buffer (FileDiff::text),
// not a string of its own: a change of a million lines is a million small
// records and one block of bytes per file, not a million allocations.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer {

enum class LineOrigin : std::uint8_t { context, added, deleted };

struct DiffLine {
  LineOrigin origin = LineOrigin::context;
  bool crlf = false;     // the line ended in "\r\n"
  bool no_newline_at_eof = false;
  int old_line = 0;      // 0 for added lines
  int new_line = 0;      // 0 for deleted lines
  // Raw bytes without the line ending; may be invalid UTF-8. Valid as long
  // as the FileDiff that holds the line (or a copy of it) lives, once the
  // file owns its text (own_text below).
  std::string_view content;
};

struct Hunk {
  int old_start = 0, old_lines = 0;
  int new_start = 0, new_lines = 0;
  std::string header;    // the "@@ ... @@ context" line
  std::vector<DiffLine> lines;
};

enum class ChangeKind { added, deleted, modified, renamed, copied, type_changed };

// How many of a binary file's first bytes a FileDiff keeps (new_prefix):
// enough for the signatures of common image, font and media formats.
inline constexpr std::size_t kBinaryPrefix = 16;

struct FileDiff {
  std::string old_path;  // empty for added files
  std::string new_path;  // empty for deleted files
  ChangeKind kind = ChangeKind::modified;
  std::uint32_t old_mode = 0, new_mode = 0;  // git file modes, e.g. 0100644
  std::string old_id, new_id;                 // blob (or submodule commit) ids
  int similarity = 0;     // percent, for renames and copies
  bool binary = false;
  // A binary file's first bytes on the new side (at most kBinaryPrefix).
  std::string new_prefix;
  bool submodule = false; // a gitlink changed
  bool symlink = false;   // the new (or deleted) entry is a symlink
  bool generated = false; // linguist-generated, or a guidance "generated" pattern
  bool vendored = false;  // linguist-vendored, or a guidance "vendored" pattern
  bool truncated = false; // the file exceeded the per-file cap: hunks are partial
  // The path held a secret and was masked at the pipeline's edge: it names
  // no file GitHub knows, so nothing is placed on its lines.
  bool path_redacted = false;
  int additions = 0;      // counted over the whole file even when truncated
  int deletions = 0;
  // The old blob's lines by git::blob_line_count (none: binary or over
  // 1 MB), when the diff read that blob (old_lines_read): the history agent
  // then does not read it again.
  bool old_lines_read = false;
  std::optional<std::uint32_t> old_lines;
  std::vector<Hunk> hunks;
  // Every line's content in hunk order, each followed by '\n': the bytes
  // the lines view, held by whatever keeps them alive (a buffer of the
  // file's own, or the blob an added file was read from). Shared and never
  // changed once set, so copies of the file (and of its Diff) view the
  // same bytes; to change lines, point them elsewhere and call own_text
  // again.
  std::shared_ptr<const std::string_view> text;

  // The path a reviewer talks about: the new path, or the old one if deleted.
  const std::string& path() const { return new_path.empty() ? old_path : new_path; }
  // True when the file is left out of size counts.
  bool excluded() const { return generated || vendored; }
};

struct Diff {
  std::string base_sha;   // the merge base
  std::string head_sha;
  std::vector<FileDiff> files;
  std::vector<std::string> notes;  // what was capped or skipped, for the output

  bool empty() const { return files.empty(); }
};

// Copies the content of every line of `file` into one new buffer that the
// file owns (FileDiff::text) and points the lines at it. Whoever builds or
// rewrites a file's lines (reviewer/git, the redactor, tests) sets their
// contents as views into its own storage, then calls this before that
// storage goes away.
void own_text(FileDiff& file);

// The same for every file of `diff`.
void own_text(Diff& diff);

}  // namespace reviewer
