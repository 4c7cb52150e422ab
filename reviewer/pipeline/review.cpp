#include "reviewer/pipeline/review.h"

#include <chrono>

#include "reviewer/core/error.h"
#include "reviewer/git/repository.h"
#include "reviewer/pipeline/policy.h"
#include "reviewer/pipeline/runner.h"
#include "subagents/size/size_agent.h"

namespace reviewer {

ReviewResult review_change(PullRequest pr, Diff diff, Guidance guidance,
                           const std::filesystem::path& repo_path, const std::string& trigger,
                           const std::string& mode) {
  const auto t0 = std::chrono::steady_clock::now();
  ReviewResult r;
  r.run_id = new_run_id();
  r.started_at = utc_now_iso8601();
  r.trigger = trigger;
  r.mode = mode;
  r.reviewer_version = reviewer_version();
  r.guidance_version = guidance.version;

  std::vector<std::shared_ptr<const Agent>> agents;
  int latest_ms = guidance.default_deadline_ms;
  for (auto& a : make_agents()) {
    latest_ms = std::max(latest_ms, guidance.deadline_ms(a->name()));
    agents.push_back(std::move(a));
  }
  auto ctx = std::make_shared<AgentContext>();
  ctx->pr = std::move(pr);
  ctx->diff = std::move(diff);
  ctx->guidance = std::move(guidance);
  ctx->repo_path = repo_path;
  ctx->deadline.at = t0 + std::chrono::milliseconds(latest_ms);
  std::shared_ptr<const AgentContext> shared = ctx;

  r.agents = run_agents(agents, shared);
  r.size = measure_size(shared->diff, shared->guidance);
  r.decision = decide({shared->pr, shared->diff, r.size, r.agents, shared->guidance});
  // The result keeps its own copies: abandoned agents may still read ctx.
  r.pr = shared->pr;
  r.diff = shared->diff;
  r.duration_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - t0)
                                        .count());
  return r;
}

ReviewResult review_repository(const ReviewRequest& req) {
  Guidance guidance = load_guidance(req.guidance_dirs);
  auto repo = git::Repository::open(req.repo);
  const std::string head = repo.resolve(req.head);
  const std::string base_rev = req.base.empty() ? repo.default_branch() : req.base;
  const std::string base_tip = repo.resolve(base_rev);
  const std::string merge_base = repo.merge_base(base_tip, head);

  git::CommitInfo info = repo.commit(head);
  PullRequest pr;
  std::error_code ec;
  auto abs = std::filesystem::weakly_canonical(req.repo, ec);
  pr.repository = ec ? req.repo.string() : abs.string();
  pr.title = req.title.value_or(info.summary);
  pr.body = req.body.value_or(info.body);
  pr.author = info.author_name;
  pr.draft = req.draft;
  pr.base_ref = base_rev;
  pr.base_sha = merge_base;
  pr.head_sha = head;

  git::DiffOptions opts;
  opts.max_file_bytes = static_cast<std::size_t>(guidance.max_file_bytes);
  opts.excluded = [m = guidance.excluded_matcher](std::string_view p) { return m.matches(p); };
  // .gitattributes is read at the merge base: the PR cannot mark its own
  // files as generated to shrink its size.
  Diff diff = repo.diff(merge_base, head, merge_base, opts);
  return review_change(std::move(pr), std::move(diff), std::move(guidance), req.repo, req.trigger,
                       req.mode);
}

}  // namespace reviewer
