// Checks on how a pull request treats tests: source changed with no test
// change (source -> test mapping from guidance templates per language),
// test files deleted while their sources stay. (Removed assertions are a
// deleted-lines pattern rule in guidance.)
#pragma once

#include <string>
#include <vector>

#include "reviewer/core/finding.h"
#include "reviewer/git/index/repo_index.h"
#include "subagents/logic/config.h"
#include "subagents/logic/file_view.h"

namespace reviewer::logic {

// The test path globs for a source path, from the language's templates:
// {dir} the folder ("" at the root), {name} the file stem, {ext} the extension.
std::vector<std::string> test_globs_for(const TestConfig& cfg, const std::string& path);

// One PR-level finding (no path) naming every source file changed without
// a test change (at most 10, then a count); none when every file has one.
// `head` (may be null) tells which mapped tests exist at the head commit.
void check_missing_test_change(const Rule& rule, const Config& cfg, const std::vector<FileView>& files,
                               const index::RepoIndex* head, std::vector<Finding>& out);
void check_test_deleted(const Rule& rule, const Config& cfg, const std::vector<FileView>& files,
                        std::vector<Finding>& out);

}  // namespace reviewer::logic
