// Repository::diff: the tree-to-tree diff of a pull request, file by file.
// libgit2 finds the changed entries and renames; each file's lines are then
// diffed from its blobs by file_patch.cpp, with per-file caps.
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/git/attributes.h"
#include "reviewer/git/file_patch.h"
#include "reviewer/git/repository.h"

namespace reviewer::git {
namespace {

std::string oid_str(const git_oid& oid) {
  if (git_oid_is_zero(&oid)) return {};
  std::array<char, GIT_OID_HEXSZ + 1> buf{};
  git_oid_tostr(buf.data(), buf.size(), &oid);
  return buf.data();
}

// "812 bytes", "3.4 KB", "5.2 MB", "1 MB".
std::string human_size(std::size_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  const bool mb = bytes >= (1u << 20);
  std::string n = fmt::format("{:.1f}", static_cast<double>(bytes) / (mb ? 1048576.0 : 1024.0));
  if (n.size() > 2 && n.compare(n.size() - 2, 2, ".0") == 0) n.resize(n.size() - 2);
  return n + (mb ? " MB" : " KB");
}

std::optional<ChangeKind> kind_of(git_delta_t status) {
  switch (status) {
    case GIT_DELTA_ADDED: return ChangeKind::added;
    case GIT_DELTA_DELETED: return ChangeKind::deleted;
    case GIT_DELTA_MODIFIED: return ChangeKind::modified;
    case GIT_DELTA_RENAMED: return ChangeKind::renamed;
    case GIT_DELTA_COPIED: return ChangeKind::copied;
    case GIT_DELTA_TYPECHANGE: return ChangeKind::type_changed;
    default: return std::nullopt;  // unmodified, ignored, untracked: not in a tree-to-tree diff
  }
}

// One side of a file: the bytes to diff, owned by a blob or a string.
struct Side {
  BlobPtr blob;
  std::string synthetic;
  std::string_view data;
  std::size_t size = 0;   // the whole object's size
  bool too_big = false;   // over max_count_bytes: not loaded
};

}  // namespace

Diff Repository::diff(std::string_view base_sha, std::string_view head_sha, std::string_view attributes_sha,
                      const DiffOptions& options) const {
  auto tree_of = [&](std::string_view rev) {
    const CommitPtr c = lookup_commit(rev);
    git_tree* raw = nullptr;
    if (git_commit_tree(&raw, c.get()) < 0) fail(fmt::format("read the tree of '{}'", rev));
    return TreePtr(raw);
  };
  const TreePtr base_tree = tree_of(base_sha);
  const TreePtr head_tree = tree_of(head_sha);
  const TreePtr attr_tree = attributes_sha.empty() ? TreePtr() : tree_of(attributes_sha);

  Diff out;
  out.base_sha = resolve(base_sha);
  out.head_sha = resolve(head_sha);

  git_diff_options dopts = GIT_DIFF_OPTIONS_INIT;
  dopts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
  dopts.ignore_submodules = GIT_SUBMODULE_IGNORE_NONE;  // never consult .gitmodules or the work tree
  git_diff* diff_raw = nullptr;
  if (git_diff_tree_to_tree(&diff_raw, repo_.get(), base_tree.get(), head_tree.get(), &dopts) < 0)
    fail(fmt::format("diff '{}' against '{}'", base_sha, head_sha));
  DiffPtr diff(diff_raw);

  std::size_t added = 0, deleted = 0;
  for (std::size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const auto status = git_diff_get_delta(diff.get(), i)->status;
    added += status == GIT_DELTA_ADDED;
    deleted += status == GIT_DELTA_DELETED;
  }
  const auto limit = static_cast<std::size_t>(std::max(options.rename_limit, 0));
  if (added > 0 && deleted > 0) {
    if (added * deleted > limit * limit) {
      out.notes.push_back(fmt::format("rename detection skipped: {} added and {} deleted files exceed the rename limit",
                                      added, deleted));
    } else {
      git_diff_find_options fopts = GIT_DIFF_FIND_OPTIONS_INIT;
      fopts.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_DONT_IGNORE_WHITESPACE;
      fopts.rename_threshold = static_cast<std::uint16_t>(std::clamp(options.rename_threshold, 0, 100));
      fopts.rename_limit = limit;
      if (git_diff_find_similar(diff.get(), &fopts) < 0) fail("detect renames");
    }
  }

  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, repo_.get()) < 0) fail("open the object database");
  const OdbPtr odb(odb_raw);
  Attributes attributes(attr_tree.get());

  auto load = [&](const git_diff_file& f, bool present, Side& side) {
    if (!present) return;
    if (f.mode == GIT_FILEMODE_COMMIT) {
      // What git shows for a submodule: the commit it points at.
      side.synthetic = "Subproject commit " + oid_str(f.id) + "\n";
      side.data = side.synthetic;
      side.size = side.synthetic.size();
      return;
    }
    std::size_t size = 0;
    git_object_t type{};
    if (git_odb_read_header(&size, &type, odb.get(), &f.id) < 0) fail(fmt::format("read '{}'", f.path));
    side.size = size;
    if (size > options.max_count_bytes) {
      side.too_big = true;
      return;
    }
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo_.get(), &f.id) < 0) fail(fmt::format("read '{}'", f.path));
    side.blob.reset(raw);
    side.data = std::string_view(static_cast<const char*>(git_blob_rawcontent(raw)),
                                 static_cast<std::size_t>(git_blob_rawsize(raw)));
  };

  const std::size_t n = git_diff_num_deltas(diff.get());
  out.files.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    const auto kind = kind_of(d->status);
    if (!kind) continue;
    FileDiff& fd = out.files.emplace_back();
    fd.kind = *kind;
    const bool has_old = fd.kind != ChangeKind::added;
    const bool has_new = fd.kind != ChangeKind::deleted;
    if (has_old) {
      fd.old_path = d->old_file.path;
      fd.old_mode = d->old_file.mode;
      fd.old_id = oid_str(d->old_file.id);
    }
    if (has_new) {
      fd.new_path = d->new_file.path;
      fd.new_mode = d->new_file.mode;
      fd.new_id = oid_str(d->new_file.id);
    }
    if (fd.kind == ChangeKind::renamed || fd.kind == ChangeKind::copied) fd.similarity = d->similarity;
    fd.submodule = fd.old_mode == GIT_FILEMODE_COMMIT || fd.new_mode == GIT_FILEMODE_COMMIT;
    fd.symlink = (has_new ? fd.new_mode : fd.old_mode) == GIT_FILEMODE_LINK;

    const std::string& path = fd.path();
    const auto generated = attributes.linguist(path, "linguist-generated");
    fd.generated = generated ? *generated : (options.excluded && options.excluded(path));
    const auto vendored = attributes.linguist(path, "linguist-vendored");
    fd.vendored = vendored ? *vendored : (options.vendored && options.vendored(path));

    // Same blob on both sides (pure rename, mode change): no lines to diff.
    if (has_old && has_new && git_oid_equal(&d->old_file.id, &d->new_file.id) &&
        (fd.old_mode == GIT_FILEMODE_COMMIT) == (fd.new_mode == GIT_FILEMODE_COMMIT))
      continue;

    Side old_side, new_side;
    load(d->old_file, has_old, old_side);
    load(d->new_file, has_new, new_side);
    const std::size_t biggest = std::max(old_side.size, new_side.size);
    if (old_side.too_big || new_side.too_big) {
      fd.truncated = true;
      out.notes.push_back(fmt::format("{}: {}, too large to diff (over {}); not reviewed", path,
                                      human_size(biggest), human_size(options.max_count_bytes)));
      continue;
    }
    const AttrValue diff_attr = attributes.get(path, "diff");
    if (diff_attr.state == AttrValue::State::unset ||
        (diff_attr.state == AttrValue::State::unspecified &&
         (looks_binary(old_side.data) || looks_binary(new_side.data)))) {
      fd.binary = true;
      continue;
    }
    PatchLimits limits;
    limits.old_keep_bytes = options.max_file_bytes;
    limits.new_keep_bytes = options.max_file_bytes;
    limits.context_lines = options.context_lines;
    if (diff_text(old_side.data, new_side.data, limits, fd) < 0) fail(fmt::format("diff '{}'", path));
    if (biggest > options.max_file_bytes) {
      fd.truncated = true;
      out.notes.push_back(fmt::format("{}: {}, only the first {} reviewed", path, human_size(biggest),
                                      human_size(options.max_file_bytes)));
    }
  }
  return out;
}

}  // namespace reviewer::git
