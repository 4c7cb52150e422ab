// The size agent: how big and how broad a change is, and, above the
// auto-approve limits, a finding that asks for a split with a concrete plan.
#pragma once

#include <memory>

#include "guidance/guidance.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/size_stats.h"
#include "subagents/agent.h"

namespace reviewer {

std::unique_ptr<Agent> make_size_agent();

}  // namespace reviewer
