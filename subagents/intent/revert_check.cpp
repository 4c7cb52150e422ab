// A revert PR must undo the reverted commit: per file, the lines the commit
// added are the lines the PR deletes and the other way round.
#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include <fmt/format.h>

#include "subagents/intent/checks.h"
#include "subagents/intent/rules.h"
#include "subagents/intent/text.h"

namespace reviewer::intent {

namespace {

struct Sides {
  std::multiset<std::string> added, deleted;
  int first_line = 0;
};

std::string without_trailing_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::map<std::string, Sides> sides_by_path(const Diff& diff) {
  std::map<std::string, Sides> out;
  for (const auto& fd : diff.files) {
    // A revert of a rename renames back: key a rename by both paths.
    std::string key = fd.path();
    if (fd.kind == ChangeKind::renamed) {
      key = std::min(fd.old_path, fd.new_path) + " <-> " + std::max(fd.old_path, fd.new_path);
    }
    Sides& s = out[key];
    for (const auto& h : fd.hunks) {
      if (s.first_line == 0) s.first_line = h.new_start;
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::added) s.added.insert(without_trailing_space(l.content));
        if (l.origin == LineOrigin::deleted) s.deleted.insert(without_trailing_space(l.content));
      }
    }
    if (fd.binary) {
      s.added.insert("\x01binary:" + fd.new_id);
      s.deleted.insert("\x01binary:" + fd.old_id);
    }
  }
  return out;
}

size_t difference(const std::multiset<std::string>& a, const std::multiset<std::string>& b) {
  std::vector<std::string> only;
  std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only));
  return only.size();
}

}  // namespace

void check_revert(const Diff& diff, const Diff& reverted, std::string_view reverted_sha,
                  const IntentConfig& config, std::vector<Finding>& out) {
  const auto pr = sides_by_path(diff);
  const auto orig = sides_by_path(reverted);
  const std::string sha(reverted_sha.substr(0, 12));
  const char* ask =
      "Make the revert an exact inverse of the reverted commit (e.g. a plain 'git revert'), and put any "
      "other change in its own PR; if conflicts forced a difference, explain it in the description.";
  size_t reported = 0;
  for (const auto& [path, s] : pr) {
    if (reported == 10) break;
    auto it = orig.find(path);
    if (it == orig.end()) {
      ++reported;
      out.push_back(make(config, rule::revert_not_inverse, path, s.first_line,
                         fmt::format("The revert of {} also changes '{}', which that commit did not touch.", sha,
                                     path),
                         fmt::format("{}: +{} -{} lines not in commit {}", path, s.added.size(), s.deleted.size(), sha),
                         ask));
      continue;
    }
    size_t extra = difference(s.added, it->second.deleted) + difference(s.deleted, it->second.added);
    if (extra > 0) {
      ++reported;
      out.push_back(make(config, rule::revert_not_inverse, path, s.first_line,
                         fmt::format("The revert of {} does not exactly undo its change to '{}' ({} lines differ).",
                                     sha, path, extra),
                         fmt::format("{}: the PR adds {} and deletes {} lines; the commit added {} and deleted {}",
                                     path, s.added.size(), s.deleted.size(), it->second.added.size(),
                                     it->second.deleted.size()),
                         ask));
    }
  }
  for (const auto& [path, s] : orig) {
    if (reported == 10) break;
    if (pr.count(path)) continue;
    ++reported;
    out.push_back(make(config, rule::revert_not_inverse, "", 0,
                       fmt::format("The revert of {} leaves its change to '{}' in place.", sha, path),
                       fmt::format("{}: the commit added {} and deleted {} lines; the PR does not touch it", path,
                                   s.added.size(), s.deleted.size()),
                       ask));
  }
}

}  // namespace reviewer::intent
