#include "reviewer/git/history/commit_diff.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/text.h"
#include "reviewer/git/handles.h"

namespace reviewer::history::detail {

namespace {

using git::DiffPtr;
using git::PatchPtr;
using git::TreePtr;
using git::CommitPtr;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Vendored trees, lockfiles and minified bundles: followed by name only.
// Called for every file of every commit: no allocation.
bool third_party(std::string_view path) {
  for (std::string_view dir : {"/vendor/", "/third_party/", "/third-party/", "/node_modules/", "/external/"}) {
    if (path.starts_with(dir.substr(1)) || path.find(dir) != std::string_view::npos) return true;
  }
  const std::string_view name = base_name(path);
  for (std::string_view lock : {"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum",
                                "poetry.lock", "Gemfile.lock", "composer.lock"}) {
    if (name == lock) return true;
  }
  return ends_with(name, ".min.js") || ends_with(name, ".min.css");
}

}  // namespace

void check(int rc, const std::string& what) {
  if (rc < 0) throw Error(Error::Code::invalid_input, fmt::format("history: cannot {}: {}", what, git::last_error_message()));
}

CommentStyle comment_style(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  for (std::string_view e : {"c", "h", "cc", "cpp", "cxx", "hpp", "hh", "java", "js", "jsx", "ts", "tsx", "mjs",
                             "cjs", "go", "rs", "swift", "kt", "kts", "cs", "scala", "php", "dart", "m", "mm", "vue"}) {
    if (ext == e) return CommentStyle::c_like;
  }
  for (std::string_view e : {"py", "rb", "sh", "bash", "zsh", "pl", "pm", "r", "yml", "yaml", "toml", "cmake",
                             "mk", "tcl", "ex", "exs", "jl", "nim", "ps1", "conf", "cfg", "ini"}) {
    if (ext == e) return CommentStyle::hash;
  }
  const std::string_view name = base_name(path);
  if (name == "Makefile" || name == "CMakeLists.txt" || name == "Dockerfile" || name == "BUILD") return CommentStyle::hash;
  for (std::string_view e : {"sql", "lua", "hs", "elm", "ada"}) {
    if (ext == e) return CommentStyle::dash;
  }
  return CommentStyle::none;
}

bool comment_or_blank(std::string_view line, CommentStyle style) {
  line = trim(line);
  if (line.empty()) return true;
  switch (style) {
    case CommentStyle::c_like:
      return line.starts_with("//") || line.starts_with("/*") || line.starts_with("*/") || line == "*" ||
             line.starts_with("* ");
    case CommentStyle::hash:
      return line.starts_with('#') && !line.starts_with("#[") && !line.starts_with("#!");
    case CommentStyle::dash:
      return line.starts_with("--");
    case CommentStyle::none:
      return false;
  }
  return false;
}

namespace {

// Deleted and added files: all of them (what the similarity search would
// compare) and those outside vendored trees (the renames the index
// follows; a dependency update adds and deletes hundreds of vendored files,
// which are known by name only anyway).
struct Candidates {
  std::size_t added = 0, deleted = 0, own_added = 0, own_deleted = 0;
};

Candidates rename_candidates(git_diff* diff) {
  Candidates c;
  const std::size_t n = git_diff_num_deltas(diff);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff, i);
    if (d->status == GIT_DELTA_ADDED) {
      ++c.added;
      if (!third_party(d->new_file.path)) ++c.own_added;
    } else if (d->status == GIT_DELTA_DELETED) {
      ++c.deleted;
      if (!third_party(d->old_file.path)) ++c.own_deleted;
    }
  }
  return c;
}

// Above this many (added x deleted) pairs, the similarity search (which
// reads and fingerprints every candidate blob and compares the pairs) is
// replaced by exact matches plus pairing files of the same unique name, as
// git's basename-guided rename detection does first: a reorganisation that
// moves hundreds of files and edits their imports is then followed for a
// fraction of the cost.
constexpr std::size_t kSimilarityPairs = 2500;

// Deleted file -> added file of the same name, where the name is unique on
// both sides among the files libgit2 left unpaired.
std::unordered_map<std::size_t, std::size_t> same_name_renames(git_diff* diff) {
  std::unordered_map<std::string_view, std::pair<long, long>> by_name;  // -1: none, -2: several
  const std::size_t n = git_diff_num_deltas(diff);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff, i);
    const bool add = d->status == GIT_DELTA_ADDED, del = d->status == GIT_DELTA_DELETED;
    if (!add && !del) continue;
    const char* path = add ? d->new_file.path : d->old_file.path;
    if (third_party(path)) continue;
    auto [it, fresh] = by_name.try_emplace(base_name(path), -1, -1);
    long& slot = add ? it->second.second : it->second.first;
    slot = slot == -1 ? static_cast<long>(i) : -2;
  }
  std::unordered_map<std::size_t, std::size_t> pairs;
  for (const auto& [name, p] : by_name) {
    if (p.first >= 0 && p.second >= 0) pairs.emplace(static_cast<std::size_t>(p.first), static_cast<std::size_t>(p.second));
  }
  return pairs;
}

