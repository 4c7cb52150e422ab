// The revert check's view of the repository: one commit's own change.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "reviewer/core/diff.h"

namespace reviewer::intent {

// The diff of commit `sha` (full or abbreviated) against its first parent,
// read with libgit2 from the repository at `repo`. nullopt when the commit
// is not in the repository or is a root commit. Throws reviewer::Error when
// the repository cannot be opened or read.
std::optional<Diff> read_commit_diff(const std::filesystem::path& repo, std::string_view sha);

}  // namespace reviewer::intent
