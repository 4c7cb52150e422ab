// Levenshtein distance, for "did you mean" suggestions on mistyped
// subcommands and setting names.
#pragma once

#include <cstddef>
#include <string>

namespace reviewer {

std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace reviewer
