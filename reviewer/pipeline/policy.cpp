#include "reviewer/pipeline/policy.h"

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

}  // namespace

Decision decide(const PolicyInput& in) {
  Decision d;

  // 1. Fail closed on any agent that could not judge.
  for (const auto& a : in.agents) {
    if (a.status == AgentStatus::timed_out) {
      d.reasons.push_back(fmt::format("agent '{}' timed out ({})", a.name, a.error));
    } else if (a.status == AgentStatus::failed) {
      d.reasons.push_back(fmt::format("agent '{}' failed: {}", a.name, a.error));
    }
  }
  if (!d.reasons.empty()) {
    d.kind = DecisionKind::needs_human;
    return d;
  }

  // 2. Blocking findings.
  std::vector<std::string> blocking, warnings;
  for (const auto& a : in.agents) {
    for (const auto& f : a.findings) {
      if (f.shadow) continue;  // shadow rules are watched, never counted
      if (f.severity == Severity::critical || f.severity == Severity::error) {
        blocking.push_back(f.rule);
      } else if (f.severity == Severity::warning) {
        warnings.push_back(f.rule);
      }
    }
  }
  if (!blocking.empty()) {
    d.kind = DecisionKind::request_changes;
    d.reasons.push_back(fmt::format("{} blocking finding{} (error or critical): {}", blocking.size(),
                                    blocking.size() == 1 ? "" : "s", name_rules(blocking)));
    return d;
  }

  // 3. A person asked for a human review.
  if (in.pr.human_review_override) {
    d.kind = DecisionKind::needs_human;
    d.reasons.push_back("a /human-review override is active on this pull request");
    return d;
  }

  // 4. What a bot must not approve on its own.
  if (in.size.above_auto_approve_limit) {
    d.reasons.push_back(fmt::format(
        "size {} ({} lines, {} files, {} areas) is above the auto-approve limit "
        "({} lines, {} files, {} areas): a split is suggested",
        in.size.label, in.size.lines_added + in.size.lines_deleted, in.size.files, in.size.areas,
        in.guidance.auto_approve.max_lines, in.guidance.auto_approve.max_files,
        in.guidance.auto_approve.max_areas));
  }
  std::vector<std::string> protected_hits;
  for (const auto& f : in.diff.files) {
    for (const std::string* p : {&f.old_path, &f.new_path}) {
      if (!p->empty() && in.guidance.protected_matcher.matches(*p)) {
        protected_hits.push_back(*p);
        break;
      }
    }
  }
  if (!protected_hits.empty()) {
    d.reasons.push_back(fmt::format("touches protected path{}: {}",
                                    protected_hits.size() == 1 ? "" : "s", name_rules(protected_hits)));
  }
  std::vector<std::string> partial;
  for (const auto& f : in.diff.files) {
    if (f.truncated) partial.push_back(f.path());
  }
  if (!partial.empty()) {
    // Agents saw only part of these files: what they did not see could hold
    // anything, so a person must look.
    d.reasons.push_back(fmt::format("too large to review in full: {}", name_rules(partial)));
  }
  if (in.pr.draft) d.reasons.push_back("the pull request is a draft");
  if (!d.reasons.empty()) {
    d.kind = DecisionKind::needs_human;
    return d;
  }

  // 4b. The repository's own history says changes like this one go bad.
  for (const auto& a : in.agents) {
    if (!a.risk || !a.risk->above_threshold) continue;
    d.kind = DecisionKind::needs_human;
    d.reasons.push_back(fmt::format("revert risk {:.0f}% is above the repository's threshold of {:.0f}% ({} model): {}",
                                    100 * a.risk->probability, 100 * a.risk->threshold, a.risk->model,
                                    a.risk->explanation));
    return d;
  }

  // 5. Nothing to review is never an approval.
  if (in.diff.empty()) {
    d.kind = DecisionKind::comment;
    d.reasons.push_back("empty change: nothing to review");
    return d;
  }

  // 6. Warnings are worth a comment.
  if (!warnings.empty()) {
    d.kind = DecisionKind::comment;
    d.reasons.push_back(fmt::format("{} warning{}: {}", warnings.size(),
                                    warnings.size() == 1 ? "" : "s", name_rules(warnings)));
    return d;
  }

  // 7. Approve.
  d.kind = DecisionKind::approve;
  d.reasons.push_back("no blocking findings or warnings; within the auto-approve limits");
  return d;
}

}  // namespace reviewer
