// What one sub-agent returns for one review.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reviewer/core/finding.h"
#include "reviewer/core/risk.h"

namespace reviewer {

enum class AgentStatus { ok, failed, timed_out };

std::string_view to_string(AgentStatus s);

struct AgentReport {
  std::string name;             // "intent", "safety", "logic", "size", "history"
  AgentStatus status = AgentStatus::ok;
  long duration_ms = 0;
  std::vector<Finding> findings;
  std::string error;            // why it failed or timed out; empty when ok
  std::optional<Risk> risk = std::nullopt;  // the history agent's estimate (policy step 4b)
  // Non-empty when the agent judged only part of a very large change
  // (guidance thresholds.partial_review): what it left out, in counts and
  // step names, never text of the change. The run then needs a human.
  std::string partial = {};
};

}  // namespace reviewer
