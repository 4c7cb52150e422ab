// How much of a review `serve` posts to GitHub (DESIGN.md "Modes of serve"):
//   dry-run  everything is computed and audited, nothing is posted;
//   shadow   comment-only reviews; no approval, labels or check run;
//   active   the full policy.
// Parsed once where it enters (REVIEWER_MODE); everything else passes the enum.
#pragma once

#include <optional>
#include <string_view>

namespace reviewer {

enum class Mode { dry_run, shadow, active };

// "dry-run", "shadow" or "active"; nullopt for anything else.
std::optional<Mode> parse_mode(std::string_view s);
std::string_view to_string(Mode m);

}  // namespace reviewer
