#include "reviewer/git/symlinks.h"

#include <optional>
#include <set>

#include <fmt/format.h>

#include "reviewer/git/handles.h"

namespace reviewer::git {

namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  return fmt::format("{}", fmt::join(parts, "/"));
}

class Resolver {
 public:
  Resolver(git_repository* repo, git_tree* tree, const LinkLimits& limits)
      : repo_(repo), tree_(tree), limits_(limits) {}

  // The entry at `path` in the tree: its mode, or 0 when absent.
  git_filemode_t mode(const std::string& path, git_oid* id = nullptr) const {
    if (path.empty()) return GIT_FILEMODE_TREE;
    git_tree_entry* raw = nullptr;
    if (git_tree_entry_bypath(&raw, tree_, path.c_str()) != 0) {
      git_error_clear();
      return static_cast<git_filemode_t>(0);
    }
    TreeEntryPtr e(raw);
    if (id) git_oid_cpy(id, git_tree_entry_id(e.get()));
    return git_tree_entry_filemode(e.get());
  }

  // A link's target, when it is one to follow (relative, not too long, no NUL).
  std::optional<std::string> target(const git_oid& id) const {
    git_blob* raw = nullptr;
    // A link whose target cannot be read is not "not a link": the caller
    // must not conclude the change reaches nothing protected.
    check(git_blob_lookup(&raw, repo_, &id), "read a symlink's target");
    BlobPtr blob(raw);
    const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
    if (size == 0 || size > limits_.max_target_bytes) return std::nullopt;
    std::string t(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
    if (t.find('\0') != std::string::npos || t.front() == '/') return std::nullopt;
    return t;
  }

  // The path `path` names once every link on the way is followed (the last
  // component too); nullopt when it leaves the repository, hits an absolute
  // or unreadable target, or takes more than max_hops links.
  std::optional<std::string> resolve(std::string_view path) const {
    std::vector<std::string> todo = split(path);
    std::vector<std::string> done;
    int hops = 0;
    size_t i = 0;
    while (i < todo.size()) {
      const std::string c = todo[i];
      if (c == ".") {
        ++i;
        continue;
      }
      if (c == "..") {
        if (done.empty()) return std::nullopt;
        done.pop_back();
        ++i;
        continue;
      }
      done.push_back(c);
      // Every step costs a look-up from the root: bounded per tree, so a
      // crafted tree (deep folders, loops, many links to them) fails the
      // resolution (the run needs a person) instead of running for hours.
      if (++steps_ > limits_.max_steps) {
        throw Error(Error::Code::invalid_input,
                    fmt::format("more than {} symlink resolution steps in one tree", limits_.max_steps));
      }
      git_oid id;
      if (mode(join(done), &id) != GIT_FILEMODE_LINK) {
        ++i;
        continue;
      }
      if (++hops > limits_.max_hops) return std::nullopt;
      auto t = target(id);
      if (!t) return std::nullopt;
      done.pop_back();  // a link is relative to the folder holding it
      std::vector<std::string> next = split(*t);
      next.insert(next.end(), todo.begin() + static_cast<std::ptrdiff_t>(i) + 1, todo.end());
      todo = std::move(next);
      i = 0;
    }
    return join(done);
  }

  // Every symlink in the tree, up to max_entries entries walked.
  std::vector<std::string> links() const {
    struct Walk {
      std::vector<std::string> links;
      std::size_t entries = 0, max = 0;
    } w;
    w.max = limits_.max_entries;
    auto cb = [](const char* root, const git_tree_entry* e, void* payload) -> int {
      auto* w = static_cast<Walk*>(payload);
      if (++w->entries > w->max) return -1;
      if (git_tree_entry_filemode(e) == GIT_FILEMODE_LINK) {
        w->links.push_back(std::string(root) + git_tree_entry_name(e));
      }
      return 0;
    };
    // A walk cut short (a tree that cannot be read, or more entries than
    // max_entries) would leave links unseen: fail rather than answer.
    check(git_tree_walk(tree_, GIT_TREEWALK_PRE, cb, &w), "walk the tree for symlinks");
    return w.links;
  }

  // Files below the folder `dir` ("" for the root) that `wanted` accepts,
  // by their own path or as reached through the link `alias` to the folder
  // (the first few).
  std::vector<std::string> wanted_below(const std::string& dir, const std::string& alias,
                                        const std::function<bool(std::string_view)>& wanted) const {
    std::vector<std::string> out;
    TreePtr subtree;
    if (dir.empty()) {
      git_tree* copy = nullptr;
      check(git_tree_dup(&copy, tree_), "read the root tree");
      subtree.reset(copy);
    } else {
      git_tree_entry* raw = nullptr;
      if (git_tree_entry_bypath(&raw, tree_, dir.c_str()) != 0) {
        git_error_clear();
        return out;
      }
      TreeEntryPtr e(raw);
      git_tree* sub = nullptr;
      check(git_tree_lookup(&sub, repo_, git_tree_entry_id(e.get())), "read a linked folder");
      subtree.reset(sub);
    }
    struct Walk {
      std::string dir, alias;
      const std::function<bool(std::string_view)>* wanted;
      std::vector<std::string>* out;
      std::size_t* entries;  // shared by every call on this tree: k links to one big folder walk it k times
      std::size_t max = 0;
    } w{dir.empty() ? "" : dir + "/", alias + "/", &wanted, &out, &below_entries_, limits_.max_entries};
    auto cb = [](const char* root, const git_tree_entry* e, void* payload) -> int {
      auto* w = static_cast<Walk*>(payload);
      if (w->out->size() >= 5) return -1;  // enough found: stopped, not an error (below)
      if (++*w->entries > w->max) return -1;
      if (git_tree_entry_type(e) == GIT_OBJECT_TREE) return 0;
      const std::string rel = std::string(root) + git_tree_entry_name(e);
      if (std::string p = w->dir + rel; (*w->wanted)(p)) {
        w->out->push_back(std::move(p));
      } else if (std::string a = w->alias + rel; (*w->wanted)(a)) {
        w->out->push_back(std::move(a));
      }
      return 0;
    };
    const int rc = git_tree_walk(subtree.get(), GIT_TREEWALK_PRE, cb, &w);
    if (rc != 0 && out.size() < 5) check(rc, "walk a linked folder");
    git_error_clear();
    return out;
  }

 private:
  git_repository* repo_;
  git_tree* tree_;
  LinkLimits limits_;
  mutable std::size_t steps_ = 0;  // resolution steps taken in this tree
  mutable std::size_t below_entries_ = 0;  // entries walked below linked folders in this tree
};

TreePtr tree_of(git_repository* repo, const std::string& sha) {
  git_oid oid;
  check(git_oid_fromstr(&oid, sha.c_str()), fmt::format("read commit '{}'", sha));
  git_commit* c = nullptr;
  check(git_commit_lookup(&c, repo, &oid), fmt::format("read commit '{}'", sha));
  CommitPtr commit(c);
  git_tree* t = nullptr;
  check(git_commit_tree(&t, commit.get()), fmt::format("read the tree of '{}'", sha));
  return TreePtr(t);
}

}  // namespace

