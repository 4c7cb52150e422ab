// Test results as audit evidence (issue 21): the check runs and commit
// statuses of a head, read from GitHub and recorded in the audit table
// check_results when a PR is merged (events.cpp) and when a check suite
// completes (the job handler's "check_suite" kind, reviewer/app).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reviewer/github/commit_checks.h"
#include "reviewer/github/rest_client.h"

namespace reviewer::audit { class AuditStore; }

namespace reviewer::commands {

// At most this many PRs of one head get rows (a check suite lists the PRs
// whose head branch it ran on).
inline constexpr std::size_t kMaxEvidencePrs = 10;

struct HeadChecks {
  std::string owner, repo;
  std::vector<std::int64_t> prs;   // the PRs with this head; empty: one set of rows with PR 0
  std::string head_sha;
  std::string trigger;             // merged | check_suite
  // What the webhook itself says (a completed check suite): recorded first,
  // whatever happens to the API reads.
  std::vector<github::CheckObservation> from_payload;
};

// Records `h.from_payload`, then, with a client, the head's check runs and
// commit statuses, each list read on its own: one read's rows are recorded
// even when the other read fails. A failed read is logged and then
// rethrown (github::GitHubError: the job handler retries transient ones
// and fails the job on the others, as for every GitHub read); its retry
// records only what changed (AuditStore::record_check_results). Returns a
// note for the job's result, e.g. "checks: 7 observed, 7 recorded".
std::string record_head_checks(github::RestClient* client, audit::AuditStore& audit, const HeadChecks& h,
                               const std::function<void(const std::string&)>& log);

}  // namespace reviewer::commands
