// Builders for intent agent tests: diffs from compact line lists.
#pragma once

#include <string>
#include <vector>

#include "guidance/guidance.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"
#include "reviewer/core/pull_request.h"
#include "subagents/agent.h"

namespace reviewer::test {

// A file change from lines prefixed "+", "-" or " " (context), one hunk.
FileDiff file_change(const std::string& path, const std::vector<std::string>& lines,
                     ChangeKind kind = ChangeKind::modified);

PullRequest pr_with(const std::string& title, const std::string& body, std::vector<std::string> labels = {},
                    bool draft = false);

// Runs the intent agent with default guidance plus the given YAML texts.
std::vector<Finding> run_intent(const PullRequest& pr, const Diff& diff,
                                const std::vector<std::string>& guidance_yaml = {});

bool has_rule(const std::vector<Finding>& findings, const std::string& rule);
const Finding* find_rule(const std::vector<Finding>& findings, const std::string& rule);
std::string rules_of(const std::vector<Finding>& findings);

// A description that passes every description rule, for tests of other rules.
inline const char* kGoodBody =
    "The invoice total was wrong for zero-quantity lines because the discount was applied twice. "
    "This changes the calculation and adds a regression test.";

}  // namespace reviewer::test
