// The intent agent's checks, one family per file. Each appends findings to
// `out`; none throws on odd input (empty title, binary files, huge bodies).
#pragma once

#include <string_view>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"
#include "reviewer/core/pull_request.h"
#include "subagents/intent/declared_kind.h"
#include "subagents/intent/intent_config.h"

namespace reviewer::intent {

// Description quality: empty, vague title, no why, unfilled template, WIP
// on a non-draft PR, missing ticket.
void check_description(const PullRequest& pr, const DeclaredIntent& declared, const IntentConfig& config,
                       std::vector<Finding>& out);

// Declared kind vs the change: docs/chore/ci/build/style/test/deps PRs that
// touch what their kind excludes, refactors that change expectations or
// public signatures, copy changes that alter logic.
void check_kind(const Diff& diff, const DeclaredIntent& declared, const IntentConfig& config,
                std::vector<Finding>& out);

// A revert must be the inverse of the reverted commit: every line the
// commit added is deleted and every line it deleted is added back, in the
// same files, and nothing else. `reverted` is that commit's diff (against
// its first parent).
void check_revert(const Diff& diff, const Diff& reverted, std::string_view reverted_sha,
                  const IntentConfig& config, std::vector<Finding>& out);

// Scope: areas changed but never mentioned in a narrow PR; promises in the
// description ("adds tests") that the diff does not keep.
void check_scope(const PullRequest& pr, const Diff& diff, const IntentConfig& config,
                 std::vector<Finding>& out);

}  // namespace reviewer::intent
