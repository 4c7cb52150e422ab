// An RE2::Set over every rule pattern of one scope: one linear pass tells
// which patterns occur in a text, so the individual regexes run only for
// those (normally none).
#pragma once

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "subagents/safety/rules.h"

namespace reviewer::safety {

struct RuleSet::Prefilter {
  std::unique_ptr<re2::RE2::Set> set;
  std::vector<std::pair<int, int>> entries;  // set index -> (rule index, pattern index)

  // Indices into entries that match somewhere in text. When the set's DFA
  // runs out of memory every entry is returned (the individual regexes,
  // which fall back to the NFA, then decide): slower, never wrong.
  std::vector<int> candidates(std::string_view text) const;
};

}  // namespace reviewer::safety
