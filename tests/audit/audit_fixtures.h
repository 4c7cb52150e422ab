// Review results for audit tests: deterministic, with a chosen number of
// findings, shaped like what the pipeline produces.
#pragma once

#include <string>

#include "reviewer/core/review_result.h"

namespace reviewer::test {

// Two agents (size: ok; safety: ok) with `findings` warnings split between
// them; decision comment with two reasons.
ReviewResult sample_review(const std::string& run_id, int findings, std::int64_t pr_number = 42);

}  // namespace reviewer::test
