// The logic agent: bug patterns in the lines a pull request adds, checks on
// how it changes tests, and tracing of the change through the repository at
// the head commit (dangling references, call sites still using an old
// parameter count, literals and config keys whose old value is still used).
// Rules are data in guidance (section "logic", shipped in
// guidance/default/logic.yml); only checks a regex cannot express are code.
#pragma once

#include <memory>

#include "subagents/agent.h"

namespace reviewer {

std::unique_ptr<Agent> make_logic_agent();

}  // namespace reviewer
