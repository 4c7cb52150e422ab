// Whether an `approve` decision may be posted as an APPROVE review: the
// operator's auto-approve policy (a repository's own file can only tighten
// it; see repository_layer.cpp).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "guidance/guidance.h"

namespace reviewer {

namespace {

bool same_login(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

AutoApproveVerdict auto_approve_verdict(const Guidance& g, std::string_view repository, std::string_view author,
                                        const std::vector<std::string>& paths) {
  const AutoApprovePolicy& p = g.auto_approve_policy;
  if (!p.enabled) return {false, "auto-approve is not enabled in guidance (auto_approve.enabled)"};
  if (!p.repositories.empty() && !PathMatcher(p.repositories).matches(repository)) {
    return {false, fmt::format("auto-approve is not enabled for repository {}", repository)};
  }
  if (author.empty()) return {false, "the pull request's author is unknown"};
  for (const auto& a : p.excluded_authors) {
    if (same_login(a, author)) return {false, fmt::format("auto-approve excludes changes by {}", author)};
  }
  if (!p.excluded_paths.empty()) {
    PathMatcher excluded(p.excluded_paths);
    for (const auto& path : paths) {
      if (excluded.matches(path)) {
        return {false, fmt::format("auto-approve excludes changes to {}", path)};
      }
    }
  }
  return {true, "auto-approve is enabled for this repository and author"};
}

}  // namespace reviewer
