// A changed file as the logic rules see it: its language, whether it is a
// test, and each hunk split into its new side (context + added lines) and
// old side (context + deleted lines), each line with its code/comment view.
#pragma once

#include <string>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"
#include "reviewer/core/text.h"
#include "subagents/logic/config.h"
#include "subagents/logic/line_view.h"

namespace reviewer::logic {

struct SideLine {
  const DiffLine* line;
  LineView view;
  bool changed() const { return line->origin != LineOrigin::context; }
};

struct HunkView {
  const Hunk* hunk;
  std::vector<SideLine> new_side;
  std::vector<SideLine> old_side;
  bool cut = false;  // a partial review's budget ended inside the hunk: its sides hold the first lines only
};

struct FileView {
  const FileDiff* diff;
  std::string path;
  index::Lang lang = index::Lang::unknown;
  bool is_test = false;
  long changed_viewed = 0;      // added and deleted lines in hunks below
  std::vector<HunkView> hunks;  // with a budget, the last may end early
};

// Files the rules read: not binary, submodule or symlink (generated and
// vendored files too). With `max_lines`, the lines in diff order until
// `max_lines` changed lines are viewed, the last file and hunk cut there:
// the part of a very large change an agent reviewing it partially looks at.
std::vector<FileView> file_views(const Diff& diff, const Config& cfg, long max_lines = -1);

// A finding under `rule` at a new-side line: the message is the rule's why
// (plus `detail`), the suggestion its fix, the evidence the line's code with
// string contents blanked (never a raw literal: it could be a secret).
Finding make_finding(const Rule& rule, const std::string& path, int line, std::string evidence,
                     const std::string& detail = {});

// Leading whitespace of a line.
std::string_view indent_of(std::string_view s);

}  // namespace reviewer::logic
