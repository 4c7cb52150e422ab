// The publisher's memory in the audit log: every call the publisher made
// (or, in dry-run, would make) becomes a row of the `actions` table, and
// the ledger asks that table whether the review of a head was posted.
//
// Action kinds: review_approve | review_comment | review_request_changes
// (detail "POST <path> head=<sha>", recorded by the ledger the moment
// GitHub accepted the review), inline_comment (one per placed comment,
// github_id = the review), dismiss_review, label, label_remove, check_run,
// commit_status; in dry-run the same kinds prefixed "would_", with
// http_status 0 and the exact request in the detail. After a publish in
// shadow or active mode ran to its end, one publish_complete row
// ("head=<sha> mode=<mode>", no GitHub id) lets later deliveries of the
// same head skip the work.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "reviewer/github/publisher.h"

namespace reviewer::audit { class AuditStore; }

namespace reviewer::app {

class AuditLedger final : public github::PublishLedger {
 public:
  // `db` is the store's file (read back read-only); `run_id` tags the rows.
  AuditLedger(std::shared_ptr<audit::AuditStore> store, std::filesystem::path db, std::string run_id);
  bool review_posted(const std::string& repo, std::int64_t number, const std::string& head_sha,
                     const std::string& event) override;
  void record_review(const std::string& repo, std::int64_t number, const std::string& head_sha,
                     std::int64_t review_id, const std::string& event) override;

 private:
  std::shared_ptr<audit::AuditStore> store_;
  std::filesystem::path db_;
  std::string run_id_;
};

// The action kind of one call ("review_comment", "label", ...), from its
// method and path; "github_call" for anything else.
std::string action_kind(const github::PlannedCall& call);

// Records the calls of `report` for run `run_id` on repository#number. In
// dry-run they are the would-be calls (kinds "would_*", the request body
// in the detail). The review POST itself is skipped when it was sent: the
// ledger recorded it already. Returns how many rows were written.
std::size_t record_publish_actions(audit::AuditStore& store, const github::PublishReport& report,
                                   const std::string& run_id, const std::string& repository, std::int64_t number,
                                   const std::string& head_sha);

}  // namespace reviewer::app
