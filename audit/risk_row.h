// The revert risk of one review run as its row of review_risk (schema 005).
#pragma once

#include <string>

#include "audit/db.h"
#include "reviewer/core/risk.h"

namespace reviewer::audit {

struct RowValues;

// The row of review_risk for `run_id`.
RowValues risk_row(const std::string& run_id, const Risk& risk);

}  // namespace reviewer::audit
