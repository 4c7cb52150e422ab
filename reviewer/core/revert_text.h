// The texts that say a change reverts another: GitHub's "Revert" button
// writes the title `Revert "<original title>"`, `git revert` writes
// `This reverts commit <sha>.` One reading of them for the audit log's
// revert links and the intent agent. Title and body are attacker-controlled:
// every function is linear in its input and never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer {

// Whether `title` starts as GitHub's revert title does (`Revert "`, after
// any leading whitespace).
bool starts_as_revert_title(std::string_view title);

// The original title in `Revert "<title>"` (the outermost quotes: a nested
// `Revert "Revert "x""` gives `Revert "x"`); nullopt when `title` is not
// one, or the quoted title spans lines.
std::optional<std::string> reverted_title(std::string_view title);

// The shas named by "This reverts commit <sha>" (any case; 7 to 40 hex
// digits, a whole word), lowercased, in order, each once, at most `max`.
std::vector<std::string> reverted_shas(std::string_view text, std::size_t max);

}  // namespace reviewer
