// Repository::diff: the tree-to-tree diff of a pull request, file by file.
// libgit2 finds the changed entries and renames; each file's lines are then
// diffed from its blobs by file_patch.cpp, with per-file caps, on two
// threads when the change has more than a few files (an added or deleted
// file needs no line diff: its blob is its lines).
#include <algorithm>
#include <array>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/two_threads.h"
#include "reviewer/git/attributes.h"
#include "reviewer/git/diff_budget.h"
#include "reviewer/git/file_patch.h"
#include "reviewer/git/handles.h"
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

// A file whose lines are still to be read, and the notes it leaves.
struct FileJob {
  const git_diff_delta* delta;
  std::size_t file;              // index into Diff::files
  AttrValue::State diff_attr;    // the file's `diff` attribute at the attributes commit
  std::vector<std::string> notes;
};

[[noreturn]] void fail_in(const std::string& shown, const std::string& what) {
  throw Error(Error::Code::invalid_input, fmt::format("cannot {} in '{}': {}", what, shown, last_error_message()));
}

// What a file's lines hold in memory: their records, hunk headers and
// bytes, or `blob` bytes when more (a blob kept whole as the buffer).
std::size_t held_bytes(const FileDiff& fd, std::size_t blob) {
  std::size_t n = fd.new_prefix.size();
  for (const Hunk& h : fd.hunks) n += sizeof(Hunk) + h.header.size() + h.lines.capacity() * sizeof(DiffLine);
  return n + std::max(fd.text ? fd.text->size() : 0, blob);
}

// A file the review-wide budget did not keep: as if never read, and
// truncated, so the run needs a person.
void forget_lines(FileDiff& fd) {
  fd.binary = false;
  fd.new_prefix.clear();
  fd.old_lines_read = false;
  fd.old_lines.reset();
  fd.additions = fd.deletions = 0;
  std::vector<Hunk>().swap(fd.hunks);
  fd.text.reset();
  fd.truncated = true;
}

// Reads the blobs of one file and fills its hunks and counts, with the
// per-file caps; `repo` and `odb` belong to the calling thread. Returns
// what the file holds (held_bytes).
std::size_t read_file_lines(git_repository* repo, git_odb* odb, const std::string& shown, FileJob& job, FileDiff& fd,
                     const DiffOptions& options) {
  const git_diff_delta* d = job.delta;
  const bool has_old = fd.kind != ChangeKind::added;
  const bool has_new = fd.kind != ChangeKind::deleted;
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
    if (git_odb_read_header(&size, &type, odb, &f.id) < 0) fail_in(shown, fmt::format("read '{}'", f.path));
    side.size = size;
    if (size > options.max_count_bytes) {
      side.too_big = true;
      return;
    }
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo, &f.id) < 0) fail_in(shown, fmt::format("read '{}'", f.path));
    side.blob.reset(raw);
    side.data = std::string_view(static_cast<const char*>(git_blob_rawcontent(raw)),
                                 static_cast<std::size_t>(git_blob_rawsize(raw)));
  };

  const std::string& path = fd.path();
  Side old_side, new_side;
  load(d->old_file, has_old, old_side);
  if (old_side.blob) {
    fd.old_lines_read = true;
    fd.old_lines = blob_line_count(old_side.blob.get());
  }
  load(d->new_file, has_new, new_side);
  const std::size_t biggest = std::max(old_side.size, new_side.size);
  if (old_side.too_big || new_side.too_big) {
    fd.truncated = true;
    job.notes.push_back(fmt::format("{}: {}, too large to diff (over {}); not reviewed", path,
                                    human_size(biggest), human_size(options.max_count_bytes)));
    return 0;
  }
  if (job.diff_attr == AttrValue::State::unset ||
      (job.diff_attr == AttrValue::State::unspecified &&
       (looks_binary(old_side.data) || looks_binary(new_side.data)))) {
    fd.binary = true;
    // What the new content starts with, so safety can tell a real image
    // from text or an executable under an image's name.
    if (has_new) fd.new_prefix.assign(new_side.data.substr(0, kBinaryPrefix));
    return held_bytes(fd, 0);
  }
  // An added or deleted file: every line is on one side, so no line diff
  // is needed, and the blob itself can be the file's buffer (libgit2 keeps
  // no blob in its cache, and a blob may outlive its repository).
  auto owner = [](Side& side) -> std::shared_ptr<const void> {
    if (!side.blob) return nullptr;
    return std::shared_ptr<git_blob>(side.blob.release(), Deleter<git_blob_free>{});
  };
  // A one-sided file may keep its whole blob, though only lines within the cap.
  const std::size_t blob = has_old && has_new ? 0 : (has_old ? old_side.size : new_side.size);
  if (!has_old) {
    one_sided_text(new_side.data, options.max_file_bytes, LineOrigin::added, fd, owner(new_side));
  } else if (!has_new) {
    one_sided_text(old_side.data, options.max_file_bytes, LineOrigin::deleted, fd, owner(old_side));
  } else {
    PatchLimits limits;
    limits.old_keep_bytes = options.max_file_bytes;
    limits.new_keep_bytes = options.max_file_bytes;
    limits.context_lines = options.context_lines;
    const int rc = old_side.blob && new_side.blob
                       ? diff_blobs(old_side.blob.get(), new_side.blob.get(), limits, fd)
                       : diff_text(old_side.data, new_side.data, limits, fd);  // a submodule's side
    if (rc < 0) fail_in(shown, fmt::format("diff '{}'", path));
  }
  if (biggest > options.max_file_bytes) {
    fd.truncated = true;
    job.notes.push_back(fmt::format("{}: {}, only the first {} reviewed", path, human_size(biggest),
                                    human_size(options.max_file_bytes)));
  }
  return held_bytes(fd, blob);
}

