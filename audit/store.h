// The audit log: an append-only, hash-chained SQLite database of every
// review and of everything the bot saw and did on GitHub. Each record_*
// call is one transaction: a failure leaves no partial rows and never
// touches rows committed before.
//
// Thread-safety: an AuditStore may be shared between threads; writes go
// through one writer queue that commits concurrent calls together (group
// commit), each call still all or nothing and durable when it returns. Several processes may write the same file:
// SQLite's write lock serializes them, waiting up to the busy timeout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/records.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

struct OpenOptions {
  int busy_timeout_ms = 5000;       // how long a writer waits for the lock
  std::int64_t max_page_count = 0;  // 0: no limit (tests use it to simulate a full disk)
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Opens (creating and migrating as needed) the database at `path`; creates
  // missing parent folders. Throws reviewer::Error naming the file when it
  // cannot be opened, is read-only, corrupt, locked past the busy timeout,
  // or has a newer schema than this build knows.
  static std::unique_ptr<AuditStore> open(const std::filesystem::path& path);
  static std::unique_ptr<AuditStore> open(const std::filesystem::path& path,
                                          const OpenOptions& options);

  // Opens the log in the PostgreSQL database at `url` (postgresql://…; the
  // database must exist), migrating it as needed under an advisory lock.
  // Throws reviewer::Error with one line naming the server (never its
  // password) when it cannot be reached, or naming both versions when the
  // database's schema is newer than this build.
  static std::unique_ptr<AuditStore> open_url(const std::string& url);

  // A postgresql:// or postgres:// URL opens PostgreSQL, anything else the
  // SQLite file at that path.
  static std::unique_ptr<AuditStore> open_location(const std::string& location);

  // Records one review: the run, each agent's result, each finding (evidence
  // as the agent redacted it). All or nothing; throws reviewer::Error (also
  // when the run id was recorded before).
  virtual void record_review(const ReviewResult& result) = 0;

  // Records several reviews in one transaction (all or nothing): for bulk
  // imports and simulations.
  virtual void record_reviews(const std::vector<ReviewResult>& results) = 0;

  virtual void record_delivery(const DeliveryRecord& r) = 0;
  virtual void record_pull_request(const PullRequestRecord& r) = 0;
  virtual void record_action(const ActionRecord& r) = 0;
  virtual void record_override(const OverrideRecord& r) = 0;
  virtual void record_feedback(const FeedbackRecord& r) = 0;
  virtual void record_pr_event(const PrEventRecord& r) = 0;
  // Records a dead letter; returns false (writing nothing) when this
  // delivery's dead letter is already in the log, so a reporter that
  // crashed before noting its report can simply report again.
  virtual bool record_dead_letter(const DeadLetterRecord& r) = 0;

  // Records checks of heads (records.h CheckResultRecord) in one write,
  // all or nothing. A record equal to the latest one logged for the same
  // check (repository, PR, head, source and name; every field but
  // observed_at equal) is left out, so a retried job or a redelivery
  // records once and a check seen unchanged by a later event adds nothing.
  // Returns the rows written.
  virtual std::size_t record_check_results(const std::vector<CheckResultRecord>& records) = 0;

  // For a merged PR `reverting_pr` whose title/body say it reverts something
  // (see revert.h), finds the original PRs in the log (by PR number, by
  // merge or head sha, or by exact title) and records a `reverted` event on
  // each, with related_pr = reverting_pr. Returns the original PR numbers,
  // empty when nothing matched. One transaction.
  virtual std::vector<std::int64_t> link_reverts(const std::string& repository,
                                                 std::int64_t reverting_pr, std::string_view title,
                                                 std::string_view body, std::string_view at) = 0;

  // Everything the log holds about one pull request of `repository`
  // (records.h PrHistory), read in one snapshot. Throws reviewer::Error on a
  // database failure.
  virtual PrHistory history(const std::string& repository, std::int64_t pr_number) = 0;

  // Rows in the log: the sequence number of the chain's head.
  virtual std::int64_t row_count() = 0;
};

}  // namespace reviewer::audit
