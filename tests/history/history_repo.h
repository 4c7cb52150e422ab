// A small repository whose history the tests control commit by commit:
// authors, times and messages, on main's first-parent line.
#pragma once

#include <map>
#include <string>

#include "reviewer/git/builder.h"
#include "reviewer/git/history/history_index.h"
#include "support/testutil.h"

namespace reviewer::test {

struct HistoryRepo {
  std::filesystem::path dir;
  git::RepoBuilder repo;
  std::string tip;
  long long time = 1600000000;

  explicit HistoryRepo(const std::string& label)
      : dir(scratch_dir(label)), repo(git::RepoBuilder::create(dir / "repo", /*bare=*/true)) {}

  // Commits on main one day after the previous commit.
  std::string commit(const std::map<std::string, git::FileChange>& changes, const std::string& message,
                     const std::string& author = "ann@example.com") {
    time += 86400;
    repo.set_author(author.substr(0, author.find('@')), author);
    tip = repo.commit("main", tip, changes, message, time);
    return tip;
  }

  history::BuildOptions options() const {
    history::BuildOptions o;
    o.dir = dir / "index";
    return o;
  }

  history::HistoryIndex index(history::BuildStats* stats = nullptr) const {
    return history::update_index(repo.get(), tip, options(), stats);
  }

  const history::CommitRecord& record(const history::HistoryIndex& ix, const std::string& sha) const {
    return ix.commits.at(ix.commit_ids.at(sha));
  }
};

// "line 1\nline 2\n..." with the given lines replaced.
inline std::string numbered(int n, const std::map<int, std::string>& replace = {}) {
  std::string s;
  for (int i = 1; i <= n; ++i) {
    auto it = replace.find(i);
    s += it == replace.end() ? "int v" + std::to_string(i) + " = " + std::to_string(i) + ";" : it->second;
    s += "\n";
  }
  return s;
}

}  // namespace reviewer::test
