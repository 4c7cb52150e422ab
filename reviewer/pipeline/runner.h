// Runs sub-agents concurrently, each against its own deadline, and contains
// their failures: an exception becomes status "failed", a missed deadline
// "timed_out". Either makes the policy fail closed.
#pragma once

#include <memory>
#include <vector>

#include "reviewer/core/agent_report.h"
#include "subagents/agent.h"

namespace reviewer {

// Runs every agent on `ctx` in its own thread and waits for each until its
// deadline (guidance: deadlines_ms.<name>, else the default). An agent that
// misses it is reported timed_out and abandoned: its thread keeps the
// context and agent alive through the shared pointers until it returns.
// Reports come back in the agents' order, finding ids filled in.
std::vector<AgentReport> run_agents(const std::vector<std::shared_ptr<const Agent>>& agents,
                                    std::shared_ptr<const AgentContext> ctx);

// True once some agent was abandoned after its deadline in this process:
// the CLI then ends with _Exit rather than run static destructors under a
// thread that may still be running.
bool agents_abandoned();

// Fills empty finding ids from rule, path and the content of the finding's
// line in the diff (message for PR-level findings), and makes ids unique
// within the report by suffixing repeats ("-2", "-3").
void assign_finding_ids(std::vector<AgentReport>& reports, const Diff& diff);

}  // namespace reviewer
