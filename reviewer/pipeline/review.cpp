#include "reviewer/pipeline/review.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/git/repository.h"
#include "reviewer/model/model_review.h"
#include "reviewer/pipeline/guidance_report.h"
#include "reviewer/pipeline/policy.h"
#include "reviewer/pipeline/redaction.h"
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
  ctx->started = t0;
  std::shared_ptr<const AgentContext> shared = ctx;

  // Built once the safety agent has judged (the model step) or at the end.
  std::optional<Redactor> redactor;
  if (!model_pool) {
    r.agents = run_agents(agents, shared);
  } else {
    // The model may only see the change once the safety agent has said
    // where the secrets are (they are masked, DESIGN.md), so safety runs
    // first; the model's calls then overlap the other rule agents, and a
    // review takes max(safety + model, slowest rule agent), not the sum.
    std::vector<std::shared_ptr<const Agent>> first, rest;
    for (auto& a : agents) (a->name() == "safety" ? first : rest).push_back(a);
    auto others = std::async(std::launch::async, [&rest, shared] { return run_agents(rest, shared); });
    std::vector<AgentReport> safety = run_agents(first, shared);
    std::optional<model::ModelRun> run;
    const bool safety_judged =
        !first.empty() && std::all_of(safety.begin(), safety.end(), [](const AgentReport& a) {
          return a.status == AgentStatus::ok;
        });
    if (safety_judged) {
      redactor.emplace(shared->guidance, shared->pr, shared->diff, safety);
      run = model::run_model_agents(model_pool, redactor->model_pr(shared->pr), redactor->model_diff(shared->diff),
                                    shared->repo_path,
                                    [&redactor](std::string_view text) { return redactor->model_text(text); });
    }
    std::vector<AgentReport> rest_reports = others.get();
    // Back into the agents' order.
    for (const auto& a : agents) {
      for (auto* group : {&safety, &rest_reports}) {
        auto it = std::find_if(group->begin(), group->end(), [&](const AgentReport& rep) { return rep.name == a->name(); });
        if (it != group->end()) r.agents.push_back(std::move(*it));
      }
    }
    ModelSummary m;
    if (!run) {
      // Without safety's verdict nothing may leave for a provider; the
      // failed or late safety agent already keeps the run from approving.
      m.unavailable = true;
    } else {
      for (auto& [agent, findings] : run->findings) {
        auto it =
            std::find_if(r.agents.begin(), r.agents.end(), [&](const AgentReport& a) { return a.name == agent; });
        if (it == r.agents.end()) {
          it = r.agents.insert(r.agents.end(), AgentReport{agent, AgentStatus::ok, 0, {}, "", std::nullopt});
        }
        for (auto& f : findings) it->findings.push_back(std::move(f));
      }
      m.used = run->usage.used();
      m.calls = run->usage.chat_calls();
      m.failures = run->usage.failures();
      m.tokens_in = run->usage.tokens_in();
      m.tokens_out = run->usage.tokens_out();
      m.cost_usd = run->usage.cost_usd();
      m.unavailable = run->usage.unavailable;
      for (const auto& c : run->usage.calls) {
        // Prompts were built from redacted input; the answer and tool
        // arguments are model text and go through the same mask.
        m.records.push_back({c.agent, c.kind, c.provider, c.model, c.template_version, c.prompt_hash, c.tokens_in,
                             c.tokens_out, c.latency_ms, c.cost_usd, c.outcome, redactor->model_text(c.detail),
                             redactor->model_text(c.prompt), redactor->model_text(c.answer)});
      }
      r.model_walkthrough = std::move(run->walkthrough);
    }
    assign_finding_ids(r.agents, shared->diff);
    r.model = std::move(m);
  }
  if (auto g = guidance_report(shared->guidance, guidance_problem)) r.agents.push_back(std::move(*g));
  for (const auto& a : r.agents) {
    if (a.risk) r.risk = a.risk;
  }
  r.size = measure_size(shared->diff, shared->guidance);
  r.decision = decide({shared->pr, shared->diff, r.size, r.agents, shared->guidance});
  std::vector<std::string> paths;
  for (const auto& f : shared->diff.files) {
    if (!f.old_path.empty()) paths.push_back(f.old_path);
    if (!f.new_path.empty() && f.new_path != f.old_path) paths.push_back(f.new_path);
  }
  const auto verdict = auto_approve_verdict(shared->guidance, shared->pr.repository, shared->pr.author, paths);
  r.auto_approve = {verdict.allowed, verdict.reason};

  // The edge: everything above judged the raw change; everything below and
  // every caller (renderers, publisher, audit log, log lines) gets masked
  // text. The result keeps its own copies: abandoned agents may still read ctx.
  if (!redactor) redactor.emplace(shared->guidance, shared->pr, shared->diff, r.agents);
  r.pr = shared->pr;
  r.diff = shared->diff;
  redactor->apply(r);
  try {
    // From the masked PR and paths: the walkthrough is escaped Markdown, and
    // an escape inside a secret would hide it from the mask.
    r.walkthrough = redactor->text(summarize_change(r.pr, r.diff, shared->guidance));
  } catch (const Error&) {
    // Invalid intent guidance: the intent agent reports it and fails the
    // run; the renderer falls back to a plain file list.
  }
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
                                   const GuidanceSnapshot& operator_layer, std::string* problem) {
  const Guidance& base = operator_layer.guidance;
  bool truncated = false;
  auto text = repo.read_file(base_tip, kRepoGuidancePath, kRepoGuidanceMaxBytes, &truncated);
  if (!text) return base;
  const std::string name = fmt::format("{}@{}", kRepoGuidancePath, base_tip.substr(0, 12));
  if (truncated) {
    *problem = fmt::format("{} is larger than {} bytes and was ignored", name, kRepoGuidanceMaxBytes);
    return base;
  }
  try {
    // The file can only tighten the operator's guidance: a loosening key is
    // left out and reported (Guidance::refused), the rest applies.
    return layer_repository(base, name, *text);
  } catch (const Error& e) {
    *problem = fmt::format("repository guidance is invalid, ignored: {}", e.what());
    return base;
  }
}

