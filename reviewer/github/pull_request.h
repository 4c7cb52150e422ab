// The PR as GitHub describes it: from a webhook's `pull_request` object or
// from GET /repos/{owner}/{repo}/pulls/{n} (the same shape), used to refresh
// a stale payload before reviewing. Every text field is attacker-controlled.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/core/pull_request.h"
#include "reviewer/github/rest_client.h"

namespace reviewer::github {

struct PullInfo {
  PullRequest pr;            // title, body, author, labels, draft, base_ref, head_sha
  std::string base_tip_sha;  // base.sha: the base branch tip GitHub saw (not the merge base)
  std::string state;         // open, closed
  bool merged = false;
  bool from_fork = false;    // head.repo differs from base.repo

  // pr.repository ("owner/name") and its two parts.
  const std::string& full_name() const { return pr.repository; }
  std::string owner() const;
  std::string repo() const;
};

// Throws reviewer::Error (invalid_input) naming the missing field.
PullInfo pull_from_json(const nlohmann::json& pull, const std::string& owner_repo);

PullInfo fetch_pull(RestClient& client, const std::string& owner, const std::string& repo, std::int64_t number);

// The numbers of the open PRs whose head is `sha` (GET /repos/{o}/{r}/
// commits/{sha}/pulls): a re-run of a fork's PR lists none in its payload.
// Malformed entries are skipped.
std::vector<std::int64_t> open_pulls_with_head(RestClient& client, const std::string& owner, const std::string& repo,
                                               const std::string& sha);

}  // namespace reviewer::github
