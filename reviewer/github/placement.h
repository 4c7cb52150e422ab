// Where a finding can sit as an inline review comment. GitHub rejects a
// whole review (422) when one comment's line is outside the diff or a range
// spans hunks (GITHUB.md B6), so every anchor is checked against our own
// Diff; anything unplaceable is returned for the summary body instead.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"

namespace reviewer::github {

struct InlineComment {
  std::string path;
  int line = 0;
  std::string side = "RIGHT";  // LEFT: the old file (deleted lines); RIGHT: added or context lines
  int start_line = 0;          // > 0 for a range; always in the same hunk and side as line
  std::string start_side;
  std::string body;
  std::string finding_id;
};

struct Placement {
  std::vector<InlineComment> comments;
  std::vector<Finding> unplaced;   // no path or line, outside the hunks, or over the cap
  std::size_t over_cap = 0;        // how many of `unplaced` could have gone inline but for the cap
};

// Places every non-shadow finding. A finding's line is a new-side line,
// except in a deleted file where it names the old line (LEFT side). At most
// `max_comments` are placed (reviewdog's 30 avoids abuse-detection 403s);
// the rest go to `unplaced` in their original order.
Placement place_findings(const std::vector<Finding>& findings, const Diff& diff, std::size_t max_comments = 30);

// The Markdown body of one inline comment, ending in a hidden marker with
// the finding id.
std::string comment_body(const Finding& f);

}  // namespace reviewer::github
