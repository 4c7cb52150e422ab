// What both audit backends do alike: every record_* call turned into rows
// (rows.h) and appended inside one write of the backend, dead letters
// recorded once, revert links resolved under the writer's lock. A backend
// supplies the write (a transaction holding the chain's lock, its head read
// under it) and the way it recognizes a repeated run id.
#pragma once

#include <functional>
#include <string>

#include "audit/log_reader.h"
#include "audit/rows.h"
#include "audit/store.h"

namespace reviewer::audit {

// Appends rows to the chain inside a backend's write, and reads the log as
// that write sees it.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void append(const RowValues& row) = 0;
  virtual LogReader& reader() = 0;
};

class StoreBase : public AuditStore {
 public:
  void record_review(const ReviewResult& r) override;
  void record_reviews(const std::vector<ReviewResult>& runs) override;
  void record_delivery(const DeliveryRecord& r) override { write_one(delivery_row(r)); }
  void record_pull_request(const PullRequestRecord& r) override { write_one(pull_request_row(r)); }
  void record_action(const ActionRecord& r) override { write_one(action_row(r)); }
  void record_override(const OverrideRecord& r) override { write_one(override_row(r)); }
  void record_feedback(const FeedbackRecord& r) override { write_one(feedback_row(r)); }
  void record_pr_event(const PrEventRecord& r) override { write_one(pr_event_row(r)); }
  bool record_dead_letter(const DeadLetterRecord& d) override;
  std::size_t record_check_results(const std::vector<CheckResultRecord>& records) override;
  std::vector<std::int64_t> link_reverts(const std::string& repository, std::int64_t reverting_pr,
                                         std::string_view title, std::string_view body,
                                         std::string_view at) override;

 protected:
  // Runs `fn` in one write: all or nothing, durable when it returns.
  virtual void write(const std::function<void(RowSink&)>& fn) = 0;
  // True when `e`, thrown by RowSink::append of a review_runs row, says the
  // run id is already in the log.
  virtual bool is_duplicate_run(const std::exception& e) const = 0;
  // "audit database …", for messages.
  virtual std::string where() const = 0;

 private:
  void write_one(const RowValues& row);
  void append_review(RowSink& sink, const std::string& run_id, const std::vector<RowValues>& rows);
};

}  // namespace reviewer::audit
