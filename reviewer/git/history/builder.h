// Internal to the history index: the walk that adds commits to an index.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include <git2.h>

#include "reviewer/git/history/history_index.h"

namespace reviewer::history::detail {

// Adds `line` (first-parent shas, oldest first, each a child of the index's
// tip) to `index`. Stops early when options.expired() says so between
// commits, or `deadline` says so while one is being read (a huge commit is
// then left for the next update); returns how many were added.
std::size_t add_commits(git_repository* repo, HistoryIndex& index, std::span<const std::string> line,
                        const BuildOptions& options, const std::function<bool()>& deadline = {});

// The first-parent shas from `base` back to (not including) `stop_at`,
// oldest first. *reached says whether `stop_at` was met; *shallow whether
// the line ended at a missing parent (shallow clone, grafts).
std::vector<std::string> first_parent_line(git_repository* repo, const std::string& base, const std::string& stop_at,
                                           bool* reached, bool* shallow);

}  // namespace reviewer::history::detail
