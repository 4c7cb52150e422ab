// The run's "guidance" step: what went wrong with, or was refused from, the
// repository's own .github/reviewer.yml, reported where people look (a
// finding in the review) and where the policy looks (an agent report).
#pragma once

#include <optional>
#include <string>

#include "guidance/guidance.h"
#include "reviewer/core/agent_report.h"

namespace reviewer {

// Nothing when the repository's file was absent or applied whole. A
// `problem` (the file could not be used at all) makes the step failed, so
// the policy fails closed. Each refused key (a setting that would loosen
// the operator's guidance) is a `guidance/invalid-repository-guidance`
// warning naming the key, so the change is never auto-approved while the
// file asks for it; the step itself is ok (the rest of the file applied).
std::optional<AgentReport> guidance_report(const Guidance& guidance, const std::string& problem);

}  // namespace reviewer
