// Internal to the history index: one commit's diff against its first
// parent as the walk needs it (lines added and deleted per file, hunk by
// hunk, renames found), and what a deleted line is to SZZ.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <git2.h>

#include "reviewer/git/history/history_index.h"

namespace reviewer::history::detail {

// One file of one commit, as the walk sees it.
struct Touched {
  std::string old_path, new_path;  // empty when added / deleted
  git_delta_t status = GIT_DELTA_MODIFIED;
  bool text = false;               // followed line by line
  int added = 0, deleted = 0;
  struct H {
    int old_start = 0, old_lines = 0, new_lines = 0;
    std::vector<std::string> minus, plus;  // deleted and added line contents
  };
  std::vector<H> hunks;
  const std::string& path() const { return new_path.empty() ? old_path : new_path; }
};

// The commit's diff against its first parent, with renames, as Touched
// files. Huge commits (imports, mass reformatting) keep their file list
// only (*bulk); vendored trees, lockfiles, binary, oversized and missing
// blobs are known by name only. Hunks carry line contents only with
// keep_lines (SZZ reads them in fix commits). Throws reviewer::Error on
// unreadable trees.
// Bulk commits leave out added files (an import is not the history of
// what it adds). `stop` is polled while diffing: when it says so the commit
// is abandoned with Interrupted, before anything is changed.
std::vector<Touched> diff_commit(git_repository* repo, git_commit* commit, const BuildOptions& opts, bool keep_lines,
                                 const std::function<bool()>& stop, bool* bulk);

struct Interrupted {};

// How a language writes a line comment, from the file name: "#" is a
// comment in Python but a directive in C, "*" a comment continuation in C
// but a dereference at the start of `*p = 0;`.
enum class CommentStyle { c_like, hash, dash, none };
CommentStyle comment_style(std::string_view path);

// A deleted line SZZ ignores: blank, or only a comment in the file's
// language (its change cannot have introduced the bug the fix repairs).
bool comment_or_blank(std::string_view line, CommentStyle style);

// Throws reviewer::Error "history: cannot <what>: <libgit2's message>".
void check(int rc, const std::string& what);

}  // namespace reviewer::history::detail
