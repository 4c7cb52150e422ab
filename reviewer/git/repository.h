// A git repository (normal or bare) opened with libgit2: revision lookup,
// merge bases, file reads at a commit and three-dot diffs. Never shells out
// to git and never reads the working directory: everything comes from
// objects, so bare mirrors and checkouts behave the same.
//
// Thread-safety: one Repository per thread; open another for another thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/git/handles.h"

namespace reviewer::git {

struct CommitInfo {
  std::string sha;
  std::string summary;   // first line of the message
  std::string message;   // whole message
  std::string body;      // message without the summary line and the blank line after it
  std::string author_name;
  std::string author_email;
  long long time = 0;    // seconds since the epoch
  std::vector<std::string> parents;
};

struct DiffOptions {
  // At most this many bytes of each side of a file are kept as hunks;
  // bigger files are marked truncated, keep only the hunks that lie within
  // the cap, and get a note in Diff::notes.
  std::size_t max_file_bytes = 1 << 20;
  // A truncated file whose sides are both at most this big is still diffed
  // in full (without keeping lines) so its additions/deletions are exact.
  // Above it nothing of the file is loaded: no hunks, counts 0, a note.
  std::size_t max_count_bytes = 16 << 20;
  // What the whole diff may hold: its line records and bytes. Files are
  // kept in order while they fit; the first that does not and every file
  // after it are truncated, with no lines and a note (diff_budget.h).
  std::size_t max_total_bytes = std::size_t{256} << 20;
  // Paths that guidance marks as generated, vendored or lock files: they get
  // FileDiff::generated unless .gitattributes says linguist-generated=false.
  std::function<bool(std::string_view path)> excluded;
  // Paths that guidance marks as vendored: FileDiff::vendored unless
  // .gitattributes says linguist-vendored=false. Optional.
  std::function<bool(std::string_view path)> vendored;
  // Rename detection threshold in percent (git's default is 50).
  int rename_threshold = 50;
  // Like git's diff.renameLimit: when added x deleted files exceed its
  // square, renames are not looked for (and a note says so).
  int rename_limit = 1000;
  // Context lines around each change, as `git diff -U`.
  int context_lines = 3;
};

class Repository {
 public:
  // Opens the repository at `path` (a work tree, its .git, or a bare
  // repository; like `git -C`, a sub-folder of a work tree finds it).
  // Throws reviewer::Error naming the path when it does not exist, is not a
  // repository, is shallow, or cannot be read.
  static Repository open(const std::filesystem::path& path);

  // The commit a rev-spec names ("main", "HEAD~2", a sha, "origin/main").
  // Throws reviewer::Error naming the rev when it is unknown or not a commit.
  std::string resolve(std::string_view revspec) const;

  // The best common ancestor; throws when the commits share no history.
  std::string merge_base(std::string_view a_sha, std::string_view b_sha) const;

  // The repository's default branch as a rev-spec: origin/HEAD's target,
  // else the first of main, master, trunk, develop that exists, else HEAD.
  std::string default_branch() const;

  CommitInfo commit(std::string_view sha) const;

  // The file's bytes at a commit, or nullopt when absent (or not a blob).
  // Returns at most max_bytes; *truncated (if given) says whether it cut.
  // (libgit2 inflates the whole blob regardless: it cannot stream packed
  // objects.)
  std::optional<std::string> read_file(std::string_view commit_sha, std::string_view path,
                                       std::size_t max_bytes = SIZE_MAX,
                                       bool* truncated = nullptr) const;

  // Every blob path in the commit's tree (files and symlinks, not gitlinks).
  std::vector<std::string> list_files(std::string_view commit_sha) const;

  // The diff from base to head (pass the merge base for GitHub's three-dot
  // diff), with renames detected, binary files and mode, symlink and
  // submodule changes marked, and .gitattributes linguist-generated /
  // linguist-vendored read at `attributes_sha` (the PR's base commit).
  // A change of more than a few files is read on two threads, the second
  // with a repository of its own opened at path(); the result is the same.
  Diff diff(std::string_view base_sha, std::string_view head_sha,
            std::string_view attributes_sha, const DiffOptions& options) const;

  // The commits of "A..B" (reachable from B, not from A), oldest first,
  // following first parents only (or every parent: what a PR's commit list
  // holds), at most `limit` of them. Throws reviewer::Error naming the
  // range when it is malformed or unknown.
  std::vector<std::string> commits_in_range(std::string_view range, std::size_t limit = 100000,
                                            bool first_parent = true) const;

  bool bare() const;
  git_repository* get() const { return repo_.get(); }
  // The path given to open(), as error messages quote it.
  const std::string& path() const { return path_; }

 private:
  Repository(RepositoryPtr repo, std::string path) : repo_(std::move(repo)), path_(std::move(path)) {}
  // The commit a rev-spec names, with the errors resolve() documents.
  CommitPtr lookup_commit(std::string_view revspec) const;
  // Throws reviewer::Error "cannot <what> in '<path>': <libgit2 message>".
  [[noreturn]] void fail(const std::string& what) const;
  RepositoryPtr repo_;
  std::string path_;
};

}  // namespace reviewer::git
