// Hand-built changes for unit tests that do not need a repository.
#pragma once

#include <string>
#include <vector>

#include "reviewer/core/diff.h"

namespace reviewer::test {

// A modified file whose one hunk adds `added` lines and deletes `deleted`
// lines (numbered from 1 on each side).
FileDiff file_with_lines(const std::string& path, const std::vector<std::string>& added,
                         const std::vector<std::string>& deleted = {});

// A modified file with `added` generated lines ("line N") and `deleted` ones.
FileDiff file_with_counts(const std::string& path, int added, int deleted = 0);

}  // namespace reviewer::test