std::vector<LinkedPath> linked_paths(const std::filesystem::path& repo_path, const Diff& diff,
                                     const std::function<bool(std::string_view)>& wanted, LinkLimits limits) {
  if (diff.files.empty()) return {};
  Library lib;
  git_repository* raw = nullptr;
  check(git_repository_open_ext(&raw, repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
        fmt::format("open repository '{}'", repo_path.string()));
  RepositoryPtr repo(raw);
  return linked_paths(repo.get(), diff, wanted, limits);
}

std::vector<LinkedPath> linked_paths(git_repository* repo, const Diff& diff,
                                     const std::function<bool(std::string_view)>& wanted, LinkLimits limits) {
  std::vector<LinkedPath> out;
  std::set<std::string> changed;
  for (const auto& f : diff.files) {
    if (!f.old_path.empty()) changed.insert(f.old_path);
    if (!f.new_path.empty()) changed.insert(f.new_path);
  }
  if (changed.empty()) return out;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](std::string path, const std::string& link, const std::string& p) {
    if (seen.emplace(path, link).second) out.push_back({std::move(path), link, p});
  };
  for (const std::string& sha : {diff.base_sha, diff.head_sha}) {
    if (sha.empty()) continue;
    TreePtr tree = tree_of(repo, sha);
    Resolver r(repo, tree.get(), limits);
    // A link anywhere in the tree to a changed file or to a folder above one.
    std::size_t pairs = 0;  // (link, changed path) pairs looked at: many links to one big folder multiply
    const std::vector<std::string> links = r.links();
    for (const std::string& link : links) {
      auto to = r.resolve(link);
      if (!to) continue;
      // A link to the root ("..") reaches every changed path below it.
      for (auto it = changed.lower_bound(*to); it != changed.end() && it->starts_with(*to); ++it) {
        if (++pairs > limits.max_steps) {
          throw Error(Error::Code::invalid_input,
                      fmt::format("more than {} links to changed paths in one tree", limits.max_steps));
        }
        const std::string& p = *it;
        if (!to->empty() && p.size() != to->size() && p[to->size()] != '/') continue;
        std::string alias = to->empty() ? link + "/" + p : link + p.substr(to->size());
        if (wanted(alias)) add(std::move(alias), link, p);
      }
    }
    // A changed path that is a link: where it points. Read from the walk's
    // links, not by a look-up of each changed path (an import of 5,000
    // files paid ~0.1 s of tree look-ups for that).
    for (const std::string& p : links) {
      if (!changed.contains(p)) continue;
      auto to = r.resolve(p);
      if (!to) continue;
      if (!to->empty() && wanted(*to)) add(*to, p, p);
      // A link to a folder: what lies below it, by its own path (a link into
      // a protected folder) or through the link (a link named like one).
      if (r.mode(*to) == GIT_FILEMODE_TREE) {
        for (auto& below : r.wanted_below(*to, p, wanted)) add(std::move(below), p, p);
      }
    }
  }
  return out;
}

}  // namespace reviewer::git
