// What a webhook delivery means to the bot: which events and actions make
// a job, and the pull_request fields a review needs. Payloads are
// attacker-influenced JSON: a missing or mistyped field is a clear
// reviewer::Error(invalid_input), never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/server/job.h"

namespace reviewer::server {

struct Classified {
  std::string action;       // "" when the payload has none
  std::string repository;   // repository.full_name, "" when absent
  std::optional<JobSpec> job;  // empty: recorded, no work (unhandled event or action)
};

// Decides what a delivery of event `event` with `payload` asks for.
// Review jobs: pull_request opened, synchronize, reopened, ready_for_review
// and edited; pull_request closed makes a "pull_request" job (lifecycle). Comment jobs: issue_comment created/edited on a pull request
// (the /human-review override). Review-state jobs: pull_request_review
// submitted/dismissed. Re-runs: check_run (our check `reviewer` only) and
// check_suite `rerequested` make review jobs for the first listed PR
// (number 0 when none is listed). Everything else (ping, installation,
// ...) makes no job. Throws Error(invalid_input) when a handled event lacks its fields.
Classified classify(const std::string& event, const nlohmann::json& payload);

// The members classify() reads, for parse_filtered (json_scan.h): a member
// `key` of an object at `depth` (1: the payload's own members). A filtered
// payload classifies exactly as the whole one does.
bool classify_reads(int depth, std::string_view key);

// The pull_request fields the default handler reviews with.
struct PullRequestEvent {
  std::string action;
  std::string repository;   // base repository full_name
  std::int64_t number = 0;
  std::string title;
  std::string body;         // "" when null
  bool draft = false;
  std::vector<std::string> labels;
  std::string author;
  std::string head_sha;
  std::string head_ref;
  std::string base_sha;
  std::string base_ref;
  std::optional<std::int64_t> installation_id;
};

// Parses a pull_request payload. Throws Error(invalid_input) naming the
// missing or mistyped field.
PullRequestEvent parse_pull_request_event(const nlohmann::json& payload);

}  // namespace reviewer::server
