#include "reviewer/pipeline/model_step.h"

#include <algorithm>
#include <chrono>

namespace reviewer {

namespace {

ModelSummary summarize_usage(const model::ModelUsage& usage, const Redactor& redactor) {
  ModelSummary m;
  m.used = usage.used();
  m.calls = usage.chat_calls();
  m.failures = usage.failures();
  m.tokens_in = usage.tokens_in();
  m.tokens_out = usage.tokens_out();
  m.cost_usd = usage.cost_usd();
  m.unavailable = usage.unavailable;
  for (const auto& c : usage.calls) {
    // Prompts were built from redacted input; the answer and tool
    // arguments are model text and go through the same mask.
    m.records.push_back({c.agent, c.kind, c.provider, c.model, c.template_version, c.prompt_hash, c.tokens_in,
                         c.tokens_out, c.latency_ms, c.cost_usd, c.outcome, redactor.model_text(c.detail),
                         redactor.model_text(c.prompt), redactor.model_text(c.answer)});
  }
  return m;
}

// Appends the model's findings to the report of the agent they belong to
// (a report is added for an agent the run does not have).
void add_findings(std::vector<AgentReport>& agents, std::map<std::string, std::vector<Finding>>& findings) {
  for (auto& [agent, list] : findings) {
    auto it = std::find_if(agents.begin(), agents.end(), [&](const AgentReport& a) { return a.name == agent; });
    if (it == agents.end()) {
      it = agents.insert(agents.end(), AgentReport{agent, AgentStatus::ok, 0, {}, "", std::nullopt});
    }
    for (auto& f : list) it->findings.push_back(std::move(f));
  }
}

}  // namespace

ModelStep::ModelStep(std::shared_ptr<const Agent> safety, std::shared_ptr<model::ProviderPool> pool)
    : safety_(std::move(safety)), pool_(std::move(pool)) {}

AgentOutput ModelStep::assess(const AgentContext& ctx) const {
  AgentOutput out = safety_->assess(ctx);
  // Late: the runner reports safety timed_out, and nothing may leave.
  if (ctx.started != std::chrono::steady_clock::time_point{} &&
      std::chrono::steady_clock::now() >= ctx.started + std::chrono::milliseconds(ctx.guidance.deadline_ms(name()))) {
    return out;
  }
  AgentReport judged{std::string(safety_->name()), AgentStatus::ok, 0, out.findings, "", std::nullopt};
  redactor_.emplace(ctx.guidance, ctx.pr, ctx.diff, std::vector<AgentReport>{std::move(judged)});
  run_ = std::async(std::launch::async, [this, pr = redactor_->model_pr(ctx.pr), diff = redactor_->model_diff(ctx.diff),
                                         repo = ctx.repo_path] {
    return model::run_model_agents(pool_, pr, diff, repo,
                                   [this](std::string_view text) { return redactor_->model_text(text); });
  });
  return out;
}

void ModelStep::finish(ReviewResult& r, bool safety_judged) {
  ModelSummary m;
  m.unavailable = true;
  if (run_.valid()) {
    model::ModelRun run = run_.get();
    if (safety_judged) {
      add_findings(r.agents, run.findings);
      m = summarize_usage(run.usage, *redactor_);
      r.model_walkthrough = std::move(run.walkthrough);
    }
  }
  r.model = std::move(m);
}

}  // namespace reviewer
