// The labels the bot manages, reconciled as Prow's size plugin does: the
// wanted ones are added only when missing, and every other label of the
// same families (size/*, the reviewer: verdicts) is removed.
#pragma once

#include <string>
#include <vector>

#include "reviewer/core/review_result.h"

namespace reviewer::github {

inline constexpr const char* kApprovedLabel = "reviewer: approved";
inline constexpr const char* kNeedsHumanLabel = "reviewer: needs-human";

// size/<XS..XXL> (when the size is known) and the verdict label: approved
// for approve, needs-human for needs_human, none otherwise.
std::vector<std::string> wanted_labels(const ReviewResult& r);

struct LabelChange {
  std::vector<std::string> add;
  std::vector<std::string> remove;
};

// What to add and remove given the PR's current labels.
LabelChange reconcile_labels(const std::vector<std::string>& current, const std::vector<std::string>& wanted);

}  // namespace reviewer::github
