// `reviewer demo`'s audit history (issue 21): months of changes on three
// repositories written through the ordinary AuditStore calls, so the chain
// verifies and every view and the console have something to show. The
// same seed gives the same history (own generator, no std distributions,
// whose output differs between standard libraries); only the chain's
// recorded_at times differ between runs.
#pragma once

#include <cstdint>

namespace reviewer::audit { class AuditStore; }

namespace reviewer {

struct DemoHistory {
  int changes = 400;               // pull requests opened (reverts come on top)
  std::uint64_t seed = 20260421;
  std::int64_t start = 1751328000; // 2025-07-01T00:00:00Z, seconds since the epoch
  int days = 270;                  // about nine months
};

// What was written, for the demo's summary and the tests.
struct DemoHistoryCounts {
  int merged = 0;            // every merged PR, reverts included
  int bot_approved = 0;      // merged on an active-mode approve (with or without a person)
  int human_approved = 0;    // merged with a person's approval only
  int unapproved = 0;        // merged without either
  int reverted = 0;
  int overrides = 0;         // /human-review requests
  int failing_checks = 0;    // merged with a failed check
  int merged_before_checks = 0;  // merged before a check completed
  int local_runs = 0;        // `reviewer review` runs on a workstation
};

// Writes the history into `store` (normally a new, empty log). Throws
// reviewer::Error when the store does.
DemoHistoryCounts write_demo_history(audit::AuditStore& store, const DemoHistory& h = {});

}  // namespace reviewer