void find_renames(git_diff* diff, const BuildOptions& opts, std::unordered_map<std::size_t, std::size_t>* by_name) {
  const Candidates c = rename_candidates(diff);
  if (c.own_added == 0 || c.own_deleted == 0) return;
  const bool exact_only = c.added * c.deleted > kSimilarityPairs;
  git_diff_find_options fopts;
  git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
  fopts.flags = GIT_DIFF_FIND_RENAMES | (exact_only ? GIT_DIFF_FIND_EXACT_MATCH_ONLY : 0);
  fopts.rename_limit = static_cast<size_t>(opts.rename_limit);
  // Similarity needs every blob; in a partial mirror one may be missing,
  // and the commit is then read without renames.
  if (git_diff_find_similar(diff, &fopts) < 0) {
    git_error_clear();
    return;
  }
  if (exact_only) *by_name = same_name_renames(diff);
}

// A blob's text, or nothing when it is not followed line by line (binary,
// oversized, or a blob the repository does not have).
std::optional<git::BlobPtr> text_blob(git_repository* repo, const git_oid* id, const BuildOptions& opts) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, id) < 0) {
    git_error_clear();
    return std::nullopt;
  }
  git::BlobPtr blob(raw);
  if (static_cast<std::size_t>(git_blob_rawsize(blob.get())) > opts.max_file_bytes || git_blob_is_binary(blob.get())) {
    return std::nullopt;
  }
  return blob;
}

std::string_view content(const git::BlobPtr& blob) {
  return {static_cast<const char*>(git_blob_rawcontent(blob.get())), static_cast<std::size_t>(git_blob_rawsize(blob.get()))};
}

int count_lines(std::string_view text) {
  auto n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() != '\n') n += 1;  // a last line without a newline
  return n;
}

// A whole file added or deleted: its line count from the blob, without a
// line diff against nothing. False when it is not followed line by line.
bool count_blob_lines(git_repository* repo, const git_oid* id, const BuildOptions& opts, int* lines) {
  auto blob = text_blob(repo, id, opts);
  if (!blob) return false;
  *lines = count_lines(content(*blob));
  return true;
}

// The lines both versions share at the start and at the end, which the
// line diff need not see: the diff of a one-line change to a long file
// then costs that line, not the file (git trims the common tail for the
// same reason). Whole lines only.
struct Trim {
  std::size_t head = 0, tail = 0;  // bytes
  int head_lines = 0;
};

Trim common_ends(std::string_view a, std::string_view b) {
  Trim t;
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t p = static_cast<std::size_t>(std::mismatch(a.begin(), a.begin() + static_cast<long>(n), b.begin()).first - a.begin());
  if (p < n || a.size() != b.size()) {
    // Back to the start of the line where they differ.
    const auto nl = a.substr(0, p).rfind('\n');
    p = nl == std::string_view::npos ? 0 : nl + 1;
  }
  t.head = p;
  t.head_lines = count_lines(a.substr(0, p));
  std::size_t s = 0;
  while (s < n - p && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  // The shared tail starts at a line start: after its first newline,
  // unless it already starts one in both.
  if (s > 0) {
    const std::size_t at = a.size() - s, bt = b.size() - s;
    const bool line_start = (at == 0 || a[at - 1] == '\n') && (bt == 0 || b[bt - 1] == '\n');
    if (!line_start) {
      const auto nl = a.substr(at, s).find('\n');
      s = nl == std::string_view::npos ? 0 : s - (nl + 1);
    }
  }
  t.tail = s;
  return t;
}

// A modified or renamed file, hunk by hunk. Line contents are kept only
// when SZZ will read them (keep_lines: the commit is a fix); otherwise the
// hunk headers carry all the walk needs. False when the file is not
// followed line by line.
bool read_patch(git_repository* repo, const git_oid* old_id, const git_oid* new_id, const BuildOptions& opts,
                bool keep_lines, Touched& t) {
  auto old_blob = text_blob(repo, old_id, opts);
  if (!old_blob) return false;
  auto new_blob = text_blob(repo, new_id, opts);
  if (!new_blob) return false;
  std::string_view a = content(*old_blob), b = content(*new_blob);
  const Trim trim = common_ends(a, b);
  a = a.substr(trim.head, a.size() - trim.head - trim.tail);
  b = b.substr(trim.head, b.size() - trim.head - trim.tail);
  git_diff_options dopts;
  git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
  dopts.context_lines = 0;
  dopts.interhunk_lines = 0;
  dopts.flags = GIT_DIFF_FORCE_TEXT;  // both blobs were checked above
  git_patch* praw = nullptr;
  check(git_patch_from_buffers(&praw, a.data(), a.size(), nullptr, b.data(), b.size(), nullptr, &dopts), "diff a file");
  PatchPtr patch(praw);
  const std::size_t hunks = patch ? git_patch_num_hunks(patch.get()) : 0;
  t.hunks.reserve(hunks);
  for (std::size_t h = 0; h < hunks; ++h) {
    const git_diff_hunk* hunk = nullptr;
    std::size_t lines = 0;
    check(git_patch_get_hunk(&hunk, &lines, patch.get(), h), "read a hunk");
    Touched::H th;
    th.old_start = hunk->old_start + trim.head_lines;
    th.old_lines = hunk->old_lines;
    th.new_lines = hunk->new_lines;
    // Context 0: a hunk's old lines are all deleted, its new lines added.
    t.deleted += hunk->old_lines;
    t.added += hunk->new_lines;
    for (std::size_t l = 0; keep_lines && l < lines; ++l) {
      const git_diff_line* line = nullptr;
      check(git_patch_get_line_in_hunk(&line, patch.get(), h, l), "read a line");
      std::string_view text(line->content, line->content_len);
      if (line->origin == GIT_DIFF_LINE_DELETION) th.minus.emplace_back(text);
      else if (line->origin == GIT_DIFF_LINE_ADDITION) th.plus.emplace_back(text);
    }
    t.hunks.push_back(std::move(th));
  }
  return true;
}

}  // namespace

