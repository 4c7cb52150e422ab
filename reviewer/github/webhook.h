// GitHub's webhooks, the one place that reads them: which events and
// actions make a job (classify_webhook), and the fields each handler needs
// (a pull request, a re-run, the clone URL and installation). Payloads are
// attacker-influenced JSON: a missing or mistyped field is a clear
// reviewer::Error(invalid_input) naming it, "webhook payload: 'x.y' is
// missing", never a crash. The signature is checked before any of this
// (signature.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace reviewer::github {

// The work a delivery asks for (the server queues it as a job).
struct WebhookJob {
  std::string kind;         // "review" (pull_request) or the event name
  std::string repository;   // owner/name: the fairness key
  std::int64_t pr_number = 0;
  std::string head_sha;
  // A newer job of this kind for the same PR supersedes older ones that
  // have not finished (only the newest head is reviewed).
  bool supersedes = false;
  // The GitHub App installation (0: none): the outer fairness key, so one
  // organisation's many repositories cannot crowd out another's.
  std::int64_t installation = 0;
};

struct Classified {
  std::string action;       // "" when the payload has none
  std::string repository;   // repository.full_name, "" when absent
  std::optional<WebhookJob> job;  // empty: recorded, no work (unhandled event or action)
};

// Decides what a delivery of event `event` with `payload` asks for.
// Review jobs: pull_request opened, synchronize, reopened, ready_for_review
// and edited; pull_request closed makes a "pull_request" job (lifecycle).
// Comment jobs: issue_comment created/edited on a pull request. Review-state
// jobs: pull_request_review submitted/dismissed. Re-runs: check_run (our
// check `reviewer` only) and check_suite `rerequested` make review jobs for
// the first listed PR (number 0 when none is listed). check_suite
// `completed` makes a "check_suite" job (test results recorded as audit
// evidence; the first listed PR, or 0). Everything else (ping,
// installation, ...) makes no job. Throws Error(invalid_input) when a
// handled event lacks its fields.
Classified classify_webhook(const std::string& event, const nlohmann::json& payload);

// The members classify_webhook() reads, for parse_filtered (the server's
// json_scan.h): a member `key` of an object at `depth` (1: the payload's
// own members). A filtered payload classifies exactly as the whole one does.
bool classify_webhook_reads(int depth, std::string_view key);

// The pull_request fields a review needs.
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

// The "Re-run" button: check_run and check_suite `rerequested` ask for a
// fresh review of a head.
struct RerunRequest {
  std::int64_t installation_id = 0;  // 0 without an installation (plain-token set-ups)
  std::string owner, repo;
  std::string head_sha;
  // PR numbers from the payload. Empty for PRs from forks: the caller maps
  // the head sha back to its PR through its own records.
  std::vector<std::int64_t> pull_numbers;
};

// `event` is the X-GitHub-Event header. For check_run, only runs named
// `check_name` count (a re-run of another App's check is not ours); other
// events and actions yield nothing. Throws reviewer::Error when a relevant
// payload lacks required fields.
std::optional<RerunRequest> parse_rerequest(std::string_view event, const nlohmann::json& payload,
                                            std::string_view check_name = "reviewer");

// The payload's repository.clone_url; throws reviewer::Error
// (invalid_input) when it is missing or empty.
std::string clone_url_of(const nlohmann::json& payload);
// The payload's installation.id, or 0 (none, or not an integer).
std::int64_t installation_of(const nlohmann::json& payload);

// A commit sha as GitHub writes it: 40 (SHA-1) or 64 (SHA-256) lowercase
// hex digits. Checked before a payload's sha goes into an API path.
bool is_commit_sha(std::string_view s);

// Typed reads for the handlers of other events (the commands): each throws
// Error(invalid_input) "webhook payload: '<path>.<key>' is ..." when the
// member is missing or of another type; `path` names the enclosing object
// ("" for the payload itself).
namespace payload {
const nlohmann::json& object(const nlohmann::json& j, const char* key, const std::string& path);
std::string string(const nlohmann::json& j, const char* key, const std::string& path);
std::int64_t integer(const nlohmann::json& j, const char* key, const std::string& path);
// Lenient reads, for API answers and optional members: a missing, null or
// mistyped member (or `j` not an object) reads as empty, never as an
// exception from the JSON library.
// The member, or null.
const nlohmann::json& member_or_null(const nlohmann::json& j, const char* key);
// A string member, or "".
std::string string_or_empty(const nlohmann::json& j, const char* key);
// An integer member, or 0.
std::int64_t integer_or_zero(const nlohmann::json& j, const char* key);
// A boolean member, or false.
bool flag_or_false(const nlohmann::json& j, const char* key);
// A time member in the audit log's form, "YYYY-MM-DDTHH:MM:SSZ" (GitHub's;
// fractional seconds are dropped), or "" when missing or of another form.
std::string time_or_empty(const nlohmann::json& j, const char* key);
// repository.owner.login and repository.name.
std::pair<std::string, std::string> owner_repo(const nlohmann::json& payload);
}  // namespace payload

}  // namespace reviewer::github
