// Who wrote a change, as the history counts authors (exp, sexp,
// history/first-change): the same rule for a merge on the first-parent line
// (its merged branch) and for a pull request under review (its head).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <git2.h>

namespace reviewer::history {

struct Identity {
  std::string name, email;
};

class AuthorFinder {
 public:
  // Reads the mailmap of commit `at` (its tree's .mailmap, at most 1 MB), a
  // commit that has landed: never a work tree's or the pull request's own
  // file, which could map its author onto a maintainer. None is no mapping.
  AuthorFinder(git_repository* repo, const std::string& at);
  ~AuthorFinder();
  AuthorFinder(const AuthorFinder&) = delete;
  AuthorFinder& operator=(const AuthorFinder&) = delete;

  // A commit's author through the mailmap.
  Identity author(const git_commit* commit) const;

  // The author of the newest commit on `tip`'s first-parent line that is
  // neither a merge nor a bot's (a name ending in "[bot]": pre-commit.ci's
  // autofix, an action's formatting commit), looking at most
  // kMaxCommits back and stopping before a commit `stop` accepts (the
  // base). The tip's own author when there is none: a branch of bot
  // commits is the bot's change.
  Identity change_author(const git_commit* tip, const std::function<bool(const git_oid&)>& stop) const;

  static constexpr int kMaxCommits = 20;

 private:
  git_repository* repo_;
  git_mailmap* mailmap_ = nullptr;
};

}  // namespace reviewer::history
