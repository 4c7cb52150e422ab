// The size agent: how big and how broad a change is, and, above the
// auto-approve limits, a finding that asks for a split with a concrete plan.
#pragma once

#include <memory>

#include "guidance/guidance.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/size_stats.h"
#include "subagents/agent.h"

namespace reviewer {

// Counts lines (excluded files apart), files and top-level areas, and labels
// the size. Also used by the pipeline for the output's "size" object.
SizeStats measure_size(const Diff& diff, const Guidance& guidance);

std::unique_ptr<Agent> make_size_agent();

}  // namespace reviewer
