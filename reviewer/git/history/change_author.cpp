#include "reviewer/git/history/change_author.h"

#include <string_view>

#include "reviewer/git/handles.h"

namespace reviewer::history {

namespace {

bool is_bot(std::string_view name) { return name.ends_with("[bot]"); }

}  // namespace

AuthorFinder::AuthorFinder(git_repository* repo) : repo_(repo) {
  if (git_mailmap_from_repository(&mailmap_, repo) < 0) {
    // An unreadable .mailmap maps nothing; identities stay as committed.
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
