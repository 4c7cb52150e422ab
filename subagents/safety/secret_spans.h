// Where the secret rules find credentials in any text, for whoever must
// mask text before it leaves (the pipeline's redactor) without RE2 headers.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "subagents/safety/rules.h"

namespace reviewer::safety {

struct SecretSpan {
  std::size_t begin = 0, end = 0;  // the value, as offsets into the text
  const Rule* rule = nullptr;
};

// Where a secret rule finds a plausible secret value in `text` (one line or
// many joined by '\n'). Sorted by begin; spans of different rules may
// overlap. Ignores `paths`, `unless` and `requires`: whoever masks text
// with it would rather hide a harmless value than show a credential.
std::vector<SecretSpan> secret_spans(const RuleSet& rules, std::string_view text);

}  // namespace reviewer::safety
