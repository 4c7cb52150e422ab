// Builds small repositories with libgit2 for the index and logic tests:
// commits of whole trees from in-memory files (no work tree; RepoBuilder
// commits changes on top of a parent instead), and the diff between two
// commits as the pipeline computes it. Header-only so both test executables
// and the benchmark can use it.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include <git2.h>

#include "reviewer/core/diff.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/repository.h"

namespace reviewer::test {

using Files = std::map<std::string, std::string>;

inline void ok(int rc, const char* what) {
  if (rc < 0) {
    const git_error* e = git_error_last();
    throw std::runtime_error(std::string(what) + ": " + (e && e->message ? e->message : "?"));
  }
}

inline std::string oid_str(const git_oid& id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &id);
  return buf;
}

inline git::RepositoryPtr init_repo(const std::filesystem::path& dir) {
  git_repository* r = nullptr;
  ok(git_repository_init(&r, dir.c_str(), /*bare=*/0), "init");
  return git::RepositoryPtr(r);
}

// Commits exactly `files` (the whole tree) on top of `parent` ("" for a
// root) and moves `ref` to it (nullptr: no reference moves).
inline std::string commit_files(git_repository* repo, const Files& files, const std::string& parent,
                                const std::string& message = "change", const char* ref = "refs/heads/main") {
  git_index* raw = nullptr;
  ok(git_index_new(&raw), "index");
  git::IndexPtr index(raw);
  for (const auto& [path, content] : files) {
    git_index_entry e{};
    e.mode = GIT_FILEMODE_BLOB;
    e.path = path.c_str();
    git_oid blob;
    ok(git_blob_create_from_buffer(&blob, repo, content.data(), content.size()), "blob");
    e.id = blob;
    ok(git_index_add(index.get(), &e), "index add");
  }
  git_oid tree_id;
  ok(git_index_write_tree_to(&tree_id, index.get(), repo), "write tree");
  git_tree* t = nullptr;
  ok(git_tree_lookup(&t, repo, &tree_id), "tree");
  git::TreePtr tree(t);
  git_signature* s = nullptr;
  ok(git_signature_new(&s, "Test", "test@example.com", 1700000000, 0), "signature");
  git::SignaturePtr sig(s);
  git::CommitPtr parent_commit;
  const git_commit* parents[1] = {nullptr};
  if (!parent.empty()) {
    git_oid pid;
    ok(git_oid_fromstr(&pid, parent.c_str()), "parent id");
    git_commit* pc = nullptr;
    ok(git_commit_lookup(&pc, repo, &pid), "parent");
    parent_commit.reset(pc);
    parents[0] = pc;
  }
  git_oid id;
  ok(git_commit_create(&id, repo, ref, sig.get(), sig.get(), nullptr, message.c_str(), tree.get(),
                       parent.empty() ? 0 : 1, parents),
     "commit");
  return oid_str(id);
}

// The diff from base to head as the pipeline builds it (reviewer/git).
inline Diff diff_commits(const std::filesystem::path& repo_dir, const std::string& base, const std::string& head) {
  auto repo = git::Repository::open(repo_dir);
  return repo.diff(base, head, base, git::DiffOptions{});
}

}  // namespace reviewer::test
