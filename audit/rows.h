// What each record of the log becomes: the rows of the audit tables, as
// column values, before the chain columns are filled in. One place for both
// backends, so a record is stored alike in SQLite and PostgreSQL (and
// hashes alike: the chain is the same on both).
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "audit/db.h"
#include "audit/records.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

// One row of an audit table, without seq, prev_hash, row_hash and
// recorded_at (the chain writer sets them).
struct RowValues {
  std::string_view table;
  std::vector<std::pair<std::string_view, Value>> columns;
};

// The run, its agents' results, findings (shadow ones apart), the revert
// risk and the model calls. Throws Error(internal) without a run id.
std::vector<RowValues> review_rows(const ReviewResult& r);

RowValues delivery_row(const DeliveryRecord& r);
RowValues pull_request_row(const PullRequestRecord& r);
RowValues action_row(const ActionRecord& r);
RowValues override_row(const OverrideRecord& r);
RowValues feedback_row(const FeedbackRecord& r);
RowValues pr_event_row(const PrEventRecord& r);
RowValues dead_letter_row(const DeadLetterRecord& r);
RowValues check_result_row(const CheckResultRecord& r);

}  // namespace reviewer::audit
