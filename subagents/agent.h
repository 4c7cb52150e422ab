// The sub-agent interface. An agent judges one aspect of a pull request
// (intent, safety, logic, size, history) from an immutable context and returns its
// findings. It never talks to GitHub, the audit log or another agent.
//
// Contract for implementations:
// - review() may run concurrently with other agents' review() on the same
//   context; it must not mutate shared state (the safety agent's
//   `secret_scan` aside, below).
// - It returns findings by value, or throws to say it could not judge (the
//   runner records the agent as failed and the policy fails closed).
// - It must check ctx.deadline.expired() between expensive steps (files,
//   indexing batches) and stop early, throwing Error::Code::timeout: the
//   runner stops waiting at the agent's deadline, asks it to stop through
//   ctx.deadline.stop, and joins its thread before the review returns.
// - Evidence must already be redacted: no raw secret leaves an agent.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "guidance/guidance.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/core/risk.h"
#include "reviewer/core/secret_scan.h"

namespace reviewer {

// When an agent must stop: at `at`, or as soon as the runner asks through
// `stop` (it has stopped waiting for the agent).
struct Deadline {
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::time_point::max();
  std::stop_token stop;
  bool expired() const { return stop.stop_requested() || std::chrono::steady_clock::now() >= at; }
};

struct AgentContext {
  PullRequest pr;
  Diff diff;
  Guidance guidance;
  // The repository, for agents that read files at pr.head_sha or pr.base_sha
  // (open your own git::Repository: handles are per thread). Empty when the
  // review has no repository (unit tests).
  std::filesystem::path repo_path;
  // The latest deadline of any agent in this run: check it between
  // expensive steps. The runner enforces each agent's own deadline (from
  // guidance) by not waiting past it.
  Deadline deadline;
  // When the runner started the agents: an agent's own deadline is
  // started + guidance.deadline_ms(name). Default: unknown (use `deadline`).
  std::chrono::steady_clock::time_point started{};
  // The change is above guidance's partial-review limit (very large: a
  // vendoring, an import). Safety and size still read all of it; another
  // agent may stop early, and must then say so in AgentOutput::partial.
  bool above_partial_limit = false;
  // Where the safety agent leaves the secret values it found in added
  // lines for the pipeline's redactor (reviewer/core/secret_scan.h): the
  // one thing in the context an agent writes, and only that agent. Null:
  // nobody wants them (tests, benches).
  std::shared_ptr<SecretScan> secret_scan;
};

// What an agent returns: its findings and, for the history agent, the
// revert risk the policy's step 4b reads.
struct AgentOutput {
  std::vector<Finding> findings;
  std::optional<Risk> risk;
  // Non-empty: the agent judged part of the change only (allowed only when
  // ctx.above_partial_limit): what it left out, without text of the change.
  std::string partial;
};

// How the agent that knows the project's vocabulary (intent) reads a
// change, for the review's walkthrough (reviewer/pipeline/walkthrough.h
// renders it): an area and a class per file of the diff, in the diff's
// order, and the kind the PR declares.
struct ChangeOutline {
  struct File {
    std::string area;        // "src/billing", "(root)"
    std::string file_class;  // "source", "tests", "docs", ...; "generated/vendored" for excluded files
  };
  std::vector<File> files;    // one per diff.files entry
  std::string declared_kind;  // "" when the PR declares none
  std::string declared_from;  // where the kind was read ("title prefix 'fix:'"): attacker text
};

class Agent {
 public:
  virtual ~Agent() = default;
  Agent() = default;
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // "intent", "safety", "logic", "size" or "history": the name in reports and guidance.
  virtual std::string_view name() const = 0;

  // Judges the change. Findings may leave `id` empty: the runner fills in a
  // stable id from the rule, path and line content.
  virtual std::vector<Finding> review(const AgentContext& ctx) const = 0;

  // What the runner calls: the findings, plus structured output for agents
  // that have some (the history agent's risk). The same rules as review().
  virtual AgentOutput assess(const AgentContext& ctx) const { return {review(ctx), std::nullopt, {}}; }

  // The outline of the review's walkthrough, from the agent that reads the
  // project's vocabulary (intent): the same outline for the same input.
  // Called once the agents have judged, with the PR and diff already masked
  // by the redactor (an escape inside a secret could otherwise hide it from
  // the mask). nullopt: this agent gives none. Throws reviewer::Error when
  // the agent's guidance is invalid.
  virtual std::optional<ChangeOutline> outline(const PullRequest& pr, const Diff& diff,
                                               const Guidance& guidance) const {
    (void)pr, (void)diff, (void)guidance;
    return std::nullopt;
  }

  // Checks the agent's own guidance section (rules, vocabularies, patterns)
  // and throws reviewer::Error naming the bad rule or key. Called by
  // `reviewer guidance check`; review() must fail the same way on it.
  virtual void check_guidance(const Guidance& guidance) const { (void)guidance; }
};

// Every agent reviewer runs, in report order. The one place agents are
// registered (subagents/registry.cpp).
std::vector<std::unique_ptr<Agent>> make_agents();

}  // namespace reviewer
