// The check run `reviewer`: the enforceable merge gate (DESIGN.md "The
// merge gate"). Conclusions are success, failure or action_required, never
// neutral or skipped, which GitHub counts as passing.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/core/review_result.h"

namespace reviewer::github {

inline constexpr const char* kCheckName = "reviewer";
inline constexpr std::size_t kAnnotationsPerRequest = 50;  // GitHub's cap per create/update
inline constexpr std::size_t kMaxOutputChars = 65535;

// approve -> success; request_changes -> failure; comment and needs_human
// -> action_required, or success once a person with write access approved
// the current head.
std::string check_conclusion(DecisionKind d, bool human_approved_head = false);

// The commit-status equivalent for plain-token set-ups (no check runs):
// success, failure, or pending while a human is needed.
std::string status_state(DecisionKind d, bool human_approved_head = false);

// Annotations for every non-shadow finding tied to a line of a file that
// exists at head: info -> notice, warning -> warning, error/critical -> failure.
std::vector<nlohmann::json> check_annotations(const ReviewResult& r);

// Cuts UTF-8 text to at most `max` bytes on a character boundary, adding a
// note when it cut.
std::string truncate_utf8(const std::string& s, std::size_t max);

}  // namespace reviewer::github
