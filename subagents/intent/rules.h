// The intent agent's rules: ids, default severities, and the one helper that
// builds a finding (so overrides from guidance and evidence redaction apply
// everywhere the same way).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reviewer/core/finding.h"
#include "subagents/intent/intent_config.h"

namespace reviewer::intent {

namespace rule {
inline constexpr std::string_view empty_description = "intent/empty-description";
inline constexpr std::string_view vague_title = "intent/vague-title";
inline constexpr std::string_view no_why = "intent/no-why";
inline constexpr std::string_view template_unfilled = "intent/template-unfilled";
inline constexpr std::string_view wip_not_draft = "intent/wip-not-draft";
inline constexpr std::string_view tentative = "intent/tentative";
inline constexpr std::string_view missing_ticket = "intent/missing-ticket";
inline constexpr std::string_view copy_changes_logic = "intent/kind-mismatch/copy-changes-logic";
inline constexpr std::string_view test_changes_source = "intent/kind-mismatch/test-changes-source";
inline constexpr std::string_view deps_changes_code = "intent/kind-mismatch/deps-changes-code";
inline constexpr std::string_view revert_not_inverse = "intent/kind-mismatch/revert-not-inverse";
inline constexpr std::string_view revert_unverified = "intent/kind-mismatch/revert-unverified";
inline constexpr std::string_view unmentioned_area = "intent/scope/unmentioned-area";
inline constexpr std::string_view promise_not_kept = "intent/scope/promise-not-kept";
}  // namespace rule

// "intent/kind-mismatch/<kind>-changes-code" (docs, chore, ci, build, style),
// "<kind>-changes-tests" and "<kind>-changes-signature" (refactor, style, perf).
std::string kind_rule(std::string_view kind, std::string_view what);

// A finding under `rule` with its configured severity. Evidence is passed
// through redact() (long token-like strings are masked) and capped.
Finding make(const IntentConfig& config, std::string_view rule, std::string path, int line,
             std::string message, std::string evidence, std::string suggestion);

}  // namespace reviewer::intent
