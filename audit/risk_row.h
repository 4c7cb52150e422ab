// The revert risk of one review run as its row of review_risk (schema 005).
#pragma once

#include <string>

#include "audit/chain.h"
#include "reviewer/core/risk.h"

namespace reviewer::audit {

// Appends the row for `run_id`, inside the caller's write transaction.
void append_risk(ChainWriter& w, const std::string& run_id, const Risk& risk);

}  // namespace reviewer::audit
