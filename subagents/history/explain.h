// The risk in words: the features that pushed a change's score up, said the
// way a reviewer would ("first change by this author to src/x.c; this file
// was reverted 3 times and fixed 41 times in the last 2 years").
#pragma once

#include <array>
#include <optional>
#include <string>

#include "reviewer/git/history/change_features.h"
#include "reviewer/git/history/index_view.h"

namespace reviewer::history {

// At most `top` reasons, largest contribution first, joined with "; ".
// `contributions` are the model's per-feature pushes (> 0 raises the risk).
// `as_of` as for change_features.
std::string explain_risk(const IndexView& index, const ChangeShape& change, std::size_t as_of,
                         const FeatureVector& x, const std::array<double, kFeatureCount>& contributions,
                         std::size_t top = 3);

}  // namespace reviewer::history
