// The model-backed reviewer step. For each model-backed agent it sends the
// PR's hunks (split into several calls when large) with the PR text as
// delimited untrusted data, lets the model call read-only tools in a
// bounded loop, and validates the JSON answer into findings under
// "model/<agent>/<kind>". Model output can only add findings: nothing in
// an answer can remove a finding or approve.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/model/config.h"
#include "reviewer/model/router.h"
#include "reviewer/model/usage.h"

namespace reviewer::model {

// The agents that have a model step, in report order.
std::vector<std::string> model_agents();

// Parses and validates an answer. nullopt when it is not a JSON object with
// a "findings" array (the caller retries once). Findings with a path not in
// the diff, a line that is not an added or context line of that file, an
// unknown severity, a bad kind or an empty message are dropped and counted
// in *dropped. Severity is capped at error.
std::optional<std::vector<Finding>> parse_findings(const std::string& answer, const std::string& agent,
                                                   const Diff& diff, int* dropped = nullptr);

// The data block: PR text and code between markers carrying `nonce`; any
// marker-like text inside is defused. Exposed for tests.
std::string delimit_untrusted(const std::string& data, const std::string& nonce);

// The user messages for one agent: one per chunk of files, each within
// `max_data_bytes` of data. Exposed for tests.
std::vector<std::string> build_prompts(const std::string& agent, const PullRequest& pr, const Diff& diff,
                                       const std::string& nonce, std::size_t max_data_bytes);

// One agent's model review through `router`. Never throws for provider
// trouble: failures land in the router's usage and give no findings.
// Applied to every tool result before the model sees it (the pipeline
// masks secrets the safety agent found); null: results are sent as read.
using ToolResultFilter = std::function<std::string(std::string_view)>;

std::vector<Finding> model_review(Router& router, const std::string& agent, const PullRequest& pr,
                                  const Diff& diff, const std::filesystem::path& repo_path,
                                  const ToolResultFilter& filter = nullptr);

struct ModelRun {
  std::map<std::string, std::vector<Finding>> findings;  // by agent
  std::vector<std::string> walkthrough;                  // model-written bullets; empty: none
  ModelUsage usage;
};

// Every model agent, concurrently (wall time is the slowest agent's), on a
// fresh per-review budget over `pool`.
ModelRun run_model_agents(std::shared_ptr<ProviderPool> pool, const PullRequest& pr, const Diff& diff,
                          const std::filesystem::path& repo_path, ToolResultFilter filter = nullptr);

// Convenience: a pool for this config alone.
std::vector<Finding> model_review(const ModelConfig& config, const PullRequest& pr, const Diff& diff,
                                  const std::filesystem::path& repo_path, const std::string& agent,
                                  ModelUsage* usage);

}  // namespace reviewer::model
