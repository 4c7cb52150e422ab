// The logic agent's line-level rules: the data-driven patterns and the
// built-in checks a regex cannot express, each over one changed file.
#pragma once

#include <vector>

#include "reviewer/core/finding.h"
#include "subagents/logic/config.h"
#include "subagents/logic/file_view.h"

namespace reviewer::logic {

// Every rule with `patterns`, over the added (or deleted) lines of the file.
void run_patterns(const Config& cfg, const FileView& file, std::vector<Finding>& out);

// Built-in checks over added lines.
void check_self_comparison(const Rule& rule, const FileView& file, std::vector<Finding>& out);
void check_identical_branches(const Rule& rule, const FileView& file, std::vector<Finding>& out);
void check_duplicate_condition(const Rule& rule, const FileView& file, std::vector<Finding>& out);
void check_unreachable_code(const Rule& rule, const FileView& file, std::vector<Finding>& out);
void check_commented_out_code(const Rule& rule, const FileView& file, std::vector<Finding>& out);
// A Makefile's test target made a no-op, told to ignore failures or to
// leave tests out, or its recipe deleted (test_target_check.cpp).
void check_test_target_disabled(const Rule& rule, const FileView& file, std::vector<Finding>& out);

}  // namespace reviewer::logic
