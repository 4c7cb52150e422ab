// Text from findings (which may quote the PR's title, body or code) goes
// into comments GitHub renders: the one escape, shared with the Markdown
// report (reviewer/report/render.h).
#pragma once

#include "reviewer/report/render.h"

namespace reviewer::github {

using ::reviewer::markdown_escape;

}  // namespace reviewer::github
