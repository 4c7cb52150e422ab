// A pull request's change as a plain value: the three-dot diff from the merge
// base to the head, file by file, with old and new line numbers per line.
// Built by reviewer/git; read (never modified) by agents and renderers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace reviewer {

enum class LineOrigin { context, added, deleted };

struct DiffLine {
  LineOrigin origin = LineOrigin::context;
  int old_line = 0;      // 0 for added lines
  int new_line = 0;      // 0 for deleted lines
  std::string content;   // raw bytes without the line ending; may be invalid UTF-8
  bool crlf = false;     // the line ended in "\r\n"
  bool no_newline_at_eof = false;
};

struct Hunk {
  int old_start = 0, old_lines = 0;
  int new_start = 0, new_lines = 0;
  std::string header;    // the "@@ ... @@ context" line
  std::vector<DiffLine> lines;
};

enum class ChangeKind { added, deleted, modified, renamed, copied, type_changed };

struct FileDiff {
  std::string old_path;  // empty for added files
  std::string new_path;  // empty for deleted files
  ChangeKind kind = ChangeKind::modified;
  std::uint32_t old_mode = 0, new_mode = 0;  // git file modes, e.g. 0100644
  std::string old_id, new_id;                 // blob (or submodule commit) ids
  int similarity = 0;     // percent, for renames and copies
  bool binary = false;
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
  std::vector<Hunk> hunks;

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

}  // namespace reviewer
