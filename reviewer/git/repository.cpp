#include "reviewer/git/repository.h"

#include <algorithm>
#include <array>
#include <system_error>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::git {
namespace {

std::string oid_str(const git_oid* oid) {
  std::array<char, GIT_OID_HEXSZ + 1> buf{};
  git_oid_tostr(buf.data(), buf.size(), oid);
  return buf.data();
}

[[noreturn]] void invalid(const std::string& message) {
  throw Error(Error::Code::invalid_input, message);
}

bool reference_exists(git_repository* repo, const std::string& name) {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo, name.c_str()) == 0) return true;
  git_error_clear();
  return false;
}

}  // namespace

Repository Repository::open(const std::filesystem::path& path) {
  const std::string shown = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) invalid(fmt::format("'{}' does not exist", shown));
  git_repository* raw = nullptr;
  // Like `git -C path`: a sub-folder of a work tree finds its repository.
  const int rc = git_repository_open_ext(&raw, shown.c_str(), 0, nullptr);
  RepositoryPtr repo(raw);
  if (rc == GIT_ENOTFOUND) invalid(fmt::format("'{}' is not a git repository", shown));
  if (rc < 0) invalid(fmt::format("cannot open repository '{}': {}", shown, last_error_message()));
  const int shallow = git_repository_is_shallow(repo.get());
  if (shallow < 0) invalid(fmt::format("cannot read repository '{}': {}", shown, last_error_message()));
  if (shallow == 1)
    invalid(fmt::format("'{}' is a shallow clone; reviewer needs the full history (run `git fetch --unshallow`)",
                        shown));
  // A repository whose object database cannot be opened is corrupt; say so now
  // rather than at the first object read.
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo.get()) < 0)
    invalid(fmt::format("repository '{}' is corrupt: {}", shown, last_error_message()));
  git_odb_free(odb);
  return Repository(std::move(repo), shown);
}

void Repository::fail(const std::string& what) const {
  invalid(fmt::format("cannot {} in '{}': {}", what, path_, last_error_message()));
}

CommitPtr Repository::lookup_commit(std::string_view revspec) const {
  const std::string spec(revspec);
  if (spec.empty() || spec.find('\0') != std::string::npos)
    invalid(fmt::format("unknown revision '{}' in '{}'", spec, path_));
  git_object* raw = nullptr;
  const int rc = git_revparse_single(&raw, repo_.get(), spec.c_str());
  ObjectPtr obj(raw);
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
    invalid(fmt::format("unknown revision '{}' in '{}'", spec, path_));
  if (rc == GIT_EAMBIGUOUS) invalid(fmt::format("ambiguous revision '{}' in '{}'", spec, path_));
  if (rc < 0) fail(fmt::format("resolve '{}'", spec));
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) < 0) {
    git_error_clear();
    invalid(fmt::format("revision '{}' in '{}' is a {}, not a commit", spec, path_,
                        git_object_type2string(git_object_type(obj.get()))));
  }
  return CommitPtr(reinterpret_cast<git_commit*>(peeled));
}

std::vector<std::string> Repository::commits_in_range(std::string_view range, std::size_t limit,
                                                      bool first_parent) const {
  const std::string spec(range);
  const auto dots = spec.find("..");
  if (dots == std::string::npos || spec.find("...") != std::string::npos || dots == 0 ||
      dots + 2 >= spec.size()) {
    invalid(fmt::format("invalid range '{}': expected A..B", spec));
  }
  const CommitPtr from = lookup_commit(spec.substr(0, dots));
  const CommitPtr to = lookup_commit(spec.substr(dots + 2));
  git_revwalk* raw = nullptr;
  if (git_revwalk_new(&raw, repo_.get()) < 0) fail("walk commits");
  RevwalkPtr walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  if (first_parent) git_revwalk_simplify_first_parent(walk.get());
  if (git_revwalk_push(walk.get(), git_commit_id(to.get())) < 0 ||
      git_revwalk_hide(walk.get(), git_commit_id(from.get())) < 0) {
    fail(fmt::format("walk '{}'", spec));
  }
  std::vector<std::string> out;
  git_oid oid;
  int rc = 0;
  while (out.size() < limit && (rc = git_revwalk_next(&oid, walk.get())) == 0) out.push_back(oid_str(&oid));
  // Anything but the end of the walk (a missing or corrupt commit) fails closed.
  if (rc < 0 && rc != GIT_ITEROVER) fail(fmt::format("walk '{}'", spec));
  return out;
}

std::string Repository::resolve(std::string_view revspec) const {
  return oid_str(git_commit_id(lookup_commit(revspec).get()));
}

std::string Repository::merge_base(std::string_view a_sha, std::string_view b_sha) const {
  const CommitPtr a = lookup_commit(a_sha);
  const CommitPtr b = lookup_commit(b_sha);
  git_oid out;
  const int rc = git_merge_base(&out, repo_.get(), git_commit_id(a.get()), git_commit_id(b.get()));
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    invalid(fmt::format("'{}' and '{}' share no history in '{}'", a_sha, b_sha, path_));
  }
  if (rc < 0) fail(fmt::format("find the merge base of '{}' and '{}'", a_sha, b_sha));
  return oid_str(&out);
}

