#include "reviewer/core/mode.h"

namespace reviewer {

std::optional<Mode> parse_mode(std::string_view s) {
  if (s == "dry-run") return Mode::dry_run;
  if (s == "shadow") return Mode::shadow;
  if (s == "active") return Mode::active;
  return std::nullopt;
}

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::dry_run: return "dry-run";
    case Mode::shadow: return "shadow";
    case Mode::active: return "active";
  }
  return "dry-run";
}

}  // namespace reviewer
