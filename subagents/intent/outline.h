// The change as the intent vocabulary reads it (areas, file classes, the
// declared kind): the facts behind the review's walkthrough, which
// reviewer/pipeline/walkthrough.h renders.
#pragma once

#include "reviewer/core/diff.h"
#include "reviewer/core/pull_request.h"
#include "subagents/agent.h"
#include "subagents/intent/intent_config.h"

namespace reviewer::intent {

ChangeOutline outline_change(const PullRequest& pr, const Diff& diff, const IntentConfig& config);

}  // namespace reviewer::intent
