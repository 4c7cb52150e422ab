#include "reviewer/pipeline/review.h"

#include <algorithm>
#include <chrono>
#include <future>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/git/repository.h"
#include "reviewer/model/model_review.h"
#include "reviewer/pipeline/policy.h"
#include "reviewer/pipeline/runner.h"
#include "subagents/intent/summary.h"
#include "subagents/size/size_agent.h"

namespace reviewer {

ReviewResult review_change(PullRequest pr, Diff diff, Guidance guidance,
                           const std::filesystem::path& repo_path, const std::string& trigger,
                           const std::string& mode, const std::string& guidance_problem,
                           std::shared_ptr<model::ProviderPool> model_pool) {
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

  // The model agents run concurrently with the rule agents: the review's
  // wall time is the slower of the two, not the sum.
  std::future<model::ModelRun> model_run;
  if (model_pool) {
    model_run = std::async(std::launch::async, [model_pool, shared] {
      return model::run_model_agents(model_pool, shared->pr, shared->diff, shared->repo_path);
    });
  }
  r.agents = run_agents(agents, shared);
  if (model_run.valid()) {
    model::ModelRun run = model_run.get();
    for (auto& [agent, findings] : run.findings) {
      auto it = std::find_if(r.agents.begin(), r.agents.end(), [&](const AgentReport& a) { return a.name == agent; });
      if (it == r.agents.end()) it = r.agents.insert(r.agents.end(), AgentReport{agent, AgentStatus::ok, 0, {}, ""});
      for (auto& f : findings) it->findings.push_back(std::move(f));
    }
    assign_finding_ids(r.agents, shared->diff);
    r.model = ModelSummary{run.usage.used(),       run.usage.chat_calls(), run.usage.failures(),
                           run.usage.tokens_in(),  run.usage.tokens_out(), run.usage.cost_usd(),
                           run.usage.unavailable};
  }
  if (!guidance_problem.empty()) {
    // Reported like an agent that could not judge, so the policy fails closed.
    AgentReport g;
    g.name = "guidance";
    g.status = AgentStatus::failed;
    g.error = guidance_problem;
    r.agents.push_back(std::move(g));
  }
  r.size = measure_size(shared->diff, shared->guidance);
  try {
    r.walkthrough = summarize_change(shared->pr, shared->diff, shared->guidance);
  } catch (const Error&) {
    // Invalid intent guidance: the intent agent reports it and fails the
    // run; the renderer falls back to a plain file list.
  }
  r.decision = decide({shared->pr, shared->diff, r.size, r.agents, shared->guidance});
  // The result keeps its own copies: abandoned agents may still read ctx.
  r.pr = shared->pr;
  r.diff = shared->diff;
  r.duration_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - t0)
                                        .count());
  return r;
}

namespace {

constexpr const char* kRepoGuidancePath = ".github/reviewer.yml";
constexpr std::size_t kRepoGuidanceMaxBytes = 256 * 1024;

// Layers the repository's own guidance file, read at the base branch's tip
// (never the PR's head: a PR cannot relax its own review), over the
// operator's guidance. A broken file is not fatal: the run continues on the
// layers below it and `*problem` says why, so the run never approves.
Guidance layer_repository_guidance(const git::Repository& repo, const std::string& base_tip,
                                   const std::vector<std::filesystem::path>& dirs,
                                   std::string* problem) {
  Guidance base = load_guidance(dirs);
  bool truncated = false;
  auto text = repo.read_file(base_tip, kRepoGuidancePath, kRepoGuidanceMaxBytes, &truncated);
  if (!text) return base;
  const std::string name = fmt::format("{}@{}", kRepoGuidancePath, base_tip.substr(0, 12));
  if (truncated) {
    *problem = fmt::format("{} is larger than {} bytes and was ignored", name, kRepoGuidanceMaxBytes);
    return base;
  }
  try {
    return load_guidance(dirs, {{name, *text}});
  } catch (const Error& e) {
    *problem = fmt::format("repository guidance is invalid, ignored: {}", e.what());
    return base;
  }
}

}  // namespace

ReviewResult review_repository(const ReviewRequest& req) {
  auto repo = git::Repository::open(req.repo);
  const std::string head = repo.resolve(req.head);
  const std::string base_rev = req.base.empty() ? repo.default_branch() : req.base;
  const std::string base_tip = repo.resolve(base_rev);
  const std::string merge_base = repo.merge_base(base_tip, head);
  std::string guidance_problem;
  Guidance guidance = layer_repository_guidance(repo, base_tip, req.guidance_dirs, &guidance_problem);

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
                       req.mode, guidance_problem,
                       req.model ? std::make_shared<model::ProviderPool>(*req.model) : nullptr);
}

}  // namespace reviewer
