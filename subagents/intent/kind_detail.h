// Internals of the kind checks shared between their files (and tests).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"
#include "subagents/intent/declared_kind.h"
#include "subagents/intent/intent_config.h"

namespace reviewer::intent {

struct LogicChange {
  int line = 0;          // new-side line of the first changed logic
  std::string what;      // "numbers and conditions", "code structure"
  std::string evidence;  // "- if ( n > 10 ) / + if ( n >= 10 )", strings elided
};

// Does the hunk change more than text? Compares the code lines it deletes
// and adds: numbers, comparison/logical operators and control keywords
// always count; for code (not text_data) any change of operators or
// statement shape counts too. Identifier-only edits (typo fixes in names)
// and string/comment edits do not.
std::optional<LogicChange> compare_hunk_logic(const Hunk& hunk, bool text_data);

// refactor/style/perf: test expectations that change; refactor/perf:
// public declarations deleted without the same declaration added back.
void check_expectations(const Diff& diff, const DeclaredIntent& declared, const IntentConfig& config,
                        std::vector<Finding>& out);

}  // namespace reviewer::intent
