// The review pipeline: from a repository range (or a prepared change) to a
// ReviewResult. The CLI, the demo, the simulator and the server all call
// these; none re-implements a step.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "guidance/guidance.h"
#include "guidance/watcher.h"
#include "reviewer/core/mode.h"
#include "reviewer/core/review_result.h"
#include "reviewer/model/router.h"
#include "subagents/history/history_agent.h"

namespace reviewer {

struct ReviewRequest {
  std::filesystem::path repo = ".";
  std::string base;        // empty: the repository's default branch
  std::string head = "HEAD";
  // Branch names as GitHub shows them (base.ref, head.ref); empty: the
  // revs named by `base` and `head`.
  std::string base_ref, head_ref;
  std::optional<std::string> title;  // default: the head commit's summary
  std::optional<std::string> body;   // default: the rest of its message
  std::vector<std::filesystem::path> guidance_dirs;  // layered over the defaults
  // Already-loaded operator guidance (serve keeps the last good version);
  // when set, `guidance_dirs` is not read.
  std::shared_ptr<const GuidanceSnapshot> operator_guidance;
  std::string trigger = "cli";
  Mode mode = Mode::dry_run;
  bool draft = false;
  // As GitHub names them ("owner/name", login), for the auto-approve
  // policy; empty: the repository path and the head commit's author name.
  std::string repository;
  std::string author;
  std::vector<std::string> labels;       // GitHub's labels, when the server reviews a PR
  bool human_review_override = false;    // an active /human-review (policy step 3)
  // Optional model-backed reasoning (`--model-config`); null: rules only.
  std::shared_ptr<const model::ModelConfig> model;
  // A pool shared across reviews (serve): breakers and latencies persist.
  // Takes precedence over `model`.
  std::shared_ptr<model::ProviderPool> model_pool;
  // Requested: the agents stop at their next check (serve shutting down).
  std::stop_token stop;
  // Set: the history index is brought up to the merge base before the
  // agents start, outside their deadlines, as serve does after each fetch
  // (the first index of a large repository takes longer than the history
  // agent's deadline, which would otherwise time it out, review after
  // review, until the index is complete). `reviewer review` sets it; the
  // callback hears how long the refresh took.
  bool refresh_history = false;
  std::function<void(const HistoryRefresh&)> on_history_refresh;
};

// Opens the repository, resolves base and head, layers the repository's
// .github/reviewer.yml read at the base branch's tip over the guidance
// directories, takes GitHub's three-dot diff (merge base to head) and the
// messages of its commits, runs every agent and applies the policy.
// Throws reviewer::Error (usage or invalid_input) with a one-line message
// for a bad repository, revision or guidance.
ReviewResult review_repository(const ReviewRequest& request);

// An already-built change to review.
struct ReviewInput {
  PullRequest pr;
  Diff diff;
  Guidance guidance;
  std::filesystem::path repo_path;  // empty: no repository reads
  std::string trigger = "cli";
  Mode mode = Mode::dry_run;
  // Non-empty when the repository's guidance file was unusable: reported as
  // a failed "guidance" step, so the run cannot approve.
  std::string guidance_problem;
  // The model step (model_step.h), after safety on the redacted change;
  // null: rules only. Its findings are appended to the intent/logic reports
  // (they can only add findings); result.model summarises the calls.
  std::shared_ptr<model::ProviderPool> model_pool;
  std::stop_token stop;  // requested: the agents stop at their next check
  // Protected paths the change reaches through symlinks, as the policy
  // names them, when the caller read them already (review_repository, from
  // the diff's open repository); unset: read from repo_path.
  std::optional<std::vector<std::string>> linked_protected = std::nullopt;
};

// Runs the agents and the policy on an already-built change. Never throws
// for agent failures: they become failed/timed_out reports and a
// needs_human decision.
// Every text of the result (PR, paths, findings, reasons, walkthrough,
// model calls) has been through the Redactor (redaction.h): the agents and
// the policy judge the raw change, nothing downstream sees a secret.
ReviewResult review_change(ReviewInput input);

}  // namespace reviewer
