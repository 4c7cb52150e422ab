// Shared helpers for the git tests: a scratch repository built with
// RepoBuilder, and short ways to write file changes and find files in a Diff.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "reviewer/core/diff.h"
#include "reviewer/git/builder.h"
#include "reviewer/git/repository.h"
#include "support/testutil.h"

namespace reviewer::test {

using Files = std::map<std::string, git::FileChange>;

inline git::FileChange text(std::string content, std::uint32_t mode = GIT_FILEMODE_BLOB) {
  return git::FileChange{std::move(content), mode};
}
inline git::FileChange removed() { return git::FileChange{std::nullopt}; }

struct ScratchRepo {
  explicit ScratchRepo(const std::string& label, bool bare = false)
      : dir(scratch_dir(label) / "repo"), builder(git::RepoBuilder::create(dir, bare)) {}
  std::filesystem::path dir;
  git::RepoBuilder builder;

  // Commits `files` on `branch` on top of `parent`.
  std::string commit(const std::string& branch, const std::string& parent, const Files& files,
                     const std::string& message = "change") {
    return builder.commit(branch, parent, files, message);
  }
  git::Repository open() const { return git::Repository::open(dir); }
  Diff diff(const std::string& base, const std::string& head, const git::DiffOptions& options = {}) const {
    return open().diff(base, head, base, options);
  }
};

inline const FileDiff* find_file(const Diff& d, const std::string& path) {
  for (const auto& f : d.files)
    if (f.path() == path) return &f;
  return nullptr;
}

// Every line of the file's hunks with the given origin, in order.
inline std::vector<DiffLine> lines_of(const FileDiff& f, LineOrigin origin) {
  std::vector<DiffLine> out;
  for (const auto& h : f.hunks)
    for (const auto& l : h.lines)
      if (l.origin == origin) out.push_back(l);
  return out;
}

// "line 1\nline 2\n..." with n lines.
inline std::string numbered_lines(int n, const std::string& prefix = "line ") {
  std::string s;
  for (int i = 1; i <= n; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

}  // namespace reviewer::test
