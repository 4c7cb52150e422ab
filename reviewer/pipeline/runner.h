// Runs sub-agents concurrently, each against its own deadline, and contains
// their failures: an exception becomes status "failed", a missed deadline
// "timed_out". Either makes the policy fail closed.
#pragma once

#include <memory>
#include <vector>

#include "reviewer/core/agent_report.h"
#include "subagents/agent.h"

namespace reviewer {

// Runs every agent on `ctx` on a pool of threads the call owns, and waits
// for each until its deadline (guidance: deadlines_ms.<name>, else the
// default). An agent that misses it is reported timed_out; so is one that
// throws once its deadline has passed (it saw the deadline and gave up).
// Once every agent has answered or missed its deadline, the run's stop
// token (ctx.deadline.stop) is requested and every thread is joined before
// the call returns: nothing outlives it, and an agent that checks
// ctx.deadline.expired() between steps cannot make the join hang.
// `ctx.deadline.stop` is overwritten with the run's token.
// Reports come back in the agents' order, finding ids filled in.
std::vector<AgentReport> run_agents(const std::vector<std::shared_ptr<const Agent>>& agents,
                                    AgentContext& ctx);

// Fills empty finding ids from rule, path and the content of the finding's
// line in the diff (message for PR-level findings), and makes ids unique
// within the report by suffixing repeats ("-2", "-3").
void assign_finding_ids(std::vector<AgentReport>& reports, const Diff& diff);

}  // namespace reviewer
