// Posts one review's outcome to GitHub, idempotently per (PR, head sha):
// the review with inline comments, the labels, and the check run `reviewer`
// (or a commit status with a plain token). What is posted depends on the
// mode (DESIGN.md "Modes of serve"):
//   dry-run  nothing is sent; the report lists the exact calls active mode
//            would start with (no reads either: no credentials needed);
//   shadow   the review as COMMENT only; never approves, labels or gates;
//   active   everything; APPROVE only when the policy approves and
//            auto-approve is enabled for the repository.
// Every review body starts with a hidden marker
//   <!-- reviewer:run=<run id> head=<sha> -->
// and a redelivery finds it among the PR's reviews and posts nothing twice.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/core/mode.h"
#include "reviewer/core/review_result.h"
#include "reviewer/github/rest_client.h"

namespace reviewer::github {

struct PublishTarget {
  std::string owner, repo;
  std::int64_t number = 0;
  bool auto_approve = false;       // guidance enables auto-approve for this repository
  bool human_approved_head = false;// a person with write access approved the current head
  std::string details_url;         // optional link for the check run
  // Post a new review even if one with the same outcome exists for the
  // head (`/review` asked for a fresh one); otherwise one per head and event.
  bool repost = false;
};

struct PlannedCall {
  PlannedCall() = default;
  PlannedCall(std::string m, std::string p, nlohmann::json b = nullptr)
      : method(std::move(m)), path(std::move(p)), body(std::move(b)) {}
  std::string method, path;
  nlohmann::json body;
  int status = 0;          // GitHub's answer; 0 when not sent (dry-run) or no answer
  std::string github_id;   // the "id" of the object GitHub returned, if any
};

// The audit log's memory of posted reviews (the server implements it on the
// audit store). GitHub's own review list is checked as well, so a crash
// between posting and recording never double-posts.
class PublishLedger {
 public:
  virtual ~PublishLedger() = default;
  // True when a review with `event` (APPROVE, COMMENT or REQUEST_CHANGES)
  // was recorded for the head.
  virtual bool review_posted(const std::string& repo, std::int64_t number, const std::string& head_sha,
                             const std::string& event) = 0;
  // `event` is APPROVE, COMMENT or REQUEST_CHANGES.
  virtual void record_review(const std::string& repo, std::int64_t number, const std::string& head_sha,
                             std::int64_t review_id, const std::string& event) = 0;
};

struct PublishReport {
  Mode mode = Mode::dry_run;
  std::vector<PlannedCall> calls;   // the mutating calls sent (or, in dry-run, that would be)
  bool stale = false;               // the PR's head moved on: nothing was posted
  bool review_already_posted = false;
  std::int64_t review_id = 0;
  std::string review_event;         // APPROVE, COMMENT or REQUEST_CHANGES
  bool would_approve = false;       // the policy approved but the mode or repository withheld APPROVE
  std::string check_conclusion;     // empty when no gate was posted
  std::vector<std::string> unplaced_findings;  // ids shown in the summary instead of inline
  std::vector<std::int64_t> dismissed_reviews;
};

struct PublisherOptions {
  // The bot's login ("<app-slug>[bot]" or the token's user). Only reviews by
  // this login count as ours; empty trusts the marker alone (tests only).
  std::string bot_login;
  bool app = true;                  // GitHub App credentials (check runs) or a plain token (statuses)
  std::size_t max_inline_comments = 30;
  PublishLedger* ledger = nullptr;
  std::function<void(const std::string&)> log;
  // Each call send() lets through, sent (`sent`) or only planned (dry-run),
  // with its kind ("comment", "label", "check_run", ...): the commands'
  // audit rows.
  std::function<void(std::string_view kind, const PlannedCall& call, bool sent)> on_call;
};

class Publisher {
 public:
  // `client` may be null in dry-run mode only.
  Publisher(RestClient* client, PublisherOptions options);

  // Marks the gate in progress for a head about to be reviewed (active mode).
  PublishReport start(const PublishTarget& target, const std::string& head_sha, const std::string& run_id, Mode mode);

  PublishReport publish(const ReviewResult& result, const PublishTarget& target, Mode mode);

  // After start() when the review cannot finish for good (a refusal, bad
  // input): completes the gate as failure with `reason`, so the PR does
  // not show a review running forever; nothing is approved. Active mode
  // only. Returns the call (none when nothing was started).
  PublishReport abort(const PublishTarget& target, const std::string& head_sha, const PublishReport& started,
                      const std::string& reason, Mode mode);

  // One mutating call outside a review (a reply, a label, a dismissal, a
  // reviewer request): sent in active mode; in shadow only when `shadow_ok`
  // (replies); in dry-run never. Calls the mode lets through go to
  // options.on_call. Returns GitHub's answer, or an empty Response when not
  // sent. Throws GitHubError when GitHub refuses.
  Response send(std::string_view kind, PlannedCall call, Mode mode, bool shadow_ok = false,
                const RequestOptions& options = {});

  // Completes our latest check run for `head` with `conclusion` (a PATCH of
  // it, else a new run); with a plain token, the commit status `reviewer`
  // (action_required -> pending). Through send(): not in shadow or dry-run.
  void set_gate(const PublishTarget& target, const std::string& head, const std::string& conclusion,
                const std::string& title, const std::string& summary, Mode mode);

  // The conclusion of our latest check run for `head`; "" when there is
  // none, it is still running, or the gate is a commit status (plain token).
  std::string gate_conclusion(const PublishTarget& target, const std::string& head);

 private:
  RestClient* client_;
  PublisherOptions opt_;
};

// "/repos/{owner}/{repo}", each part URL-encoded.
std::string repo_path(const PublishTarget& target);

// The review body: the marker line, the Markdown report, the findings
// that could not be placed inline and what was not reviewed in full
// (skipped.h; kept whole when the rest is cut). At most 65,000 characters.
std::string review_body(const ReviewResult& r, const std::vector<Finding>& unplaced, bool would_approve,
                        const std::string& skipped = {});
// The marker of the review for `head_sha`: "<!-- reviewer:run=<id> head=<sha> -->".
std::string review_marker(const std::string& run_id, const std::string& head_sha);
// True when `body` starts with a marker for `head_sha` (position 0 only, so
// PR text quoted later in a body can never forge one).
bool has_marker_for(const std::string& body, const std::string& head_sha);

}  // namespace reviewer::github
