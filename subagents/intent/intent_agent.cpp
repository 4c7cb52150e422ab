#include "subagents/intent/intent_agent.h"

#include <mutex>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "subagents/intent/checks.h"
#include "subagents/intent/commit_diff.h"
#include "subagents/intent/declared_kind.h"
#include "subagents/intent/intent_config.h"
#include "subagents/intent/rules.h"

namespace reviewer {

namespace {

using namespace intent;

class IntentAgent final : public Agent {
 public:
  explicit IntentAgent(CommitDiffLookup lookup) : lookup_(std::move(lookup)) {}

  std::string_view name() const override { return "intent"; }

  void check_guidance(const Guidance& guidance) const override { (void)config_for(guidance); }

  std::vector<Finding> review(const AgentContext& ctx) const override {
    const auto config_ptr = config_for(ctx.guidance);
    const IntentConfig& config = *config_ptr;
    const DeclaredIntent declared = detect_intent(ctx.pr, config);
    std::vector<Finding> out;
    check_description(ctx.pr, declared, config, out);
    stop_if_expired(ctx);
    check_kind(ctx.diff, declared, config, out);
    stop_if_expired(ctx);
    if (declared.kind == "revert") check_revert_pr(ctx, declared, config, out);
    stop_if_expired(ctx);
    check_scope(ctx.pr, ctx.diff, config, out);
    return out;
  }

 private:
  // Compiling the guidance's patterns costs more than judging a large PR, so
  // the compiled config is kept per guidance version (a hash of the merged
  // document: the same version always compiles to the same config). The
  // memo is the agent's only mutable state; the mutex makes concurrent
  // reviews safe.
  std::shared_ptr<const IntentConfig> config_for(const Guidance& guidance) const {
    if (guidance.version.empty()) return std::make_shared<const IntentConfig>(load_intent_config(guidance));
    {
      std::lock_guard lock(mu_);
      for (const auto& [version, config] : cache_) {
        if (version == guidance.version) return config;
      }
    }
    auto config = std::make_shared<const IntentConfig>(load_intent_config(guidance));  // may throw: not cached
    std::lock_guard lock(mu_);
    if (cache_.size() == kCacheSize) cache_.erase(cache_.begin());
    cache_.emplace_back(guidance.version, config);
    return config;
  }

  static void stop_if_expired(const AgentContext& ctx) {
    if (ctx.deadline.expired()) throw Error(Error::Code::timeout, "intent agent: deadline passed");
  }

  void check_revert_pr(const AgentContext& ctx, const DeclaredIntent& declared, const IntentConfig& config,
                       std::vector<Finding>& out) const {
    std::string why;
    if (declared.reverted_sha.empty()) {
      why = "the description does not name the reverted commit ('This reverts commit <sha>.')";
    } else if (!lookup_ || ctx.repo_path.empty()) {
      why = "no repository is available to read the reverted commit";
    } else {
      std::optional<Diff> reverted = lookup_(ctx.repo_path, declared.reverted_sha);
      if (reverted) {
        check_revert(ctx.diff, *reverted, declared.reverted_sha, config, out);
        return;
      }
      why = fmt::format("commit {} is not in the repository", declared.reverted_sha);
    }
    out.push_back(make(config, rule::revert_unverified, "", 0,
                       fmt::format("This revert could not be checked against the reverted commit: {}.", why),
                       fmt::format("title: {}", ctx.pr.title),
                       "Name the reverted commit in the description ('This reverts commit <sha>.') and make "
                       "sure it is in the base branch's history."));
  }

  static constexpr size_t kCacheSize = 8;
  CommitDiffLookup lookup_;
  mutable std::mutex mu_;
  mutable std::vector<std::pair<std::string, std::shared_ptr<const IntentConfig>>> cache_;
};

}  // namespace

std::unique_ptr<Agent> make_intent_agent() { return std::make_unique<IntentAgent>(&read_commit_diff); }

std::unique_ptr<Agent> make_intent_agent(CommitDiffLookup lookup) {
  return std::make_unique<IntentAgent>(std::move(lookup));
}

void validate_intent_guidance(const Guidance& guidance) { (void)load_intent_config(guidance); }

}  // namespace reviewer
