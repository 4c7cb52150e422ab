#include "reviewer/git/history/change_author.h"

#include <string_view>

#include "reviewer/git/handles.h"

namespace reviewer::history {

namespace {

bool is_bot(std::string_view name) { return name.ends_with("[bot]"); }

}  // namespace

AuthorFinder::AuthorFinder(git_repository* repo, const std::string& at) : repo_(repo) {
  // An unreadable or missing .mailmap maps nothing; identities stay as committed.
  git_oid oid;
  git_commit* raw = nullptr;
  if (git_oid_fromstr(&oid, at.c_str()) < 0 || git_commit_lookup(&raw, repo, &oid) < 0) {
    git_error_clear();
    return;
  }
  git::CommitPtr commit(raw);
  git_tree* tree_raw = nullptr;
  if (git_commit_tree(&tree_raw, commit.get()) < 0) {
    git_error_clear();
    return;
  }
  git::TreePtr tree(tree_raw);
  const git_tree_entry* entry = git_tree_entry_byname(tree.get(), ".mailmap");
  git_blob* blob_raw = nullptr;
  if (!entry || git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
      git_blob_lookup(&blob_raw, repo, git_tree_entry_id(entry)) < 0) {
    git_error_clear();
    return;
  }
  git::BlobPtr blob(blob_raw);
  constexpr git_object_size_t kMaxBytes = 1 << 20;
  if (git_blob_rawsize(blob.get()) > kMaxBytes ||
      git_mailmap_from_buffer(&mailmap_, static_cast<const char*>(git_blob_rawcontent(blob.get())),
                              static_cast<std::size_t>(git_blob_rawsize(blob.get()))) < 0) {
    git_error_clear();
    mailmap_ = nullptr;
  }
}

AuthorFinder::~AuthorFinder() { git_mailmap_free(mailmap_); }

Identity AuthorFinder::author(const git_commit* commit) const {
  git_signature* mapped = nullptr;
  if (mailmap_ && git_commit_author_with_mailmap(&mapped, commit, mailmap_) == 0) {
    git::SignaturePtr sig(mapped);
    return {sig->name ? sig->name : "", sig->email ? sig->email : ""};
  }
  git_error_clear();
  const git_signature* who = git_commit_author(commit);
  return {who && who->name ? who->name : "", who && who->email ? who->email : ""};
}

Identity AuthorFinder::change_author(const git_commit* tip, const std::function<bool(const git_oid&)>& stop) const {
  const Identity own = author(tip);
  git::CommitPtr held;  // the commit looked at, when not the tip
  const git_commit* c = tip;
  for (int i = 0; i < kMaxCommits && c; ++i) {
    if (stop(*git_commit_id(c))) break;
    if (git_commit_parentcount(c) <= 1) {
      Identity who = i == 0 ? own : author(c);
      if (!is_bot(who.name)) return who;
    }
    git_commit* parent = nullptr;
    if (git_commit_parentcount(c) == 0 || git_commit_parent(&parent, c, 0) < 0) {
      git_error_clear();  // the root, or beyond a shallow boundary
      break;
    }
    held.reset(parent);
    c = parent;
  }
  return own;
}

}  // namespace reviewer::history
