// Applies compiled safety rules to a pull request: added lines of every file
// (one prefilter pass per file, then the individual regexes of the rules
// that may match), file facts (modes, symlinks, binaries, submodules,
// deletions) and the PR's other texts: title, body, commit messages, branch
// name and file paths.
#pragma once

#include <vector>

#include "reviewer/core/finding.h"
#include "subagents/agent.h"
#include "subagents/safety/rules.h"

namespace reviewer::safety {

// Findings in diff order (file by file, line by line), then those of the
// title, body, commit messages, branch name and paths. A change of several
// megabytes is read on two threads, with the same findings in the same order.
// Secret values appear only redacted. Throws reviewer::Error (timeout) when
// ctx.deadline passes between files. When ctx.secret_scan is set, fills it
// for the redactor: per file, every plausible value a secret rule finds in
// the added lines (files finished before a timeout are marked scanned).
std::vector<Finding> scan(const RuleSet& rules, const AgentContext& ctx);

// The CLI's `review` (one review, then the process ends) says so: scan()
// then compiles the patterns for the PR's title, body and commit messages
// for that scan alone (PatternScope, matching.h) and frees them before it
// reads the files. Elsewhere (serve, simulate) the rule set keeps them
// compiled for the next review.
void set_one_review_per_process(bool one);

// True when a symlink at `link_path` pointing to `target` leaves the
// repository: absolute, home-relative, or climbing above the root with "..".
bool symlink_escapes(std::string_view link_path, std::string_view target);

}  // namespace reviewer::safety
