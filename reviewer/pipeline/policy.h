// The decision policy (DESIGN.md, "Decision policy"): deterministic, applied
// in order, the first rule that matches decides. Nothing a model or a PR's
// text says can reach it except through findings, which can only hold a PR
// back.
#pragma once

#include <vector>

#include "guidance/guidance.h"
#include "reviewer/core/agent_report.h"
#include "reviewer/core/decision.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/core/size_stats.h"

namespace reviewer {

struct PolicyInput {
  const PullRequest& pr;
  const Diff& diff;
  const SizeStats& size;
  const std::vector<AgentReport>& agents;
  const Guidance& guidance;
  // Protected paths the change reaches through symlinks of the base or head
  // tree (git::linked_paths), each with how, e.g. ".github/CODEOWNERS
  // (through the link .github/CODEOWNERS to docs/owners.txt)": step 4 counts
  // them as touched.
  std::vector<std::string> linked_protected = {};
};

// 1. an agent failed or timed out        -> needs_human (fail closed)
// 2. a finding of severity error/critical -> request_changes
// 3. a /human-review override is active   -> needs_human
// 4. size above the auto-approve limit, a protected path touched (also
//    through a symlink: PolicyInput::linked_protected), a file
//    too large to review in full, an agent that reviewed part of the
//    change (AgentReport::partial), or a draft PR -> needs_human
// 4b. the history agent's revert risk is above the threshold -> needs_human
// 5. an empty change                      -> comment ("nothing to review")
// 6. any warning                          -> comment
// 7. otherwise                            -> approve
// Findings of rules in `shadow` state are ignored.
Decision decide(const PolicyInput& in);

}  // namespace reviewer
