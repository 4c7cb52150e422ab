#include "reviewer/pipeline/policy.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>

namespace reviewer {

namespace {

// At most this many rule ids are named in one reason; the rest are counted.
constexpr size_t kMaxNamed = 5;

std::string name_rules(const std::vector<std::string>& rules) {
  std::vector<std::string> shown(rules.begin(), rules.begin() + std::min(rules.size(), kMaxNamed));
  std::string s = fmt::format("{}", fmt::join(shown, ", "));
  if (rules.size() > kMaxNamed) s += fmt::format(" and {} more", rules.size() - kMaxNamed);
  return s;
}

using Step = std::optional<Decision>;

Decision decided(DecisionKind kind, std::vector<std::string> reasons) {
  Decision d;
  d.kind = kind;
  d.reasons = std::move(reasons);
  return d;
}

// 1. Fail closed on any agent that could not judge.
Step agents_could_not_judge(const PolicyInput& in) {
  std::vector<std::string> reasons;
  for (const auto& a : in.agents) {
    if (a.status == AgentStatus::timed_out) {
      reasons.push_back(fmt::format("agent '{}' timed out ({})", a.name, a.error));
    } else if (a.status == AgentStatus::failed) {
      reasons.push_back(fmt::format("agent '{}' failed: {}", a.name, a.error));
    }
  }
  if (reasons.empty()) return std::nullopt;
  return decided(DecisionKind::needs_human, std::move(reasons));
}

// Rules of the findings of `severities`, shadow rules left out (they are
// watched, never counted).
std::vector<std::string> rules_of(const PolicyInput& in, std::initializer_list<Severity> severities) {
  std::vector<std::string> rules;
  for (const auto& a : in.agents) {
    for (const auto& f : a.findings) {
      if (f.shadow) continue;
      if (std::find(severities.begin(), severities.end(), f.severity) != severities.end()) rules.push_back(f.rule);
    }
  }
  return rules;
}

// 2. Blocking findings.
Step blocking_findings(const PolicyInput& in) {
  const auto blocking = rules_of(in, {Severity::critical, Severity::error});
  if (blocking.empty()) return std::nullopt;
  return decided(DecisionKind::request_changes,
                 {fmt::format("{} blocking finding{} (error or critical): {}", blocking.size(),
                              blocking.size() == 1 ? "" : "s", name_rules(blocking))});
}

// 3. A person asked for a human review.
Step human_review_requested(const PolicyInput& in) {
  if (!in.pr.human_review_override) return std::nullopt;
  return decided(DecisionKind::needs_human, {"a /human-review override is active on this pull request"});
}

std::vector<std::string> protected_paths(const PolicyInput& in) {
  std::vector<std::string> hits;
  for (const auto& f : in.diff.files) {
    for (const std::string* p : {&f.old_path, &f.new_path}) {
      if (!p->empty() && in.guidance.protected_matcher.matches(*p)) {
        hits.push_back(*p);
        break;
      }
    }
  }
  hits.insert(hits.end(), in.linked_protected.begin(), in.linked_protected.end());
  return hits;
}

// 4. What a bot must not approve on its own.
Step beyond_a_bot(const PolicyInput& in) {
  std::vector<std::string> reasons;
  if (in.size.above_auto_approve_limit) {
    reasons.push_back(fmt::format(
        "size {} ({} lines, {} bytes, {} files, {} areas) is above the auto-approve limit "
        "({} lines, {} bytes, {} files, {} areas): a split is suggested",
        in.size.label, in.size.lines_added + in.size.lines_deleted, in.size.bytes_changed, in.size.files,
        in.size.areas, in.guidance.auto_approve.max_lines, in.guidance.auto_approve.max_bytes,
        in.guidance.auto_approve.max_files, in.guidance.auto_approve.max_areas));
  }
  const auto hits = protected_paths(in);
  if (!hits.empty()) {
    reasons.push_back(fmt::format("touches protected path{}: {}", hits.size() == 1 ? "" : "s", name_rules(hits)));
  }
  std::vector<std::string> partial;
  for (const auto& f : in.diff.files) {
    if (f.truncated) partial.push_back(f.path());
  }
  if (!partial.empty()) {
    // Agents saw only part of these files: what they did not see could hold
    // anything, so a person must look.
    reasons.push_back(fmt::format("too large to review in full: {}", name_rules(partial)));
  }
  for (const auto& a : in.agents) {
    // An agent that judged part of the change cannot vouch for the rest.
    if (!a.partial.empty()) reasons.push_back(fmt::format("agent '{}' reviewed part of the change: {}", a.name, a.partial));
  }
  if (in.pr.draft) reasons.push_back("the pull request is a draft");
  if (reasons.empty()) return std::nullopt;
  return decided(DecisionKind::needs_human, std::move(reasons));
}

// 4b. The repository's own history says changes like this one go bad.
Step risky_history(const PolicyInput& in) {
  for (const auto& a : in.agents) {
    if (!a.risk || !a.risk->above_threshold) continue;
    return decided(DecisionKind::needs_human,
                   {fmt::format("revert risk {:.0f}% is above the repository's threshold of {:.0f}% ({} model): {}",
                                100 * a.risk->probability, 100 * a.risk->threshold, a.risk->model,
                                a.risk->explanation)});
  }
  return std::nullopt;
}

// 5. Nothing to review is never an approval.
Step empty_change(const PolicyInput& in) {
  if (!in.diff.empty()) return std::nullopt;
  return decided(DecisionKind::comment, {"empty change: nothing to review"});
}

// 6. Warnings are worth a comment.
Step warnings(const PolicyInput& in) {
  const auto rules = rules_of(in, {Severity::warning});
  if (rules.empty()) return std::nullopt;
  return decided(DecisionKind::comment,
                 {fmt::format("{} warning{}: {}", rules.size(), rules.size() == 1 ? "" : "s", name_rules(rules))});
}

}  // namespace

Decision decide(const PolicyInput& in) {
  for (auto step : {agents_could_not_judge, blocking_findings, human_review_requested, beyond_a_bot, risky_history,
                    empty_change, warnings}) {
    if (auto d = step(in)) return *d;
  }
  // 7. Approve.
  return decided(DecisionKind::approve, {"no blocking findings or warnings; within the auto-approve limits"});
}

}  // namespace reviewer
