// The history agent's revert risk as each renderer shows it: one JSON
// object shared by the JSON contract and SARIF's run properties, and the
// sentences of the "Revert risk" section of the Markdown and text outputs.
#pragma once

#include <string>
#include <utility>
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
  // "12.3% chance of a revert or bug fix, above the threshold of 10.0% (...)"
  std::string verdict;
  // (label, text) in order: "model", "why", "note" (when the agent gave
  // them) and "top features" ("exp 0 (+0.81), nf 12 (+0.40)": the five
  // that raised the risk most; a short section, not the model's dump).
  std::vector<std::pair<std::string, std::string>> details;
};

RiskSummary summarize_risk(const Risk& risk);

}  // namespace reviewer