// What GitHub lists as a PR's commits (every parent, at most 250), each
// message capped: agents scan them like the title and body.
std::vector<std::string> commit_messages(const git::Repository& repo, const std::string& merge_base,
                                         const std::string& head) {
  constexpr std::size_t kMaxCommits = 250;
  constexpr std::size_t kMaxMessageBytes = 64 * 1024;
  std::vector<std::string> out;
  for (const auto& sha : repo.commits_in_range(merge_base + ".." + head, kMaxCommits, /*first_parent=*/false)) {
    std::string message = repo.commit(sha).message;
    if (message.size() > kMaxMessageBytes) message.resize(kMaxMessageBytes);
    out.push_back(std::move(message));
  }
  return out;
}

}  // namespace

ReviewResult review_repository(const ReviewRequest& req) {
  auto repo = git::Repository::open(req.repo);
  const std::string head = repo.resolve(req.head);
  const std::string base_rev = req.base.empty() ? repo.default_branch() : req.base;
  const std::string base_tip = repo.resolve(base_rev);
  const std::string merge_base = repo.merge_base(base_tip, head);
  std::string guidance_problem;
  std::shared_ptr<const GuidanceSnapshot> operator_layer = req.operator_guidance;
  if (!operator_layer) operator_layer = load_guidance_snapshot(req.guidance_dirs);
  Guidance guidance = layer_repository_guidance(repo, base_tip, *operator_layer, &guidance_problem);

  git::CommitInfo info = repo.commit(head);
  PullRequest pr;
  std::error_code ec;
  auto abs = std::filesystem::weakly_canonical(req.repo, ec);
  pr.repository = ec ? req.repo.string() : abs.string();
  pr.title = req.title.value_or(info.summary);
  pr.body = req.body.value_or(info.body);
  pr.author = info.author_name;
  if (!req.repository.empty()) pr.repository = req.repository;
  if (!req.author.empty()) pr.author = req.author;
  pr.labels = req.labels;
  pr.human_review_override = req.human_review_override;
  pr.draft = req.draft;
  pr.base_ref = req.base_ref.empty() ? base_rev : req.base_ref;
  pr.head_ref = req.head_ref.empty() ? req.head : req.head_ref;
  pr.base_sha = merge_base;
  pr.head_sha = head;
  pr.commit_messages = commit_messages(repo, merge_base, head);

  git::DiffOptions opts;
  opts.max_file_bytes = static_cast<std::size_t>(guidance.max_file_bytes);
  opts.excluded = [m = guidance.excluded_matcher](std::string_view p) { return m.matches(p); };
  // .gitattributes is read at the merge base: the PR cannot mark its own
  // files as generated to shrink its size.
  Diff diff = repo.diff(merge_base, head, merge_base, opts);
  return review_change(std::move(pr), std::move(diff), std::move(guidance), req.repo, req.trigger,
                       std::string(to_string(req.mode)), guidance_problem,
                       req.model_pool ? req.model_pool
                       : req.model    ? std::make_shared<model::ProviderPool>(*req.model)
                                      : nullptr);
}

}  // namespace reviewer