// The commit's diff against its first parent, with renames, as Touched
// files. Huge commits (imports, mass reformatting) keep their file list
// only.
std::vector<Touched> diff_commit(git_repository* repo, git_commit* commit, const BuildOptions& opts, bool keep_lines,
                                 const std::function<bool()>& stop, bool* bulk) {
  git_tree* new_raw = nullptr;
  check(git_commit_tree(&new_raw, commit), "read a commit's tree");
  TreePtr new_tree(new_raw);
  TreePtr old_tree;
  if (git_commit_parentcount(commit) > 0) {
    git_commit* parent = nullptr;
    if (git_commit_parent(&parent, commit, 0) == 0) {
      CommitPtr p(parent);
      git_tree* old_raw = nullptr;
      check(git_commit_tree(&old_raw, parent), "read a parent's tree");
      old_tree.reset(old_raw);
    }
  }
  git_diff_options dopts;
  git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
  dopts.context_lines = 0;
  dopts.interhunk_lines = 0;
  dopts.flags = GIT_DIFF_IGNORE_SUBMODULES;
  // Bigger blobs count as binary: not followed line by line.
  dopts.max_size = static_cast<git_off_t>(opts.max_file_bytes);
  // An import of a million files takes seconds to diff: the deadline is
  // checked every few thousand files.
  struct Poll {
    const std::function<bool()>* stop;
    std::size_t calls = 0;
    bool stopped = false;
  } poll{&stop};
  if (stop) {
    dopts.payload = &poll;
    dopts.progress_cb = [](const git_diff*, const char*, const char*, void* payload) -> int {
      auto* p = static_cast<Poll*>(payload);
      if (++p->calls % 4096 == 0 && (*p->stop)()) p->stopped = true;
      return p->stopped ? 1 : 0;
    };
  }
  git_diff* draw = nullptr;
  const int rc = git_diff_tree_to_tree(&draw, repo, old_tree.get(), new_tree.get(), &dopts);
  if (poll.stopped) {
    git_diff_free(draw);
    git_error_clear();
    throw Interrupted{};
  }
  check(rc, "diff a commit");
  DiffPtr diff(draw);
  const std::size_t n = git_diff_num_deltas(diff.get());
  *bulk = n > opts.max_files_per_commit;
  std::unordered_map<std::size_t, std::size_t> by_name;  // deleted delta -> added delta
  if (!*bulk) find_renames(diff.get(), opts, &by_name);
  std::unordered_set<std::size_t> paired;
  for (const auto& [del, add] : by_name) paired.insert(add);
  std::vector<Touched> out;
  const std::size_t m = git_diff_num_deltas(diff.get());
  out.reserve(m);
  for (std::size_t i = 0; i < m; ++i) {
    if (paired.count(i)) continue;  // read with its deleted twin
    if (stop && i % 1024 == 1023 && stop()) throw Interrupted{};
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->status == GIT_DELTA_UNMODIFIED || (*bulk && d->status == GIT_DELTA_ADDED)) continue;
    Touched t;
    t.status = d->status;
    const git_diff_delta* added = d;  // the new side
    if (auto twin = by_name.find(i); twin != by_name.end()) {
      added = git_diff_get_delta(diff.get(), twin->second);
      t.status = GIT_DELTA_RENAMED;
    }
    if (t.status != GIT_DELTA_ADDED) t.old_path = d->old_file.path;
    if (t.status != GIT_DELTA_DELETED) t.new_path = added->new_file.path;
    // Vendored code and lockfiles: thousands of lines nobody here wrote or
    // reviews line by line; known by name only, as are all files of a bulk
    // commit.
    if (!*bulk && !third_party(t.path())) {
      if (t.status == GIT_DELTA_ADDED) {
        t.text = count_blob_lines(repo, &d->new_file.id, opts, &t.added);
      } else if (t.status == GIT_DELTA_DELETED) {
        t.text = count_blob_lines(repo, &d->old_file.id, opts, &t.deleted);
      } else {
        t.text = read_patch(repo, &d->old_file.id, &added->new_file.id, opts, keep_lines, t);
        if (!t.text) t.hunks.clear(), t.added = t.deleted = 0;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace reviewer::history::detail
