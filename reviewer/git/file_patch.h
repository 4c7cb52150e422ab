// The line diff of one file, from two in-memory buffers: hunks with old and
// new line numbers, exact additions/deletions, CRLF and "\ No newline at end
// of file" marks, and a per-side cap on which lines are kept.
//
// Runs git_diff_buffers() or git_diff_blobs() without paths, so libgit2
// looks up no attributes (its diff-driver lookup would read the work
// tree's .gitattributes); binary detection is the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <git2.h>

#include "reviewer/core/diff.h"

namespace reviewer::git {

struct PatchLimits {
  // Lines whose bytes lie beyond these offsets of their side are not kept;
  // a hunk holding such a line is dropped, and so are all later hunks.
  std::size_t old_keep_bytes = SIZE_MAX;
  std::size_t new_keep_bytes = SIZE_MAX;
  int context_lines = 3;
};

// Fills file.hunks, file.additions and file.deletions. Returns libgit2's
// error code (< 0) on failure, 0 otherwise.
int diff_text(std::string_view old_text, std::string_view new_text, const PatchLimits& limits,
              FileDiff& file);
// diff_text of two blobs' contents. git_diff_buffers computes each
// buffer's object id (a SHA-1 of the whole file: 5% of a review's CPU on
// git.git), which a blob already carries.
int diff_blobs(const git_blob* old_blob, const git_blob* new_blob, const PatchLimits& limits, FileDiff& file);

// The diff of a file that exists on one side only (added: `origin` is
// added; deleted: deleted), without a line diff: the whole text is one
// hunk. Fills the file exactly as diff_text(empty, text) or
// diff_text(text, empty) would, `keep_bytes` being that side's cap. When
// `owner` keeps `text` alive and the text is already laid out as the
// file's buffer (every line ends in '\n', none in "\r\n"), the lines view
// it and the file holds `owner`; otherwise the file takes a copy.
void one_sided_text(std::string_view text, std::size_t keep_bytes, LineOrigin origin, FileDiff& file,
                    std::shared_ptr<const void> owner = nullptr);

// git's rule: a NUL byte in the first 8000 bytes means binary.
bool looks_binary(std::string_view data);

// A blob's lines as the history agent measures a file before the change:
// none for a blob over kLineCountMaxBytes or one libgit2 calls binary, as
// the history index counts no lines for either when it is built.
inline constexpr std::size_t kLineCountMaxBytes = std::size_t{1} << 20;
std::optional<std::uint32_t> blob_line_count(const git_blob* blob);

}  // namespace reviewer::git