std::string Repository::default_branch() const {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo_.get(), "refs/remotes/origin/HEAD") == 0) {
    ReferencePtr ref(raw);
    const char* target = git_reference_symbolic_target(ref.get());
    constexpr std::string_view prefix = "refs/remotes/";
    if (target && std::string_view(target).substr(0, prefix.size()) == prefix &&
        reference_exists(repo_.get(), target))
      return std::string(std::string_view(target).substr(prefix.size()));
  }
  git_error_clear();
  // In a bare mirror HEAD names the upstream default branch; in a checkout it
  // is whatever is checked out, so it is not evidence there.
  if (bare() && git_reference_lookup(&raw, repo_.get(), "HEAD") == 0) {
    ReferencePtr head(raw);
    const char* target = git_reference_symbolic_target(head.get());
    constexpr std::string_view prefix = "refs/heads/";
    if (target && std::string_view(target).substr(0, prefix.size()) == prefix &&
        reference_exists(repo_.get(), target))
      return std::string(std::string_view(target).substr(prefix.size()));
  }
  git_error_clear();
  for (const char* name : {"main", "master", "trunk", "develop"})
    if (reference_exists(repo_.get(), std::string("refs/heads/") + name)) return name;
  for (const char* name : {"main", "master", "trunk", "develop"})
    if (reference_exists(repo_.get(), std::string("refs/remotes/origin/") + name))
      return std::string("origin/") + name;
  return "HEAD";
}

CommitInfo Repository::commit(std::string_view sha) const {
  const CommitPtr c = lookup_commit(sha);
  CommitInfo info;
  info.sha = oid_str(git_commit_id(c.get()));
  const char* msg = git_commit_message(c.get());
  info.message = msg ? msg : "";
  const std::size_t eol = info.message.find('\n');
  info.summary = info.message.substr(0, eol);
  if (!info.summary.empty() && info.summary.back() == '\r') info.summary.pop_back();
  if (eol != std::string::npos) {
    std::size_t start = eol + 1;
    while (start < info.message.size() && (info.message[start] == '\n' || info.message[start] == '\r')) ++start;
    info.body = info.message.substr(start);
    while (!info.body.empty() && (info.body.back() == '\n' || info.body.back() == '\r' || info.body.back() == ' '))
      info.body.pop_back();
  }
  if (const git_signature* author = git_commit_author(c.get())) {
    info.author_name = author->name ? author->name : "";
    info.author_email = author->email ? author->email : "";
  }
  info.time = static_cast<long long>(git_commit_time(c.get()));
  const unsigned n = git_commit_parentcount(c.get());
  for (unsigned i = 0; i < n; ++i) info.parents.push_back(oid_str(git_commit_parent_id(c.get(), i)));
  return info;
}

std::optional<std::string> Repository::read_file(std::string_view commit_sha, std::string_view path,
                                                 std::size_t max_bytes, bool* truncated) const {
  if (truncated) *truncated = false;
  const CommitPtr c = lookup_commit(commit_sha);
  const std::string p(path);
  if (p.empty() || p.find('\0') != std::string::npos) return std::nullopt;
  git_tree* tree_raw = nullptr;
  if (git_commit_tree(&tree_raw, c.get()) < 0) fail("read the tree of " + std::string(commit_sha));
  TreePtr tree(tree_raw);
  git_tree_entry* entry_raw = nullptr;
  const int rc = git_tree_entry_bypath(&entry_raw, tree.get(), p.c_str());
  TreeEntryPtr entry(entry_raw);
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
    git_error_clear();
    return std::nullopt;
  }
  if (rc < 0) fail(fmt::format("look up '{}'", p));
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::nullopt;
  git_blob* blob_raw = nullptr;
  if (git_blob_lookup(&blob_raw, repo_.get(), git_tree_entry_id(entry.get())) < 0)
    fail(fmt::format("read '{}' at {}", p, commit_sha));
  BlobPtr blob(blob_raw);
  const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
  const std::size_t n = std::min(size, max_bytes);
  if (truncated) *truncated = n < size;
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), n);
}

std::vector<std::string> Repository::list_files(std::string_view commit_sha) const {
  const CommitPtr c = lookup_commit(commit_sha);
  git_tree* tree_raw = nullptr;
  if (git_commit_tree(&tree_raw, c.get()) < 0) fail("read the tree of " + std::string(commit_sha));
  TreePtr tree(tree_raw);
  std::vector<std::string> files;
  auto visit = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB)
      static_cast<std::vector<std::string>*>(payload)->push_back(std::string(root) + git_tree_entry_name(entry));
    return 0;
  };
  if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, visit, &files) < 0)
    fail("list the files of " + std::string(commit_sha));
  return files;
}

bool Repository::bare() const { return git_repository_is_bare(repo_.get()) == 1; }

}  // namespace reviewer::git
