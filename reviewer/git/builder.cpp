#include "reviewer/git/builder.h"

#include <array>
#include <vector>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::git {
namespace {

constexpr const char* kName = "reviewer demo";
constexpr const char* kEmail = "demo@reviewer.invalid";

std::string oid_str(const git_oid& oid) {
  std::array<char, GIT_OID_HEXSZ + 1> buf{};
  git_oid_tostr(buf.data(), buf.size(), &oid);
  return buf.data();
}

}  // namespace

RepoBuilder RepoBuilder::create(const std::filesystem::path& path, bool bare) {
  git_repository* raw = nullptr;
  // NO_SEARCH: a folder inside another repository must not open that one.
  if (git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0)
    return RepoBuilder(RepositoryPtr(raw), path);
  git_error_clear();
  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  if (bare) opts.flags |= GIT_REPOSITORY_INIT_BARE;
  opts.initial_head = "main";
  check(git_repository_init_ext(&raw, path.c_str(), &opts), fmt::format("create a repository at '{}'", path.string()));
  return RepoBuilder(RepositoryPtr(raw), path);
}

std::string RepoBuilder::commit(const std::string& branch, const std::string& parent,
                                const std::map<std::string, FileChange>& changes, const std::string& message,
                                long long time) {
  git_repository* repo = repo_.get();
  CommitPtr parent_commit;
  TreePtr parent_tree;
  if (!parent.empty()) {
    git_object* obj = nullptr;
    check(git_revparse_single(&obj, repo, parent.c_str()), fmt::format("find parent '{}'", parent));
    ObjectPtr holder(obj);
    git_object* peeled = nullptr;
    check(git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT), fmt::format("use '{}' as a parent", parent));
    parent_commit.reset(reinterpret_cast<git_commit*>(peeled));
    git_tree* tree = nullptr;
    check(git_commit_tree(&tree, parent_commit.get()), "read the parent tree");
    parent_tree.reset(tree);
  }

  // libgit2 will not turn a gitlink into a blob, or a blob into a gitlink,
  // in one update: such paths are removed first, in a tree of their own.
  std::vector<git_tree_update> removals;
  for (const auto& [path, change] : changes) {
    if (!parent_tree || !change.content) continue;
    git_tree_entry* entry = nullptr;
    if (git_tree_entry_bypath(&entry, parent_tree.get(), path.c_str()) != 0) continue;
    const bool was_gitlink = git_tree_entry_filemode(entry) == GIT_FILEMODE_COMMIT;
    git_tree_entry_free(entry);
    if (was_gitlink != (change.mode == GIT_FILEMODE_COMMIT)) {
      removals.push_back({GIT_TREE_UPDATE_REMOVE, {}, GIT_FILEMODE_UNREADABLE, path.c_str()});
    }
  }
  if (!removals.empty()) {
    git_oid without;
    check(git_tree_create_updated(&without, repo, parent_tree.get(), removals.size(), removals.data()),
          "write the commit's tree");
    git_tree* t = nullptr;
    check(git_tree_lookup(&t, repo, &without), "read the new tree");
    parent_tree.reset(t);
  }

  std::vector<git_tree_update> updates;
  updates.reserve(changes.size());
  for (const auto& [path, change] : changes) {
    git_tree_update u{};
    u.path = path.c_str();
    if (!change.content) {
      u.action = GIT_TREE_UPDATE_REMOVE;
    } else {
      u.action = GIT_TREE_UPDATE_UPSERT;
      u.filemode = static_cast<git_filemode_t>(change.mode);
      if (change.mode == GIT_FILEMODE_COMMIT) {
        // A gitlink: the content is the submodule commit's sha.
        check(git_oid_fromstr(&u.id, change.content->c_str()), fmt::format("use '{}' as a submodule commit", *change.content));
      } else {
        check(git_blob_create_from_buffer(&u.id, repo, change.content->data(), change.content->size()),
              fmt::format("write '{}'", path));
      }
    }
    updates.push_back(u);
  }
  git_oid tree_id;
  check(git_tree_create_updated(&tree_id, repo, parent_tree.get(), updates.size(), updates.data()),
        "write the commit's tree");
  git_tree* tree_raw = nullptr;
  check(git_tree_lookup(&tree_raw, repo, &tree_id), "read the new tree");
  TreePtr tree(tree_raw);

  git_signature* sig_raw = nullptr;
  check(git_signature_new(&sig_raw, author_name_.empty() ? kName : author_name_.c_str(),
                          author_name_.empty() ? kEmail : author_email_.c_str(), static_cast<git_time_t>(time), 0),
        "make a signature");
  SignaturePtr sig(sig_raw);
  const git_commit* parents[1] = {parent_commit.get()};
  git_oid commit_id;
  check(git_commit_create(&commit_id, repo, nullptr, sig.get(), sig.get(), nullptr, message.c_str(), tree.get(),
                          parent_commit ? 1 : 0, parents),
        "create a commit");
  git_reference* ref = nullptr;
  check(git_reference_create(&ref, repo, ("refs/heads/" + branch).c_str(), &commit_id, 1, "reviewer: commit"),
        fmt::format("point branch '{}' at the commit", branch));
  git_reference_free(ref);
  return oid_str(commit_id);
}

std::string RepoBuilder::head_of(const std::string& branch) const {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo_.get(), ("refs/heads/" + branch).c_str()) < 0)
    throw Error(Error::Code::invalid_input, fmt::format("no branch '{}' in '{}'", branch, path_.string()));
  return oid_str(oid);
}

}  // namespace reviewer::git
