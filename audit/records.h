// Plain records the server and publisher hand to the audit log, one per
// audit table beyond the review itself. Times are UTC ISO 8601 strings
// ("YYYY-MM-DDTHH:MM:SSZ"); empty means "now" where noted.
#pragma once

#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

namespace reviewer::audit {

// A webhook delivery as received. The webhook secret is never part of it.
struct DeliveryRecord {
  std::string delivery_id;  // X-GitHub-Delivery
  std::string event;        // X-GitHub-Event
  std::string action;       // payload "action"
  std::string repository;   // "owner/name"
  std::string received_at;  // empty: now
  bool signature_valid = false;
  std::string outcome;      // queued | ignored | rejected | duplicate | ...
};

// A snapshot of a pull request's metadata as last seen.
struct PullRequestRecord {
  std::string repository;
  std::int64_t number = 0;
  std::string title;
  std::string author;
  std::string base_ref;
  std::string head_sha;
  bool draft = false;
  std::string observed_at;  // empty: now
};

// Something posted to GitHub (or, in dry-run, what would have been).
struct ActionRecord {
  std::string run_id;
  std::string repository;
  std::int64_t pr_number = 0;
  std::string kind;         // review_approve, inline_comment, label, check_run, would_...
  std::string github_id;    // empty when nothing was posted
  int http_status = 0;      // 0 when nothing was posted
  std::string detail;
  std::string at;           // empty: now
};

// A `/human-review` request or its cancellation.
struct OverrideRecord {
  std::string repository;
  std::int64_t pr_number = 0;
  std::string kind;         // human_review | cancel
  std::string actor;
  std::string comment_id;
  std::string at;           // empty: now
};

// A person's verdict on one finding.
struct FeedbackRecord {
  std::string repository;
  std::int64_t pr_number = 0;
  std::string finding_id;
  std::string rule;
  std::string actor;
  bool helpful = false;
  std::string comment_id;
  std::string at;           // empty: now
};

// One step of a pull request's life.
struct PrEventRecord {
  std::string repository;
  std::int64_t pr_number = 0;
  std::string kind;         // opened | ready_for_review | pushed | approved | changes_requested |
                            // approval_dismissed | approved_without_access | merged | closed |
                            // reopened | reverted
  std::string actor;        // approved, changes_requested: the reviewer
  std::string head_sha;
  std::string merge_sha;    // merged: the merge commit
  std::int64_t related_pr = 0;  // reverted: the PR that reverted this one
  std::string detail;
  std::string at;           // empty: now
};

// A job of `reviewer serve` parked as a dead letter: every attempt failed
// (or the last attempt's lease expired). One per delivery.
struct DeadLetterRecord {
  std::string delivery_id;  // X-GitHub-Delivery of the job's delivery
  std::int64_t job_id = 0;  // jobs.id in the server's queue.db
  std::string event;
  std::string kind;         // review | comment | review_state | ...
  std::string repository;
  std::int64_t pr_number = 0;
  std::string head_sha;
  std::int64_t attempts = 0;
  std::string reason;       // the last attempt's error
  std::string parked_at;    // empty: now
};

// One check of a head as GitHub reported it (issue 21: test results as
// evidence). Every text is GitHub's, already capped and cleaned
// (reviewer/github/commit_checks.h).
struct CheckResultRecord {
  std::string repository;
  std::int64_t pr_number = 0;  // 0: the head belongs to no PR we know
  std::string head_sha;
  std::string source;          // check_run | status | check_suite
  std::string name;            // check run name, status context, suite's app name
  std::string app;             // app slug; a status: its creator's login
  std::string result;          // conclusion, else status; a status: its state
  std::string url;             // html_url / target_url; "" when none
  std::string completed_at;    // "" when not completed
  std::string observed_at;     // empty: now
  std::string trigger;         // merged | check_suite
};

// What the log holds about one pull request, in log order (`seq`), for the
// GitHub command handlers: is a human review required, did a person approve
// the current head, was this comment already handled. Each list is capped at
// kHistoryLimit rows (the newest are kept).
inline constexpr std::size_t kHistoryLimit = 10000;

template <typename Record>
struct Logged {
  std::int64_t seq = 0;  // position in the log: later rows have larger seq
  Record record;
};

struct FindingRule {
  std::string finding_id;
  std::string rule;
};

struct PrHistory {
  std::vector<Logged<OverrideRecord>> overrides;
  std::vector<Logged<PrEventRecord>> events;
  std::vector<Logged<FeedbackRecord>> feedback;
  std::vector<Logged<ActionRecord>> actions;
  std::vector<FindingRule> findings;  // every distinct finding id reported on the PR, with its rule
};

}  // namespace reviewer::audit
