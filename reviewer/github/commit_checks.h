// The test results of a commit as GitHub reports them (issue 21): its check
// runs (GET /repos/{o}/{r}/commits/{sha}/check-runs), its commit statuses
// (GET …/commits/{sha}/status: the latest status per context), and a
// check_suite webhook's own suite. Everything here is another party's text
// (any App or anyone with write access names checks and sets their URLs):
// each field is read leniently (a missing or mistyped member reads as
// empty, never as an exception), cleaned of control characters and capped;
// URLs are kept only when http(s); results are short lowercase tokens.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/github/rest_client.h"

namespace reviewer::github {

struct CheckObservation {
  std::string source;        // check_run | status | check_suite
  std::string name;          // check run name, status context, suite's app name (≤ 200 bytes)
  std::string app;           // app slug; a status: its creator's login (≤ 100 bytes)
  std::string result;        // completed: conclusion; else status; a status: state ("unknown" when absent)
  std::string url;           // html_url / target_url, http(s) only (≤ 2048 bytes); "" otherwise
  std::string completed_at;  // "YYYY-MM-DDTHH:MM:SSZ"; "" when not completed (or no valid time)
};

// At most this many check runs, and as many statuses, are read per commit
// (10 pages of 100): a commit with more is recorded in part.
inline constexpr std::size_t kMaxChecksPerCommit = 1000;

CheckObservation check_run_observation(const nlohmann::json& run);
CheckObservation status_observation(const nlohmann::json& status);
CheckObservation check_suite_observation(const nlohmann::json& suite);

// The latest check run of each name (GitHub's default filter) and the
// latest status of each context for `sha`, following pagination up to
// `max` each. Throws GitHubError as RestClient does (transient ones are
// worth a retry), and Error(invalid_input) when `sha` is not a commit id.
std::vector<CheckObservation> fetch_check_runs(RestClient& client, const std::string& owner, const std::string& repo,
                                               const std::string& sha, std::size_t max = kMaxChecksPerCommit);
std::vector<CheckObservation> fetch_statuses(RestClient& client, const std::string& owner, const std::string& repo,
                                             const std::string& sha, std::size_t max = kMaxChecksPerCommit);

}  // namespace reviewer::github
