#include "reviewer/github/skipped.h"

#include <fmt/format.h>

#include "reviewer/github/markdown.h"

namespace reviewer::github {
namespace {

constexpr std::size_t kPathsShown = 5;

// "a, b, c and 12 more" over the files matching `pred`.
template <class Pred>
std::string some_paths(const Diff& d, Pred pred) {
  std::string out;
  std::size_t shown = 0, total = 0;
  for (const auto& f : d.files) {
    if (!pred(f)) continue;
    ++total;
    if (shown < kPathsShown) {
      out += (shown ? ", " : "") + markdown_escape(f.path());
      ++shown;
    }
  }
  if (total > shown) out += fmt::format(" and {} more", total - shown);
  return out;
}

}  // namespace

SkippedCounts count_skipped(const ReviewResult& r, std::size_t comments_over_cap) {
  SkippedCounts c;
  c.files = r.diff.files.size();
  for (const auto& f : r.diff.files) {
    c.truncated += f.truncated;
    c.binary += f.binary;
    c.excluded += f.excluded();
    c.submodules += f.submodule;
  }
  c.comments_over_cap = comments_over_cap;
  return c;
}

std::string skipped_section(const ReviewResult& r, std::size_t comments_over_cap, std::size_t max_inline) {
  const SkippedCounts c = count_skipped(r, comments_over_cap);
  std::string items;
  if (c.files > kApiFileLimit) {
    items += fmt::format("- {} files changed, more than the {} GitHub's API lists: the diff was taken from "
                         "the repository mirror and every file was considered.\n",
                         c.files, kApiFileLimit);
  }
  if (c.truncated) {
    items += fmt::format("- {} file(s) over the per-file limit (guidance `max_file_bytes`) or past the whole "
                         "diff's limit, read only in part or not at all: {}\n",
                         c.truncated, some_paths(r.diff, [](const FileDiff& f) { return f.truncated; }));
  }
  if (c.binary) {
    items += fmt::format("- {} binary file(s), not reviewed: {}\n", c.binary,
                         some_paths(r.diff, [](const FileDiff& f) { return f.binary; }));
  }
  if (c.excluded) {
    items += fmt::format("- {} generated or vendored file(s), left out of the size: {}\n", c.excluded,
                         some_paths(r.diff, [](const FileDiff& f) { return f.excluded(); }));
  }
  if (c.submodules) {
    items += fmt::format("- {} submodule change(s): the submodule's own commits are not reviewed\n", c.submodules);
  }
  if (c.comments_over_cap) {
    items += fmt::format("- {} finding(s) beyond the {} inline comments posted per review are listed in the "
                         "summary instead\n",
                         c.comments_over_cap, max_inline);
  }
  if (items.empty()) return {};
  return "#### Not reviewed in full\n\n" + items;
}

}  // namespace reviewer::github
