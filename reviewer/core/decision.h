// The single outcome of a review, and why.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer {

enum class DecisionKind { approve, comment, request_changes, needs_human };

std::string_view to_string(DecisionKind d);
std::optional<DecisionKind> parse_decision(std::string_view s);

// Exit code of `reviewer review` for a decision (DESIGN.md):
// 0 approve or comment, 2 request_changes, 3 needs_human.
int exit_code(DecisionKind d);

struct Decision {
  DecisionKind kind = DecisionKind::needs_human;
  std::vector<std::string> reasons;  // in the order the policy found them
};

}  // namespace reviewer
