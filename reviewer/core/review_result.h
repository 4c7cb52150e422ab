// Everything one review produced: the input it judged, each agent's report,
// and the decision. Renderers, the audit log and the publisher read it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reviewer/core/agent_report.h"
#include "reviewer/core/decision.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/core/size_stats.h"

namespace reviewer {

// What the optional model layer did in this review (DESIGN.md "Model
// providers"). Model trouble never blocks a review: `unavailable` records
// that no provider answered, and the agents' rules stood alone.
struct ModelSummary {
  bool used = false;         // at least one provider call answered
  int calls = 0;
  int failures = 0;
  long tokens_in = 0;
  long tokens_out = 0;
  double cost_usd = 0;
  bool unavailable = false;
};

struct ReviewResult {
  std::string run_id;
  std::string started_at;      // UTC, ISO 8601
  std::string mode = "dry-run";
  std::string trigger = "cli"; // cli, demo, webhook, simulate
  PullRequest pr;
  Diff diff;
  SizeStats size;
  std::vector<AgentReport> agents;
  Decision decision;
  std::string walkthrough;     // Markdown change summary, already escaped
  std::string guidance_version;
  std::string reviewer_version;
  long duration_ms = 0;
  std::optional<ModelSummary> model;  // set only when a model was configured
};

// A fresh random run id (32 hex characters).
std::string new_run_id();
// Current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now_iso8601();
// The version compiled in from CMake's project version.
std::string reviewer_version();

}  // namespace reviewer
