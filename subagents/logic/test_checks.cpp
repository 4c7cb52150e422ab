#include "subagents/logic/test_checks.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <re2/re2.h>

namespace reviewer::logic {

namespace {

// A test written in the source file itself, on an added line: Rust's
// `#[test]` / `#[cfg(test)] mod tests` and doc-tests (`/// assert...`),
// Python's doctests (`>>> `), Elixir's `doctest`, D's and Zig's `unittest` /
// `test "..."` blocks. The file's own tests changed, so it is not "changed
// without its tests". Not a `def test_…` in a module: outside test files no
// runner collects it (ansible's `def test_sdist()`, redash's
// `def test_connection(self)` are production code; read24b/c).
bool adds_inline_test(const FileView& f) {
  static const RE2 re(
      R"(^\s*(?:#\[(?:[\w:]+::)?test\b|#\[cfg\(test\)\]|mod\s+tests?\s*\{|(?:///|//!)\s*(?:assert|#\s*assert)\w*!?\s*\(|>>>\s|doctest\s+[A-Z]|unittest\s*\{|test\s+"[^"]*"\s*\{))");
  for (const HunkView& h : f.hunks) {
    for (const SideLine& l : h.new_side) {
      if (l.changed() && RE2::PartialMatch(l.line->content, re)) return true;
    }
  }
  return false;
}

// The head commit's paths, findable by the literal start of a glob. A
// glob's match begins at a path segment (the root, or "any depth"), so a
// path can match only if one of its segment-boundary suffixes starts with
// the glob's text before its first wildcard: a sorted list of those
// suffixes turns "which head files could be this source's tests" from a
// scan of every path per source file into a range lookup.
class HeadPaths {
 public:
  // `head` may be null: no file exists.
  explicit HeadPaths(const index::RepoIndex* head) : head_(head) {
    for (std::uint32_t i = 0; head && i < head->file_count(); ++i) {
      const std::string_view p = head->path(i);
      for (std::size_t at = 0; at < p.size(); at = p.find('/', at) + 1) {
        suffixes_.emplace_back(p.substr(at), i);
        if (p.find('/', at) == std::string_view::npos) break;
      }
    }
    std::sort(suffixes_.begin(), suffixes_.end());
  }

  // Head files that may match one of `globs`, in the index's order.
  std::set<std::uint32_t> candidates(const std::vector<std::string>& globs) const {
    std::set<std::uint32_t> out;
    for (const auto& g : globs) {
      const std::string_view prefix = literal_start(g);
      auto it = std::lower_bound(suffixes_.begin(), suffixes_.end(), std::pair(prefix, std::uint32_t{0}));
      for (; it != suffixes_.end() && it->first.starts_with(prefix); ++it) out.insert(it->second);
    }
    return out;
  }

  std::string_view path(std::uint32_t i) const { return head_->path(i); }

 private:
  // The glob's text up to its first wildcard, without the root anchor or a
  // leading "**/" (PathMatcher::glob_to_regex's reading).
  static std::string_view literal_start(std::string_view g) {
    if (g.starts_with('/')) g.remove_prefix(1);
    if (g.starts_with("**/")) g.remove_prefix(3);
    return g.substr(0, std::min(g.find_first_of("*?"), g.size()));
  }

  const index::RepoIndex* head_;
  std::vector<std::pair<std::string_view, std::uint32_t>> suffixes_;
};

// Up to three files at head that `globs` name.
std::vector<std::string> existing_tests(const HeadPaths& head, const std::vector<std::string>& globs,
                                        const PathMatcher& m) {
  std::vector<std::string> existing;
  for (std::uint32_t i : head.candidates(globs)) {
    if (existing.size() == 3) break;
    if (m.matches(head.path(i))) existing.emplace_back(head.path(i));
  }
  return existing;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

int changed_lines(const FileView& f) { return f.diff->additions + f.diff->deletions; }

}  // namespace

std::vector<std::string> test_globs_for(const TestConfig& cfg, const std::string& path) {
  std::vector<std::string> out;
  auto it = cfg.mapping.find(index::language_of(path));
  if (it == cfg.mapping.end()) return out;
  std::string dir(index::dir_of(path)), name(index::stem_of(path)), ext(index::ext_of(path));
  for (std::string t : it->second) {
    replace_all(t, "{dir}/", dir.empty() ? "/" : dir + "/");
    replace_all(t, "{dir}", dir);
    replace_all(t, "{name}", name);
    replace_all(t, "{ext}", ext);
    out.push_back(std::move(t));
  }
  return out;
}

void check_missing_test_change(const Rule& rule, const Config& cfg, const std::vector<FileView>& files,
                               const index::RepoIndex* head, std::vector<Finding>& out) {
  constexpr std::size_t kMaxNamed = 10;
  std::vector<const FileView*> tests;
  for (const FileView& f : files) {
    if (f.is_test) tests.push_back(&f);
  }
  std::vector<std::string> untested;  // "path", or "path (its tests ... are not updated)"
  const HeadPaths head_paths(head);
  for (const FileView& f : files) {
    if (f.is_test || f.diff->kind == ChangeKind::deleted || changed_lines(f) < cfg.tests.min_added_lines) continue;
    if (f.lang == index::Lang::unknown || f.lang == index::Lang::data) continue;
    auto globs = test_globs_for(cfg.tests, f.path);
    if (globs.empty()) continue;
    PathMatcher m(globs);
    bool touched = false;
    for (const FileView* t : tests) touched = touched || m.matches(t->path);
    if (touched || adds_inline_test(f)) continue;
    const std::vector<std::string> existing = existing_tests(head_paths, globs, m);
    if (!existing.empty()) {
      untested.push_back(fmt::format("{} (its tests {} are not updated)", f.path, fmt::join(existing, ", ")));
    } else if (tests.empty()) {
      untested.push_back(f.path);
    }
    // else: tests changed elsewhere and none is mapped to this file: the
    // mapping may just not know.
  }
  if (untested.empty()) return;
  // One finding for the pull request, naming the files.
  const std::size_t named = std::min(untested.size(), kMaxNamed);
  std::string detail = fmt::format("Changed without their tests: {}", fmt::join(untested.begin(), untested.begin() + named, ", "));
  if (untested.size() > named) detail += fmt::format(" and {} more", untested.size() - named);
  detail += '.';
  if (tests.empty()) detail += " No test file changes in this pull request.";
  out.push_back(make_finding(rule, "", 0, {}, detail));
}

void check_test_deleted(const Rule& rule, const Config& cfg, const std::vector<FileView>& files,
                        std::vector<Finding>& out) {
  for (const FileView& t : files) {
    if (!t.is_test || t.diff->kind != ChangeKind::deleted) continue;
    bool source_gone = false;
    for (const FileView& s : files) {
      if (s.is_test || s.diff->kind != ChangeKind::deleted) continue;
      auto globs = test_globs_for(cfg.tests, s.path);
      if (!globs.empty() && PathMatcher(globs).matches(t.path)) source_gone = true;
    }
    if (source_gone) continue;
    out.push_back(make_finding(rule, t.path, 0, {},
                               fmt::format("({} test lines removed)", t.diff->deletions)));
  }
}

}  // namespace reviewer::logic
