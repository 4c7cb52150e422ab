// Revert detection: does a merged PR or commit say it reverts an earlier
// change? GitHub's "Revert" button writes a title `Revert "<original
// title>"` and a body `Reverts owner/repo#123`; `git revert` writes
// `This reverts commit <sha>.` Title and body are attacker-controlled: they
// are only matched (RE2, linear time), and the scan is capped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/log_reader.h"

namespace reviewer::audit {

struct PrReference {
  std::string repository;  // "owner/name" as written; empty for a bare "#123"
  std::int64_t number = 0;
};

struct RevertReference {
  std::string reverted_title;        // from `Revert "<title>"`; empty when absent
  std::vector<std::string> shas;     // from "This reverts commit <sha>" (7-40 hex, lowercased)
  std::vector<PrReference> prs;      // from "Reverts owner/repo#123" or "Reverts #123"

  bool any() const { return !reverted_title.empty() || !shas.empty() || !prs.empty(); }
  // One line for the event's detail column, e.g. `title "x"; commit abc1234; #12`.
  std::string summary() const;
};

// Scans the first 64 KiB of each of title and body; at most 50 references.
RevertReference detect_revert(std::string_view title, std::string_view body);

// The merged PRs of `repository` (other than `reverting_pr`) that `ref`
// points at: by number, by merge or head sha prefix of a `merged` event, or
// by exact title of a merged PR. Skips PRs already linked to `reverting_pr`.
// Sorted, without duplicates.
std::vector<std::int64_t> resolve_reverted(LogReader& log, const std::string& repository,
                                           std::int64_t reverting_pr, const RevertReference& ref);

}  // namespace reviewer::audit
