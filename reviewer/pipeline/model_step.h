// The optional model step, as a decorator of the safety agent. The model
// may only see the change once the safety agent has said where the secrets
// are (DESIGN.md: they are masked), so the step starts when safety has
// judged, on the redacted change, on a thread it owns; safety's own output
// comes back at once, so the model's calls overlap the other rule agents
// and a review takes max(safety + model, slowest rule agent), not the sum.
// Model output can only add findings (model/<agent>/<kind>).
#pragma once

#include <future>
#include <memory>
#include <optional>

#include "reviewer/core/review_result.h"
#include "reviewer/model/model_review.h"
#include "reviewer/pipeline/redaction.h"
#include "subagents/agent.h"

namespace reviewer {

class ModelStep : public Agent {
 public:
  ModelStep(std::shared_ptr<const Agent> safety, std::shared_ptr<model::ProviderPool> pool);

  std::string_view name() const override { return safety_->name(); }
  std::vector<Finding> review(const AgentContext& ctx) const override { return assess(ctx).findings; }
  // Safety's assess(); when it returns, the model calls start on the
  // change masked with what it found. Called once per ModelStep.
  AgentOutput assess(const AgentContext& ctx) const override;
  void check_guidance(const Guidance& guidance) const override { safety_->check_guidance(guidance); }
  std::optional<ChangeOutline> outline(const PullRequest& pr, const Diff& diff,
                                       const Guidance& guidance) const override {
    return safety_->outline(pr, diff, guidance);
  }

  // Waits for the model's calls and adds what they found to `r`: findings to
  // the intent and logic reports (after r.agents holds the rule agents'
  // reports), r.model, r.model_walkthrough. `safety_judged`: the runner
  // reported safety ok; otherwise nothing the model said is used and
  // r.model says unavailable (nothing left for a provider when safety failed,
  // and a failed or late safety agent already keeps the run from approving).
  void finish(ReviewResult& r, bool safety_judged);

 private:
  std::shared_ptr<const Agent> safety_;
  std::shared_ptr<model::ProviderPool> pool_;
  // Set by assess(), read by finish() after the runner has joined.
  mutable std::optional<Redactor> redactor_;
  mutable std::future<model::ModelRun> run_;
};

}  // namespace reviewer
