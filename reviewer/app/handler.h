// The GitHub job handler of `serve`: turns queued webhook jobs
// into reviews fetched from GitHub and posted back to it.
//
//   review jobs  pull_request opened/synchronize/reopened/ready_for_review/
//                edited, and check_run/check_suite `rerequested` (the
//                "Re-run" button; the server queues them as kind "review"
//                so a re-run and a push supersede each other):
//     credentials -> metadata (payload; the API when stale or a re-run)
//     -> mirror fetch of base + refs/pull/N/head -> check run in_progress
//     -> review_repository -> audit record_review -> (superseded? stop)
//     -> Publisher::publish (ledger: the audit actions table) -> JobResult.
//   other kinds  dispatched through AppHandlerOptions::kinds (see below).
//
// Errors: GitHub 5xx/429/rate limits/no answer and git or I/O failures
// -> retry; 401/403/404/422 and bad payloads -> failed with the reason.
// A failure never approves: nothing is published after one.
//
// Modes (one flow, review_flow.h): dry-run without credentials reviews
// local mirrors only (<data_dir>/mirrors/<owner>/<name>.git, as the payload
// describes the PR; re-runs need GitHub); dry-run with credentials fetches
// and reviews but posts nothing; both log ("would_post") and audit
// ("would_*" actions) the exact requests. Shadow and active post through
// the Publisher (publisher.h says what each mode posts).
//
// ---- More job kinds ----
// 1. The server queues the job: github/webhook.h classify_webhook() returns a
//    JobSpec with its kind ("review", "comment", "review_state", ...).
// 2. A KindHandler registered under that kind in AppHandlerOptions::kinds
//    handles it (commands_hook.cpp installs the PR-comment commands and the
//    lifecycle events of reviewer/commands). It receives a JobContext: the
//    job, the parsed payload, the mode, the REST client for the payload's
//    installation (null without credentials), the audit store, log and
//    metrics, and `review`, which runs the whole review flow for one PR
//    (e.g. after `/human-review`, with target.human_review_override set).
//    Post only through the Publisher or, for your own calls, check `mode`
//    first: dry-run posts nothing.
// 3. AppHandlerOptions::prepare runs before each review's pipeline and may
//    set ReviewTarget::human_review_override / human_approved_head (an
//    active /human-review, a person's approval of the head for the gate).
//
// Thread-safety: handle() runs concurrently on the workers; hooks must be
// thread-safe too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/git/mirror.h"
#include "reviewer/github/publisher.h"
#include "reviewer/github/pull_request.h"
#include "guidance/watcher.h"
#include "reviewer/model/router.h"
#include "reviewer/core/job.h"

namespace reviewer::audit { class AuditStore; }
namespace reviewer { class Metrics; }

namespace reviewer::app {

class GitHubAccess;
class JsonLog;

// One pull request to review.
struct ReviewTarget {
  std::string owner, repo;            // the base repository
  std::int64_t number = 0;
  std::int64_t installation_id = 0;   // 0: none (plain token)
  std::string clone_url;              // what the mirror fetches (https; file:// in tests)
  // Metadata from the payload, possibly stale; empty: ask the API (re-runs).
  std::optional<github::PullInfo> pull;
  std::string trigger = "webhook";    // webhook | rerequest | whatever a hook names
  std::string action;                 // the pull_request action ("opened", "synchronize", ...), if any
  bool human_review_override = false; // an active /human-review (policy step 3)
  bool human_approved_head = false;   // a person with write access approved the head (the gate)

  std::string full_name() const { return owner + "/" + repo; }
};

struct JobContext {
  const Job& job;
  const nlohmann::json& payload;       // the delivery's body, parsed
  Mode mode;
  github::RestClient* client = nullptr;  // for the payload's installation; null without credentials
  GitHubAccess* access = nullptr;        // null without credentials
  std::shared_ptr<audit::AuditStore> audit;  // null only in tests
  app::JsonLog& log;
  Metrics& metrics;
  // The whole review path for one pull request.
  std::function<JobResult(ReviewTarget)> review;
  // Requested when serve shuts down past its grace period (the job was
  // released): the review stops and nothing is published.
  std::stop_token stop;
};

using KindHandler = std::function<JobResult(JobContext&)>;
using PrepareReview = std::function<void(ReviewTarget&, JobContext&)>;

struct AppHandlerOptions {
  Mode mode = Mode::dry_run;
  std::filesystem::path data_dir;                    // mirrors/<owner>/<name>.git
  // The operator's guidance (REVIEWER_GUIDANCE_DIR), re-read on change;
  // null: the shipped defaults. It decides auto-approve (guidance
  // `auto_approve`; a repository's own file can only narrow it).
  std::shared_ptr<GuidanceWatcher> guidance;
  std::shared_ptr<model::ProviderPool> model_pool;   // REVIEWER_MODEL_CONFIG, or null
  std::shared_ptr<GitHubAccess> access;              // null: dry-run on local mirrors only
  std::filesystem::path audit_db;                    // the store's file (or postgresql:// URL), read back by the ledger
  git::FetchOptions fetch;                           // limits; the password is set per job
  std::size_t max_inline_comments = 30;
  std::string details_url;                           // optional link on check runs
  std::map<std::string, KindHandler> kinds;          // job kind -> handler
  PrepareReview prepare;                             // runs before every review
};

// `audit` may be null in tests (nothing recorded, no ledger: GitHub's own
// review list still prevents double posts).
std::shared_ptr<JobHandler> make_github_handler(AppHandlerOptions options,
                                                        std::shared_ptr<audit::AuditStore> audit,
                                                        app::JsonLog& log, Metrics& metrics);

// The review targets of a job's payload: one for a pull_request event;
// those of a check_run/check_suite `rerequested` event (none when the run is
// not ours; PRs from forks, which the payload does not list, are looked up
// by head sha through `client` when given). Throws reviewer::Error
// (invalid_input) naming a missing field.
std::vector<ReviewTarget> review_targets(const std::string& event, const nlohmann::json& payload,
                                         github::RestClient* client);

}  // namespace reviewer::app