// Below this many files a second thread (and a second open of the
// repository) costs more than it saves.
constexpr std::size_t kJobsForTwoThreads = 8;

// Reads every job's lines: on this thread with `repo`, and, for a larger
// change, on a second one with a repository of its own opened at `shown`
// (libgit2's objects are used by one thread at a time). Each file's result
// goes to its own slot and the budget is spent in file order, so the
// outcome is the same as one thread's; the error thrown is the one of the
// earliest file that failed, as one thread would have thrown. Returns the
// files the budget did not keep.
std::vector<std::size_t> read_lines(git_repository* repo, const std::string& shown, std::vector<FileJob>& jobs,
                                    std::vector<FileDiff>& files, const DiffOptions& options) {
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, repo) < 0) fail_in(shown, "open the object database");
  const OdbPtr odb(odb_raw);
  // The second thread's own repository and object database; when either
  // cannot be opened, this thread reads every file.
  RepositoryPtr second;
  OdbPtr second_odb;
  if (jobs.size() >= kJobsForTwoThreads && std::thread::hardware_concurrency() > 1) {
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, shown.c_str(), 0, nullptr) == 0) {
      second.reset(raw);
      odb_raw = nullptr;
      if (git_repository_odb(&odb_raw, raw) == 0) second_odb.reset(odb_raw);
    }
    git_error_clear();
  }
  DiffBudget budget(jobs.size(), options.max_total_bytes);
  std::vector<std::size_t> dropped;
  dropped.reserve(jobs.size());  // drop runs under the budget's lock: it must not throw
  auto drop = [&](std::size_t j) {
    forget_lines(files[jobs[j].file]);
    jobs[j].notes.clear();
    dropped.push_back(jobs[j].file);
  };
  on_two_threads(jobs.size(), second_odb != nullptr, [&](std::size_t i, int t) {
    std::optional<std::size_t> cost;
    try {
      if (budget.worth_reading(i))
        cost = read_file_lines(t == 0 ? repo : second.get(), t == 0 ? odb.get() : second_odb.get(), shown,
                               jobs[i], files[jobs[i].file], options);
    } catch (...) {
      // As one thread in order: a file the budget would drop unread does
      // not fail the diff. Either way the other thread may be waiting for it.
      const bool kept = budget.turn_kept(i);
      budget.done(i, std::nullopt, drop);
      if (kept) throw;
      return;
    }
    budget.done(i, cost, drop);
  });
  return dropped;
}

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

  Attributes attributes(attr_tree.get());
  // The entries first, in order, on this thread (attributes are read
  // lazily from the tree); the lines of each file after, maybe on two.
  std::vector<FileJob> jobs;
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
    // A gitlink now (or a deleted one): its "lines" are a commit id. A gitlink
    // replaced by a file is that file, whose lines are reviewed like any.
    fd.submodule = (has_new ? fd.new_mode : fd.old_mode) == GIT_FILEMODE_COMMIT;
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
    jobs.push_back({d, out.files.size() - 1, attributes.get(path, "diff").state, {}});
  }
  const std::vector<std::size_t> dropped = read_lines(repo_.get(), path_, jobs, out.files, options);
  for (auto& job : jobs) {
    for (auto& note : job.notes) out.notes.push_back(std::move(note));
  }
  if (!dropped.empty()) {
    out.notes.push_back(fmt::format(
        "{} file(s) not reviewed, from '{}' on: the diff reached its limit of {} of lines and text; a person must "
        "review them",
        dropped.size(), out.files[dropped.front()].path(), human_size(options.max_total_bytes)));
  }
  return out;
}

}  // namespace reviewer::git
