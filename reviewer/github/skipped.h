// What a review did not read in full, said in the posted review:
// files over the per-file limit, binary files, generated or
// vendored files left out of the size, inline comments over the cap, and
// pull requests beyond what GitHub's API lists (3,000 files), which we can
// review only because the diff always comes from the local mirror.
#pragma once

#include <cstddef>
#include <string>

#include "reviewer/core/review_result.h"

namespace reviewer::github {

// GitHub's "list pull request files" stops at 3,000 files; the REST diff
// media type at 300 files / 20,000 lines. We never call either.
inline constexpr std::size_t kApiFileLimit = 3000;

struct SkippedCounts {
  std::size_t files = 0;
  std::size_t truncated = 0;  // over guidance max_file_bytes (partly or not diffed)
  std::size_t binary = 0;
  std::size_t excluded = 0;   // generated or vendored
  std::size_t submodules = 0;
  std::size_t comments_over_cap = 0;
};

SkippedCounts count_skipped(const ReviewResult& r, std::size_t comments_over_cap);

// A short Markdown section ("" when nothing was skipped): counts and the
// first few paths of each kind, escaped (paths are attacker-chosen).
// `max_inline` is the cap the publisher applied.
std::string skipped_section(const ReviewResult& r, std::size_t comments_over_cap, std::size_t max_inline);

}  // namespace reviewer::github
