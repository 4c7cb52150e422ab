// The shipped defaults (guidance/default/*.yml), compiled into the binary so
// `reviewer` needs no install prefix to find them.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace reviewer {

// (file name, YAML text) in file-name order.
const std::vector<std::pair<std::string_view, std::string_view>>& default_guidance_files();

}  // namespace reviewer
