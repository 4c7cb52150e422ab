// The logic agent's line-level rules: the data-driven patterns and the
// built-in checks a regex cannot express, each over one changed file.
#pragma once

#include <functional>
#include <optional>
#include <string>
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
void check_coverage_lowered(const Rule& rule, const FileView& file, std::vector<Finding>& out);
// A coverage tool's configuration file deleted with its gate, which no
// configuration file of the change sets again at least as high.
void check_coverage_file_deleted(const Rule& rule, const std::vector<FileView>& files, std::vector<Finding>& out);
void check_base_image_moved(const Rule& rule, const FileView& file, std::vector<Finding>& out);
// A Makefile's test target made a no-op, told to ignore failures or to
// leave tests out, or its recipe deleted (test_target_check.cpp).
void check_test_target_disabled(const Rule& rule, const FileView& file, std::vector<Finding>& out);

// A blob's text by its id (hex), or nullopt when it cannot be read.
using BlobText = std::function<std::optional<std::string>(const std::string& id)>;
// A file's text at the head commit by its path, or nullopt when none is there.
using FileAt = std::function<std::optional<std::string>(const std::string& path)>;
// golangci-lint's configuration stops running gosec where the base ran it
// (linter_check.cpp): both sides are read whole, and a configuration added
// beside it that golangci-lint would read instead is judged too.
void check_security_linter_disabled(const Rule& rule, const Diff& diff, const BlobText& blob, const FileAt& at_head,
                                    std::vector<Finding>& out);

}  // namespace reviewer::logic
