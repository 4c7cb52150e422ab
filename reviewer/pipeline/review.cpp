#include "reviewer/pipeline/review.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/size_stats.h"
#include "reviewer/git/repository.h"
#include "reviewer/git/symlinks.h"
#include "reviewer/pipeline/guidance_report.h"
#include "reviewer/pipeline/model_step.h"
#include "reviewer/pipeline/policy.h"
#include "reviewer/pipeline/redaction.h"
#include "reviewer/pipeline/runner.h"
#include "reviewer/pipeline/walkthrough.h"
#include "subagents/safety/prefilter.h"
#include "subagents/safety/rules.h"

namespace reviewer {

namespace {

using Clock = std::chrono::steady_clock;

ReviewResult started_result(const ReviewInput& in) {
  ReviewResult r;
  r.run_id = new_run_id();
  r.started_at = utc_now_iso8601();
  r.trigger = in.trigger;
  r.mode = in.mode;
  r.reviewer_version = reviewer_version();
  r.guidance_version = in.guidance.version;
  return r;
}

// Every registered agent, safety behind the model step when there is a
// model; the latest of their deadlines goes into `ctx`.
std::vector<std::shared_ptr<const Agent>> agents_for(AgentContext& ctx, std::shared_ptr<ModelStep>& model_step,
                                                     std::shared_ptr<model::ProviderPool> model_pool) {
  std::vector<std::shared_ptr<const Agent>> agents;
  int latest_ms = ctx.guidance.default_deadline_ms;
  for (auto& a : make_agents()) {
    latest_ms = std::max(latest_ms, ctx.guidance.deadline_ms(a->name()));
    std::shared_ptr<const Agent> agent = std::move(a);
    if (model_pool && agent->name() == "safety") {
      model_step = std::make_shared<ModelStep>(std::move(agent), model_pool);
      agent = model_step;
    }
    agents.push_back(std::move(agent));
  }
  ctx.deadline.at = ctx.started + std::chrono::milliseconds(latest_ms);
  return agents;
}

// How much a change adds and changes, read once for the decisions below.
struct ChangeSize {
  long lines = 0;               // added and deleted
  std::size_t changed = 0;      // bytes of added and deleted lines, with their breaks
  std::size_t added = 0;        // bytes of added lines alone
};

ChangeSize change_size(const Diff& diff) {
  ChangeSize n;
  for (const auto& f : diff.files) {
    n.lines += f.additions + f.deletions;
    n.changed += static_cast<std::size_t>(changed_bytes(f));  // as the size limit counts them
    for (const auto& h : f.hunks) {
      for (const auto& l : h.lines) {
        if (l.origin == LineOrigin::added) n.added += l.content.size() + 1;
      }
    }
  }
  return n;
}

// Above guidance's partial-review limit? Every file counts, generated and
// vendored ones too: the limit is about the agents' work, not the size label.
bool above_partial_limit(const ChangeSize& size, const PartialReviewLimits& limits) {
  return size.lines > limits.max_lines || static_cast<long>(size.changed) > limits.max_bytes;
}

// A change whose added lines will take the safety scan past its prefilter's
// switch to the exact set (an import): that set compiles on another thread
// while the agents start, instead of on the safety agent's, mid-scan. The
// caller waits for the result before `ctx` goes.
std::future<void> prepare_exact_sieve(const ChangeSize& size, const AgentContext& ctx) {
  if (size.added <= safety::SieveChoice::kExactAfterBytes) return {};
  return std::async(std::launch::async, [&guidance = ctx.guidance] {
    try {
      const auto rules = safety::rules_for(guidance);
      if (rules->line_set) rules->line_set->prepare_exact();
    } catch (const std::exception&) {
      // Invalid rules: the safety agent reports them.
    }
  });
}

bool judged(const std::vector<AgentReport>& reports, std::string_view name) {
  return std::any_of(reports.begin(), reports.end(),
                     [&](const AgentReport& a) { return a.name == name && a.status == AgentStatus::ok; });
}

// Protected paths the change reaches through symlinks (a CODEOWNERS that
// links to the file edited, a workflows folder that links elsewhere), read
// from the trees. Unreadable trees count as protected: the run needs a person.
// `repo`: the repository open already, or null to open ctx.repo_path.
std::vector<std::string> linked_protected(const Diff& diff, const Guidance& guidance,
                                          const std::filesystem::path& repo_path, git_repository* repo = nullptr) {
  std::vector<std::string> out;
  if ((repo_path.empty() && !repo) || diff.head_sha.empty() || guidance.protected_matcher.empty()) return out;
  try {
    const PathMatcher& m = guidance.protected_matcher;
    auto wanted = [&m](std::string_view p) { return m.matches(p); };
    for (const auto& l : repo ? git::linked_paths(repo, diff, wanted) : git::linked_paths(repo_path, diff, wanted)) {
      out.push_back(l.link == l.changed ? fmt::format("{} (the link {} points there)", l.path, l.link)
                                        : fmt::format("{} (through the link {} to {})", l.path, l.link, l.changed));
    }
  } catch (const std::exception& e) {
    out.push_back(fmt::format("symlinks not resolved ({})", e.what()));
  }
  return out;
}

// The policy's inputs besides the agents: risk, size, decision and whether
// an approval may be posted.
void decide_on(ReviewResult& r, const AgentContext& ctx, const std::optional<std::vector<std::string>>& linked) {
  for (const auto& a : r.agents) {
    if (a.risk) r.risk = a.risk;
  }
  r.size = measure_size(ctx.diff, ctx.guidance);
  r.decision = decide({ctx.pr, ctx.diff, r.size, r.agents, ctx.guidance,
                       linked ? *linked : linked_protected(ctx.diff, ctx.guidance, ctx.repo_path)});
  std::vector<std::string> paths;
  for (const auto& f : ctx.diff.files) {
    if (!f.old_path.empty()) paths.push_back(f.old_path);
    if (!f.new_path.empty() && f.new_path != f.old_path) paths.push_back(f.new_path);
  }
  const auto verdict = auto_approve_verdict(ctx.guidance, ctx.pr.repository, ctx.pr.author, paths);
  r.auto_approve = {verdict.allowed, verdict.reason};
}

// The edge: everything before judged the raw change; everything after and
// every caller (renderers, publisher, audit log, log lines) gets masked text.
void redact_result(ReviewResult& r, AgentContext& ctx, const std::vector<std::shared_ptr<const Agent>>& agents) {
  // The safety agent's scan of the added lines, so they are not read again
  // (every agent's thread has been joined: the scan is complete or cut).
  Redactor redactor(ctx.guidance, ctx.pr, ctx.diff, r.agents, ctx.secret_scan.get());
  r.pr = std::move(ctx.pr);
  r.diff = std::move(ctx.diff);
  redactor.apply(r);
  for (const auto& agent : agents) {
    try {
      // From the masked PR and paths: the walkthrough is escaped Markdown,
      // and an escape inside a secret would hide it from the mask.
      if (auto outline = agent->outline(r.pr, r.diff, ctx.guidance)) {
        r.walkthrough = redactor.text(render_walkthrough(r.diff, *outline));
      }
    } catch (const std::exception&) {
      // Invalid guidance (the agent reports it and fails the run) or an
      // outline that does not match the diff: the renderer falls back to a
      // plain file list.
    }
  }
}

}  // namespace

ReviewResult review_change(ReviewInput in) {
  ReviewResult r = started_result(in);
  AgentContext ctx;
  ctx.pr = std::move(in.pr);
  ctx.diff = std::move(in.diff);
  ctx.guidance = std::move(in.guidance);
  ctx.repo_path = in.repo_path;
  ctx.started = Clock::now();
  ctx.deadline.stop = in.stop;  // run_agents forwards it to every agent
  const ChangeSize size = change_size(ctx.diff);
  ctx.above_partial_limit = above_partial_limit(size, ctx.guidance.partial_review);
  ctx.secret_scan = std::make_shared<SecretScan>();
  std::shared_ptr<ModelStep> model_step;
  const auto agents = agents_for(ctx, model_step, in.model_pool);

  auto sieve_ready = prepare_exact_sieve(size, ctx);
  r.agents = run_agents(agents, ctx);
  if (sieve_ready.valid()) sieve_ready.wait();
  if (model_step) {
    model_step->finish(r, judged(r.agents, model_step->name()));
    assign_finding_ids(r.agents, ctx.diff);
  }
  if (auto g = guidance_report(ctx.guidance, in.guidance_problem)) r.agents.push_back(std::move(*g));
  decide_on(r, ctx, in.linked_protected);
  redact_result(r, ctx, agents);
  r.duration_ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - ctx.started).count());
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
  // Closed once the diff is read (below): optional for that.
  std::optional<git::Repository> opened(git::Repository::open(req.repo));
  const git::Repository& repo = *opened;
  const std::string head = repo.resolve(req.head);
  const std::string base_rev = req.base.empty() ? repo.default_branch() : req.base;
  const std::string base_tip = repo.resolve(base_rev);
  std::string guidance_problem;
  std::shared_ptr<const GuidanceSnapshot> operator_layer = req.operator_guidance;
  if (!operator_layer) operator_layer = load_guidance_snapshot(req.guidance_dirs);
  Guidance guidance = layer_repository_guidance(repo, base_tip, *operator_layer, &guidance_problem);
  // The safety rules (and the shipped ones the redactor masks with) compile
  // (most of a small review's CPU) on another thread while the diff is
  // read; the safety agent and the redactor then find them in rules_for's
  // cache. A compile error is the agent's to report.
  auto rules_compiled = std::async(std::launch::async, [&guidance] {
    try {
      (void)safety::rules_for(guidance);
    } catch (const std::exception&) {
    }
    try {
      prepare_redactor_rules();  // the same set, unless the guidance is a team's own
    } catch (const std::exception&) {
      // The redactor meets the same error and the run fails.
    }
  });
  // The merge base (a walk of the history: tens of milliseconds on a large
  // repository) is found while the rules compile: the guidance is read at
  // the base branch's tip, not at the merge base.
  const std::string merge_base = repo.merge_base(base_tip, head);

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
  // While the diff's repository is open: a second one maps its packs again
  // (7 MB more at the peak on git.git's last 57 commits).
  auto linked = linked_protected(diff, guidance, req.repo, repo.get());
  // libgit2 keeps a pack's delta-base cache (up to 16 MB: 11 MB after the
  // diff of git.git's last 57 commits), its index and its mapped windows
  // until the last handle on the pack closes; this is the last one. Closed
  // before the history index is read and the agents run, that heap is
  // reused instead of added to (bench/README.md, `## review speed`, round 12).
  opened.reset();
  // The history index is refreshed (read from its file, at least) now, not
  // beside the diff, for the same reason: its 12 MB would be added to the
  // diff's. The history agent then finds it in memory.
  if (req.refresh_history) {
    std::optional<HistoryRefresh> refreshed;
    try {
      refreshed = refresh_history(req.repo, merge_base, guidance);
    } catch (const Error&) {
      // An unreadable history or invalid history guidance: the history
      // agent meets the same trouble and fails closed on its own.
    }
    if (refreshed && req.on_history_refresh) req.on_history_refresh(*refreshed);
  }
  rules_compiled.wait();  // before `guidance` moves
  return review_change({std::move(pr), std::move(diff), std::move(guidance), req.repo, req.trigger,
                        req.mode, guidance_problem,
                        req.model_pool ? req.model_pool
                        : req.model    ? std::make_shared<model::ProviderPool>(*req.model)
                                       : nullptr,
                        req.stop, std::move(linked)});
}

}  // namespace reviewer
