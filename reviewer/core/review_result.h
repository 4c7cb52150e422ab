// Everything one review produced: the input it judged, each agent's report,
// and the decision. Renderers, the audit log and the publisher read it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reviewer/core/agent_report.h"
#include "reviewer/core/decision.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/mode.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/core/size_stats.h"

namespace reviewer {

// What the optional model layer did in this review (DESIGN.md "Model
// providers"). Model trouble never blocks a review: `unavailable` records
// that no provider answered, and the agents' rules stood alone.
// One provider call, tool call or rejected answer of the model layer, as
// the audit log keeps it. `prompt` and `answer` are redacted before they
// leave the pipeline (secrets the safety agent found, token-like strings).
struct ModelCallRecord {
  std::string agent;
  std::string kind;              // chat | tool | validation
  std::string provider, model;
  std::string template_version;
  std::string prompt_hash;       // sha256 of the unredacted prompt as sent
  long tokens_in = 0, tokens_out = 0, latency_ms = 0;
  double cost_usd = 0;
  std::string outcome;           // ok, timeout, http-5xx, rate-limited, invalid-json, rejected, ...
  std::string detail;
  std::string prompt, answer;    // redacted; empty for tool and validation rows
};

struct ModelSummary {
  bool used = false;         // at least one provider call answered
  int calls = 0;
  int failures = 0;
  long tokens_in = 0;
  long tokens_out = 0;
  double cost_usd = 0;
  bool unavailable = false;
  std::vector<ModelCallRecord> records;  // every call, for the audit log
};

// Whether guidance lets an `approve` decision be posted as an APPROVE
// review for this repository and author (guidance `auto_approve`).
struct AutoApproveStatus {
  bool allowed = false;
  std::string reason;
};

struct ReviewResult {
  std::string run_id;
  std::string started_at;      // UTC, ISO 8601
  Mode mode = Mode::dry_run;
  std::string trigger = "cli"; // cli, demo, webhook, simulate
  PullRequest pr;
  Diff diff;
  SizeStats size;
  std::vector<AgentReport> agents;
  Decision decision;
  AutoApproveStatus auto_approve;
  std::string walkthrough;     // Markdown change summary, already escaped
  // Model-written walkthrough (model config `walkthrough: true`): plain
  // text, untrusted, escaped by the renderers; empty: use `walkthrough`.
  std::vector<std::string> model_walkthrough;
  std::string guidance_version;
  std::string reviewer_version;
  long duration_ms = 0;
  std::optional<ModelSummary> model;  // set only when a model was configured
  // The history agent's revert risk; empty when that agent did not judge
  // (failed or timed out: the policy already asks for a person).
  std::optional<Risk> risk;
};

// A fresh random run id (32 hex characters).
std::string new_run_id();
// Current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now_iso8601();
// The version compiled in from CMake's project version.
std::string reviewer_version();

}  // namespace reviewer
