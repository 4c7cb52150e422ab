// Builds small repositories with libgit2 for the index and logic tests:
// commits from in-memory files (no work tree), and the diff between two
// commits as a reviewer::Diff. Header-only so both test executables can use
// it; to be replaced by reviewer::git::RepoBuilder once that lands.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include <git2.h>

#include "reviewer/core/diff.h"
#include "reviewer/git/handles.h"

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

// Commits exactly `files` (the whole tree) on top of `parent` ("" for a root).
inline std::string commit_files(git_repository* repo, const Files& files, const std::string& parent,
                                const std::string& message = "change") {
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
  ok(git_commit_create(&id, repo, "refs/heads/main", sig.get(), sig.get(), nullptr, message.c_str(), tree.get(),
                       parent.empty() ? 0 : 1, parents),
     "commit");
  return oid_str(id);
}

namespace detail {
inline git::TreePtr tree_of(git_repository* repo, const std::string& sha) {
  git_oid id;
  ok(git_oid_fromstr(&id, sha.c_str()), "sha");
  git_commit* c = nullptr;
  ok(git_commit_lookup(&c, repo, &id), "commit");
  git::CommitPtr commit(c);
  git_tree* t = nullptr;
  ok(git_commit_tree(&t, commit.get()), "commit tree");
  return git::TreePtr(t);
}
}  // namespace detail

// The diff from base to head with 3 lines of context, as agents see it.
inline Diff diff_commits(git_repository* repo, const std::string& base, const std::string& head) {
  auto bt = detail::tree_of(repo, base), ht = detail::tree_of(repo, head);
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  git_diff* d = nullptr;
  ok(git_diff_tree_to_tree(&d, repo, bt.get(), ht.get(), &opts), "diff");
  git::DiffPtr diff(d);
  Diff out;
  out.base_sha = base;
  out.head_sha = head;
  for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    git_patch* p = nullptr;
    ok(git_patch_from_diff(&p, diff.get(), i), "patch");
    git::PatchPtr patch(p);
    const git_diff_delta* delta = git_patch_get_delta(patch.get());
    FileDiff f;
    f.kind = delta->status == GIT_DELTA_ADDED     ? ChangeKind::added
             : delta->status == GIT_DELTA_DELETED ? ChangeKind::deleted
                                                  : ChangeKind::modified;
    if (f.kind != ChangeKind::added) f.old_path = delta->old_file.path;
    if (f.kind != ChangeKind::deleted) f.new_path = delta->new_file.path;
    for (size_t h = 0; h < git_patch_num_hunks(patch.get()); ++h) {
      const git_diff_hunk* gh = nullptr;
      size_t nlines = 0;
      ok(git_patch_get_hunk(&gh, &nlines, patch.get(), h), "hunk");
      Hunk hunk;
      hunk.old_start = gh->old_start;
      hunk.old_lines = gh->old_lines;
      hunk.new_start = gh->new_start;
      hunk.new_lines = gh->new_lines;
      hunk.header.assign(gh->header, gh->header_len);
      for (size_t l = 0; l < nlines; ++l) {
        const git_diff_line* gl = nullptr;
        ok(git_patch_get_line_in_hunk(&gl, patch.get(), h, l), "line");
        DiffLine line;
        if (gl->origin == GIT_DIFF_LINE_ADDITION) {
          line.origin = LineOrigin::added;
          ++f.additions;
        } else if (gl->origin == GIT_DIFF_LINE_DELETION) {
          line.origin = LineOrigin::deleted;
          ++f.deletions;
        } else if (gl->origin != GIT_DIFF_LINE_CONTEXT) {
          continue;
        }
        line.old_line = gl->old_lineno > 0 ? gl->old_lineno : 0;
        line.new_line = gl->new_lineno > 0 ? gl->new_lineno : 0;
        line.content.assign(gl->content, gl->content_len);
        while (!line.content.empty() && (line.content.back() == '\n' || line.content.back() == '\r')) {
          line.content.pop_back();
        }
        hunk.lines.push_back(std::move(line));
      }
      f.hunks.push_back(std::move(hunk));
    }
    out.files.push_back(std::move(f));
  }
  return out;
}

}  // namespace reviewer::test
