#include "reviewer/git/history/commit_diff.h"

#include <cctype>

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

// Vendored trees, lockfiles and minified bundles: followed by name only.
bool third_party(std::string_view path) {
  for (std::string_view dir : {"vendor/", "third_party/", "third-party/", "node_modules/", "external/"}) {
    if (path.starts_with(dir) || path.find(std::string("/") + std::string(dir)) != std::string_view::npos) return true;
  }
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
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
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
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

// The commit's diff against its first parent, with renames, as Touched
// files. Huge commits (imports, mass reformatting) keep their file list
// only.
std::vector<Touched> diff_commit(git_repository* repo, git_commit* commit, const BuildOptions& opts, bool* bulk) {
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
  git_diff* draw = nullptr;
  check(git_diff_tree_to_tree(&draw, repo, old_tree.get(), new_tree.get(), &dopts), "diff a commit");
  DiffPtr diff(draw);
  const std::size_t n = git_diff_num_deltas(diff.get());
  *bulk = n > opts.max_files_per_commit;
  if (!*bulk) {
    git_diff_find_options fopts;
    git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
    fopts.flags = GIT_DIFF_FIND_RENAMES;
    fopts.rename_limit = static_cast<size_t>(opts.rename_limit);
    // Similarity needs every blob; in a partial mirror one may be
    // missing, and the commit is then read without renames.
    if (git_diff_find_similar(diff.get(), &fopts) < 0) git_error_clear();
  }
  std::vector<Touched> out;
  const std::size_t m = git_diff_num_deltas(diff.get());
  out.reserve(m);
  for (std::size_t i = 0; i < m; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->status == GIT_DELTA_UNMODIFIED) continue;
    Touched t;
    t.status = d->status;
    if (d->status != GIT_DELTA_ADDED) t.old_path = d->old_file.path;
    if (d->status != GIT_DELTA_DELETED) t.new_path = d->new_file.path;
    if (*bulk) {
      out.push_back(std::move(t));
      continue;
    }
    if (third_party(t.path())) {
      // Vendored code and lockfiles: thousands of lines nobody here
      // wrote or reviews line by line; known by name only.
      out.push_back(std::move(t));
      continue;
    }
    git_patch* praw = nullptr;
    if (git_patch_from_diff(&praw, diff.get(), i) < 0) {
      // A blob the repository does not have (a partial mirror): the file
      // is known by name only, like a binary one.
      out.push_back(std::move(t));
      continue;
    }
    PatchPtr patch(praw);
    if (!patch || (git_patch_get_delta(patch.get())->flags & GIT_DIFF_FLAG_BINARY)) {
      out.push_back(std::move(t));
      continue;
    }
    t.text = true;
    const std::size_t hunks = git_patch_num_hunks(patch.get());
    for (std::size_t h = 0; h < hunks; ++h) {
      const git_diff_hunk* hunk = nullptr;
      std::size_t lines = 0;
      check(git_patch_get_hunk(&hunk, &lines, patch.get(), h), "read a hunk");
      Touched::H th;
      th.old_start = hunk->old_start;
      th.old_lines = hunk->old_lines;
      th.new_lines = hunk->new_lines;
      for (std::size_t l = 0; l < lines; ++l) {
        const git_diff_line* line = nullptr;
        check(git_patch_get_line_in_hunk(&line, patch.get(), h, l), "read a line");
        std::string_view content(line->content, line->content_len);
        if (line->origin == GIT_DIFF_LINE_DELETION) {
          th.minus.emplace_back(content);
          t.deleted += 1;
        } else if (line->origin == GIT_DIFF_LINE_ADDITION) {
          th.plus.emplace_back(content);
          t.added += 1;
        }
      }
      t.hunks.push_back(std::move(th));
    }
    out.push_back(std::move(t));
  }
  return out;
}


}  // namespace reviewer::history::detail
