// Tracing a change through the repository at the head commit: definitions
// the PR removes that are still referenced, functions whose parameter count
// changed while call sites keep the old count, literals and config keys or
// environment variables whose old value is still used elsewhere. Every
// finding lists the locations outside the PR's added lines as evidence.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reviewer/core/finding.h"
#include "reviewer/git/index/repo_index.h"
#include "subagents/logic/config.h"
#include "subagents/logic/file_view.h"

namespace reviewer::logic {

// Reads one line of a file at the head commit (nullopt when unreadable):
// used to confirm that a coupled number sits in a comparison.
using LineReader = std::function<std::optional<std::string>(std::string_view path, std::uint32_t line)>;

void trace_change(const Config& cfg, const std::vector<FileView>& files, const index::RepoIndex& head,
                  const LineReader& read_line, std::vector<Finding>& out);

}  // namespace reviewer::logic
