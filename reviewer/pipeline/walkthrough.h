// The review's walkthrough: a deterministic Markdown summary of what a PR
// changes, grouped by area, with file and line counts and the declared
// kind, from the outline the intent agent reads (subagents/agent.h
// ChangeOutline). The same input always gives the same text, byte for byte.
// Paths and the declared kind's source are printed as code spans with
// backticks replaced, so a file name cannot inject Markdown or HTML.
#pragma once

#include <string>

#include "reviewer/core/diff.h"
#include "subagents/agent.h"

namespace reviewer {

// `outline.files` has one entry per `diff.files` entry (else
// std::out_of_range: a broken outline is not rendered).
std::string render_walkthrough(const Diff& diff, const ChangeOutline& outline);

}  // namespace reviewer
