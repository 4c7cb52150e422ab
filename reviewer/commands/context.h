// What every command handler gets: the GitHub client, the audit log, the
// bot's identity and mode, and seams for tests. And what it gives back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reviewer/github/publisher.h"
#include "reviewer/github/pull_request.h"
#include "reviewer/github/rest_client.h"

namespace reviewer::audit { class AuditStore; }

namespace reviewer::commands {

struct CommandOptions {
  // The bot's login, "<app-slug>[bot]" (GitHubApp::bot_login) or the token's
  // user: its comments and reviews are never obeyed, and only its reviews,
  // comments and check runs count as ours.
  std::string bot_login;
  // dry-run: nothing is posted (the calls are returned and audited as
  // would_*); shadow: replies only; active: everything. Reads happen in
  // every mode (permissions must be confirmed before anything is recorded).
  Mode mode = Mode::dry_run;
  bool app = true;  // check runs (App) or commit statuses (plain token) for the gate
  // `/review` is honoured at most once per PR in this interval.
  std::chrono::seconds review_min_interval{300};
  // The CODEOWNERS text of the PR's repository at its base commit
  // (pr.base_tip_sha; see codeowners.h read_codeowners, e.g. from the mirror
  // after fetching pr.base_ref); unset or nullopt: no reviewers are
  // requested. May throw reviewer::Error (the reply says it was unreadable).
  std::function<std::optional<std::string>(const github::PullInfo& pr)> codeowners;
  std::function<std::chrono::system_clock::time_point()> now;  // default: the system clock
  std::function<void(const std::string&)> log;
};

struct CommandContext {
  github::RestClient& client;
  audit::AuditStore& audit;
  CommandOptions options;
};

// A request for the job handler: review this head of this PR again.
struct RerunRequest {
  std::string repository;  // owner/name
  std::int64_t number = 0;
  std::string head_sha;
  std::string requested_by;
};

struct Outcome {
  bool ignored = false;                       // nothing for us in this delivery
  std::vector<std::string> notes;             // one line per thing done or refused, for logs
  std::vector<github::PlannedCall> calls;     // mutating calls sent (dry-run: that would be)
  std::optional<RerunRequest> rerun;          // `/review`: enqueue this

  std::string summary() const;                // the notes joined with "; "
};

}  // namespace reviewer::commands
