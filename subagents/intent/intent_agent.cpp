#include "subagents/intent/intent_agent.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "subagents/intent/checks.h"
#include "subagents/intent/commit_diff.h"
#include "subagents/intent/declared_kind.h"
#include "subagents/intent/intent_config.h"
#include "subagents/intent/rules.h"
#include "subagents/intent/outline.h"

namespace reviewer {

namespace {

using namespace intent;

class IntentAgent final : public Agent {
 public:
  explicit IntentAgent(CommitDiffLookup lookup) : lookup_(std::move(lookup)) {}

  std::string_view name() const override { return "intent"; }

  void check_guidance(const Guidance& guidance) const override { (void)intent_config_for(guidance); }

  std::optional<ChangeOutline> outline(const PullRequest& pr, const Diff& diff,
                                       const Guidance& guidance) const override {
    return outline_change(pr, diff, *intent_config_for(guidance));
  }

  std::vector<Finding> review(const AgentContext& ctx) const override {
    const auto config_ptr = intent_config_for(ctx.guidance);
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
    std::erase_if(out, [&](const Finding& f) { return config.off.count(f.rule) > 0; });
    return out;
  }

 private:
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

  CommitDiffLookup lookup_;
};

}  // namespace

std::unique_ptr<Agent> make_intent_agent() { return std::make_unique<IntentAgent>(&read_commit_diff); }

std::unique_ptr<Agent> make_intent_agent(CommitDiffLookup lookup) {
  return std::make_unique<IntentAgent>(std::move(lookup));
}

void validate_intent_guidance(const Guidance& guidance) { (void)load_intent_config(guidance); }

}  // namespace reviewer
