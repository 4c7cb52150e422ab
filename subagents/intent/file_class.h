// Which kind of file a diff entry is (guidance paths.*), and which area of
// the repository it belongs to (areas.*): the vocabulary shared by the kind,
// scope and summary checks.
#pragma once

#include <string>
#include <string_view>

#include "reviewer/core/diff.h"
#include "subagents/intent/intent_config.h"

namespace reviewer::intent {

// One of kPathClasses, or "source" for everything else. The first matching
// class wins, in this order: lockfiles, changelog, manifests, ci, build,
// tests, migrations, docs (so requirements.txt is a manifest, not a doc).
std::string_view classify_file(std::string_view path, const IntentConfig& config);

// The area a path belongs to: its folders down to the first one that is not
// a mere container (src, lib, packages, ...), at most areas.max_depth deep.
// "src/billing/tax.py" -> "src/billing"; files at the root -> "(root)".
std::string area_of(std::string_view path, const IntentConfig& config);

}  // namespace reviewer::intent
