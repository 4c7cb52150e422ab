// What a rule sees of a diff line: the code (comments removed, string
// contents blanked to "" so patterns never fire inside literals) or the
// comment text. Computed over one side of a hunk in order, so a block
// comment or multi-line string opened on one line carries to the next.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reviewer/git/index/language.h"

namespace reviewer::logic {

struct LineView {
  std::string code;
  std::string comment;
};

std::vector<LineView> line_views(index::Lang lang, const std::vector<std::string_view>& lines);

}  // namespace reviewer::logic
