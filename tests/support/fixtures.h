// Hand-built changes and results for unit tests that do not need a repository.
#pragma once

#include <string>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/risk.h"

namespace reviewer::test {

// A modified file whose one hunk adds `added` lines and deletes `deleted`
// lines (numbered from 1 on each side).
FileDiff file_with_lines(const std::string& path, const std::vector<std::string>& added,
                         const std::vector<std::string>& deleted = {});

// A modified file with `added` generated lines ("line N") and `deleted` ones.
FileDiff file_with_counts(const std::string& path, int added, int deleted = 0);

// A revert risk of 0.4213 above its threshold of 0.25, as the history agent
// reports one: seven features out of contribution order (exp 0.81 is the
// largest, sexp -0.5 the smallest), an explanation with a mention, Markdown
// and HTML in it, 3412 indexed commits up to "ddd…", 56 labelled positives.
Risk sample_risk();

}  // namespace reviewer::test
