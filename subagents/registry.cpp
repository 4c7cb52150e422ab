// The one place sub-agents are registered. Order is report order.
#include "subagents/agent.h"
#include "subagents/history/history_agent.h"
#include "subagents/intent/intent_agent.h"
#include "subagents/logic/logic_agent.h"
#include "subagents/safety/safety_agent.h"
#include "subagents/size/size_agent.h"

namespace reviewer {

std::vector<std::unique_ptr<Agent>> make_agents() {
  std::vector<std::unique_ptr<Agent>> agents;
  agents.push_back(make_intent_agent());
  agents.push_back(make_safety_agent());
  agents.push_back(make_logic_agent());
  agents.push_back(make_size_agent());
  agents.push_back(make_history_agent());
  return agents;
}

}  // namespace reviewer
