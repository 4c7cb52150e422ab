// Writes commits into a repository with libgit2, without a work tree: used
// by `reviewer demo`, the tests and the benchmark generators to build
// repositories whose branches look like pull requests.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "reviewer/git/handles.h"

namespace reviewer::git {

// What a commit does to one path: new content, or nullopt to delete it.
struct FileChange {
  std::optional<std::string> content;
  std::uint32_t mode = GIT_FILEMODE_BLOB;  // or _BLOB_EXECUTABLE, _LINK (content = target), _COMMIT (content = sha)
};

class RepoBuilder {
 public:
  // Creates (or opens, if present) a repository at `path`. A non-bare one
  // gets its HEAD pointed at `main`; its work tree is never checked out.
  static RepoBuilder create(const std::filesystem::path& path, bool bare = false);

  // Commits `changes` on top of `parent` (a sha, or empty for a root commit)
  // and points refs/heads/<branch> at it. Paths may contain folders, spaces
  // and unicode. Returns the new commit's sha.
  std::string commit(const std::string& branch, const std::string& parent,
                     const std::map<std::string, FileChange>& changes, const std::string& message,
                     long long time = 1700000000);

  // Commits after this one carry this author (and committer); empty: the
  // builder's own "reviewer demo" identity.
  void set_author(std::string name, std::string email) {
    author_name_ = std::move(name);
    author_email_ = std::move(email);
  }

  // The sha refs/heads/<branch> points at; throws when missing.
  std::string head_of(const std::string& branch) const;

  git_repository* get() const { return repo_.get(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  RepoBuilder(RepositoryPtr repo, std::filesystem::path path)
      : repo_(std::move(repo)), path_(std::move(path)) {}
  RepositoryPtr repo_;
  std::filesystem::path path_;
  std::string author_name_, author_email_;
};

}  // namespace reviewer::git
