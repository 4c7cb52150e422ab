#include "subagents/logic/test_checks.h"

#include <fmt/format.h>

namespace reviewer::logic {

namespace {

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
  for (const FileView& f : files) {
    if (f.is_test || f.diff->kind == ChangeKind::deleted || changed_lines(f) < cfg.tests.min_added_lines) continue;
    if (f.lang == index::Lang::unknown || f.lang == index::Lang::data) continue;
    auto globs = test_globs_for(cfg.tests, f.path);
    if (globs.empty()) continue;
    PathMatcher m(globs);
    bool touched = false;
    for (const FileView* t : tests) touched = touched || m.matches(t->path);
    if (touched) continue;
    std::vector<std::string> existing;
    if (head) {
      for (std::uint32_t i = 0; i < head->file_count() && existing.size() < 3; ++i) {
        if (m.matches(head->path(i))) existing.emplace_back(head->path(i));
      }
    }
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
