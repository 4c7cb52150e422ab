// The safety agent: what a security reviewer would stop in a pull request.
// Secrets (redacted in every finding), dangerous code per language, risky
// files (workflows, manifests, migrations, modes, symlinks, binaries,
// submodules) and hidden content (Trojan Source characters, instructions
// aimed at an automated reviewer). The rules are data: the guidance
// "safety" section (guidance/default/safety.yml), compiled once per
// guidance version.
#pragma once

#include <memory>

#include "subagents/agent.h"

namespace reviewer {

std::unique_ptr<Agent> make_safety_agent();

}  // namespace reviewer
