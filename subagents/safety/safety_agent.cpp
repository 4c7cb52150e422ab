#include "subagents/safety/safety_agent.h"

#include "subagents/safety/rules.h"
#include "subagents/safety/scanner.h"

namespace reviewer {

namespace {

class SafetyAgent final : public Agent {
 public:
  std::string_view name() const override { return "safety"; }

  // Invalid rules throw (reviewer::Error naming the rule): the agent fails
  // and the policy fails closed rather than reviewing with half the rules.
  std::vector<Finding> review(const AgentContext& ctx) const override {
    auto rules = safety::rules_for(ctx.guidance);
    return safety::scan(*rules, ctx);
  }

  void check_guidance(const Guidance& guidance) const override { safety::rules_for(guidance); }
};

}  // namespace

std::unique_ptr<Agent> make_safety_agent() { return std::make_unique<SafetyAgent>(); }

}  // namespace reviewer
