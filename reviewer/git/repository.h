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
  // At most this many bytes of each side of a file are loaded; bigger files
  // are marked truncated (their line counts are still exact).
  std::size_t max_file_bytes = 1 << 20;
  // Paths that guidance marks as generated, vendored or lock files.
  std::function<bool(std::string_view path)> excluded;
  // Rename detection threshold in percent (git's default is 50).
  int rename_threshold = 50;
};

class Repository {
 public:
  // Opens the repository at `path` (a work tree, its .git, or a bare
  // repository). Throws reviewer::Error naming the path when it is not a
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
  // Reads at most max_bytes; *truncated (if given) says whether it stopped.
  std::optional<std::string> read_file(std::string_view commit_sha, std::string_view path,
                                       std::size_t max_bytes = SIZE_MAX,
                                       bool* truncated = nullptr) const;

  // Every blob path in the commit's tree (files and symlinks, not gitlinks).
  std::vector<std::string> list_files(std::string_view commit_sha) const;

  // The diff from base to head (pass the merge base for GitHub's three-dot
  // diff), with renames detected, binary files and mode, symlink and
  // submodule changes marked, and .gitattributes linguist-generated /
  // linguist-vendored read at `attributes_sha` (the PR's base commit).
  Diff diff(std::string_view base_sha, std::string_view head_sha,
            std::string_view attributes_sha, const DiffOptions& options) const;

  bool bare() const;
  git_repository* get() const { return repo_.get(); }

 private:
  explicit Repository(RepositoryPtr repo) : repo_(std::move(repo)) {}
  RepositoryPtr repo_;
};

}  // namespace reviewer::git
