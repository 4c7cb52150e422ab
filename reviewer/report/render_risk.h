// The history agent's revert risk as each renderer shows it: one JSON
// object shared by the JSON contract and SARIF's run properties, and the
// sentences of the "Revert risk" section of the Markdown and text outputs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/core/risk.h"

namespace reviewer {

// Every field of `Risk`, named as in the JSON contract ("risk": {...}).
nlohmann::json risk_json(const Risk& risk);

// The section's sentences as plain, unescaped text: the explanation, the
// threshold's source and feature names come from the agent (and through it
// from commit history), so each renderer escapes them its own way.
struct RiskSummary {
  std::string verdict;  // "12.3% chance of a revert or bug fix, above the threshold of 10.0% (...)"
  std::string model;    // "repository model v3; history index: 3412 commits up to <sha>, 56 labelled ..."
  std::string why;      // the explanation; empty when the agent gave none
  std::string note;     // the limits of the estimate; may be empty
  std::vector<std::string> features;  // "exp 0 (+0.81)", the ones that raised the risk most first
};

// At most `top` features are listed.
RiskSummary summarize_risk(const Risk& risk, std::size_t top);

}  // namespace reviewer
