// The review's walkthrough: a deterministic Markdown summary of what a PR
// changes, grouped by area (see area_of), with file and line counts. The
// same input always gives the same text, byte for byte. Paths are printed
// as code spans with backticks replaced, so a file name cannot inject
// Markdown or HTML.
#pragma once

#include <string>

#include "guidance/guidance.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/pull_request.h"

namespace reviewer {

// With the shipped intent guidance (areas, path classes, kinds).
std::string summarize_change(const PullRequest& pr, const Diff& diff);

// With a team's guidance; throws reviewer::Error when its intent section is
// invalid.
std::string summarize_change(const PullRequest& pr, const Diff& diff, const Guidance& guidance);

}  // namespace reviewer
