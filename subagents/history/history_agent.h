// The history agent: how likely this change is to be reverted or to need a
// fix, learnt from the repository's own past (see README.md beside this
// file). Its risk feeds policy step 4b; its finding `history/high-risk`
// says why in words.
#pragma once

#include <memory>

#include "subagents/agent.h"

namespace reviewer {

std::unique_ptr<Agent> make_history_agent();

}  // namespace reviewer
