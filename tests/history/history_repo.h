// A small repository whose history the tests control commit by commit:
// authors, times and messages, on main's first-parent line.
#pragma once

#include <map>
#include <stdexcept>
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

  // A merge commit on main with the side branch's tree, as GitHub's merge
  // button makes one ("Merge pull request #N from ...").
  std::string merge(const std::string& side, const std::string& message) {
    time += 86400;
    auto lookup = [&](const std::string& sha) {
      git_oid oid;
      git_oid_fromstr(&oid, sha.c_str());
      git_commit* c = nullptr;
      if (git_commit_lookup(&c, repo.get(), &oid) < 0) throw std::runtime_error("no commit " + sha);
      return git::CommitPtr(c);
    };
    auto first = lookup(tip);
    auto second = lookup(side);
    git_tree* tree = nullptr;
    git_commit_tree(&tree, second.get());
    git::TreePtr t(tree);
    git_signature* sig = nullptr;
    git_signature_new(&sig, "merger", "merger@example.com", time, 0);
    git::SignaturePtr s(sig);
    const git_commit* parents[2] = {first.get(), second.get()};
    git_oid id;
    if (git_commit_create(&id, repo.get(), "refs/heads/main", s.get(), s.get(), nullptr, message.c_str(), t.get(), 2,
                          parents) < 0) {
      throw std::runtime_error("merge failed");
    }
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &id);
    tip = buf;
    return tip;
  }

  // A commit on `branch` on top of `parent`, one day later.
  std::string side(const std::string& branch, const std::string& parent,
                   const std::map<std::string, git::FileChange>& changes, const std::string& message) {
    time += 86400;
    return repo.commit(branch, parent, changes, message, time);
  }

  history::BuildOptions options() const {
    history::BuildOptions o;
    o.dir = dir / "index";
    return o;
  }

  history::HistoryIndex index(history::BuildStats* stats = nullptr) const {
    return *history::update_index(repo.get(), tip, options(), stats);
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
