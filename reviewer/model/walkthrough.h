// The model-written walkthrough (model config `walkthrough: true`): a few
// plain-text bullets describing what the diff does. Model text is
// untrusted: it is cleaned here and escaped by the renderers; it never
// changes a finding or the decision.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/model/router.h"

namespace reviewer::model {

// Validates an answer: a JSON object whose "walkthrough" is 1..8 non-empty
// strings. Control characters are dropped and each bullet is cut to 300
// bytes on a character boundary. nullopt when the shape is wrong.
std::optional<std::vector<std::string>> parse_walkthrough(const std::string& answer);

// One call (one retry on an invalid answer) through `router`, agent
// "summary". Empty when no provider gave a valid answer: the caller keeps
// the deterministic walkthrough.
std::vector<std::string> model_walkthrough(Router& router, const PullRequest& pr, const Diff& diff);

}  // namespace reviewer::model
