#include "subagents/history/history_agent.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reviewer/core/error.h"
#include "reviewer/git/file_patch.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/history/change_author.h"
#include "reviewer/git/history/change_features.h"
#include "reviewer/git/history/history_index.h"
#include "subagents/history/explain.h"
#include "subagents/history/history_config.h"
#include "subagents/history/repository_model.h"

namespace reviewer {

namespace {

using namespace history;

Finding info(std::string rule, std::string message) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = Severity::info;
  f.message = std::move(message);
  return f;
}

// Lines of a blob (git::blob_line_count), or nothing when it cannot be read.
std::optional<std::uint32_t> blob_lines(git_repository* repo, const std::string& id) {
  git_oid oid;
  if (id.empty() || git_oid_fromstr(&oid, id.c_str()) < 0) return std::nullopt;
  // The size first: a blob too large to count is not read at all (a file
  // the diff did not read may be hundreds of megabytes).
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo) < 0) return std::nullopt;
  std::size_t size = 0;
  git_object_t type{};
  const int rc = git_odb_read_header(&size, &type, odb, &oid);
  git_odb_free(odb);
  if (rc < 0 || type != GIT_OBJECT_BLOB || size > git::kLineCountMaxBytes) return std::nullopt;
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, &oid) < 0) return std::nullopt;
  git::BlobPtr blob(raw);
  return git::blob_line_count(blob.get());
}

// The change as the history sees it: files with their lines at the base,
// the pull request's author (change_author.h) and the head commit's time, and whether the title or description
// says fix.
ChangeShape shape_of(const AgentContext& ctx, const IndexView& index, std::size_t as_of, git_repository* repo,
                     const HistoryConfig& cfg) {
  ChangeShape s;
  const std::int64_t base_time = as_of > 0 ? index.commit(as_of - 1).time : 0;
  s.time = std::max<std::int64_t>(base_time, static_cast<std::int64_t>(std::time(nullptr)));
  git_oid oid;
  git_commit* raw = nullptr;
  if (git_oid_fromstr(&oid, ctx.pr.head_sha.c_str()) == 0 && git_commit_lookup(&raw, repo, &oid) == 0) {
    git::CommitPtr head(raw);
    // The pull request's author as the index counts merged branches' authors
    // (change_author.h): not a bot's autofix commit on top, through .mailmap.
    // The branch's own commits end at the base, or wherever it meets the
    // indexed line (a base that is the base branch's tip, not the merge base).
    git_oid base{};
    const bool has_base = git_oid_fromstr(&base, ctx.pr.base_sha.c_str()) == 0;
    // The mailmap is the base's: the pull request's own .mailmap (or a work
    // tree's) could map its author onto a maintainer.
    const Identity who = AuthorFinder(repo, ctx.pr.base_sha).change_author(head.get(), [&](const git_oid& id) {
      char hex[GIT_OID_HEXSZ + 1];
      git_oid_tostr(hex, sizeof hex, &id);
      return (has_base && git_oid_equal(&id, &base)) || index.commit_id(hex).has_value() || index.merged(hex);
    });
    const auto id = index.author_id(author_key(who.name, who.email));
    if (id && count_before(index.author_commits(*id), as_of) > 0) s.author = *id;
    // A change judged against an older base happened when it was
    // committed, not now (re-reviews, `reviewer simulate`).
    if (as_of < index.commit_count()) s.time = std::max(base_time, static_cast<std::int64_t>(git_commit_time(head.get())));
  }
  s.fix = MessageClassifier(cfg.classifier).classify(ctx.pr.title + "\n\n" + ctx.pr.body).fix;
  for (const auto& f : ctx.diff.files) {
    // An added file has no lines before: left out of LT, as when indexing.
    // The diff counted the lines of the old blobs it read.
    s.files.push_back({f.old_path, f.new_path, f.additions, f.deletions,
                       f.old_path.empty()   ? std::nullopt
                       : f.old_lines_read ? f.old_lines
                                          : blob_lines(repo, f.old_id)});
  }
  return s;
}

// The author's first change in the repository, or in a subsystem the change
// touches, as of the base: such changes were reverted 1.6-2.1 times as often
// as others on 22 public repositories (bench/README.md, `## what gets
// reverted`). A warning: a person who knows the area should look.
std::optional<Finding> first_change(const IndexView& index, const ChangeShape& change, std::size_t as_of) {
  Finding f;
  f.rule = "history/first-change";
  f.severity = Severity::warning;
  f.suggestion = "Ask someone who has worked on these files to review it.";
  if (!change.author) {
    f.message = fmt::format("This is the author's first change in this repository ({} earlier changes indexed); "
                            "first changes are reverted more often than others.", as_of);
    f.evidence = "no earlier change by the pull request's author on the default branch";
    return f;
  }
  std::set<std::string> touched;
  for (const auto& file : change.files) touched.insert(subsystem_of(file.path()));
  std::vector<std::string> fresh;
  for (const auto& s : touched) {
    if (count_before(index.author_subsystem_commits(*change.author, s), as_of) == 0) fresh.push_back(s);
  }
  if (fresh.empty()) return std::nullopt;
  const std::size_t earlier = count_before(index.author_commits(*change.author), as_of);
  // An import touching thousands of folders names the first few.
  constexpr std::size_t kNamed = 5;
  const std::string named =
      fmt::format("{}{}", fmt::join(fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(std::min(fresh.size(), kNamed)), ", "),
                  fresh.size() > kNamed ? fmt::format(" and {} more", fresh.size() - kNamed) : "");
  f.message = fmt::format("This is the author's first change in {} ({} earlier changes elsewhere in the "
                          "repository); first changes in an area are reverted more often than others.",
                          named, earlier);
  f.evidence = fmt::format("no earlier change by the pull request's author in: {}", named);
  return f;
}

// When indexing must stop: at 80% of the agent's own deadline, leaving the
// rest for saving and scoring (the runner stops waiting at 100%), or when
// the runner asks it to stop.
std::function<bool()> indexing_deadline(const AgentContext& ctx) {
  Deadline d = ctx.deadline;
  if (ctx.started != std::chrono::steady_clock::time_point{}) {
    const auto own = std::chrono::milliseconds(ctx.guidance.deadline_ms("history") * 8 / 10);
    d.at = std::min(d.at, ctx.started + own);
  }
  return [d] { return d.expired(); };
}

class HistoryAgent final : public Agent {
 public:
  std::string_view name() const override { return "history"; }

  void check_guidance(const Guidance& guidance) const override { (void)load_history_config(guidance); }

  std::vector<Finding> review(const AgentContext& ctx) const override { return assess(ctx).findings; }

  AgentOutput assess(const AgentContext& ctx) const override {
    const HistoryConfig cfg = load_history_config(ctx.guidance);
    AgentOutput out;
    if (ctx.repo_path.empty() || ctx.pr.base_sha.empty()) {
      out.findings.push_back(info("history/not-judged", "No repository to read history from: revert risk not estimated."));
      return out;
    }
    git_repository* raw = nullptr;
    git::check(git_repository_open_ext(&raw, ctx.repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
               fmt::format("open repository '{}'", ctx.repo_path.string()));
    git::RepositoryPtr repo(raw);

    BuildOptions opts;
    opts.classifier = cfg.classifier;
    opts.expired = indexing_deadline(ctx);
    BuildStats stats;
    // Kept in memory by the history layer between reviews (serve): a base
    // the index already has reads nothing from disk.
    const auto indexed = open_index(repo.get(), ctx.pr.base_sha, opts, &stats);
    const IndexView& index = *indexed;
    if (!stats.complete) {
      // What was indexed is saved: the next review (or `reviewer risk
      // train`) goes on from there.
      throw Error(Error::Code::timeout,
                  fmt::format("history index incomplete: {} of {} commits indexed before the deadline",
                              index.commit_count(), index.commit_count() + stats.remaining));
    }
    // A base older than the index's tip sees only the history before it (a
    // base on a side line: the history before it leaves the indexed line).
    const auto base_at = index.commit_id(stats.as_of);
    const std::size_t as_of = base_at ? *base_at + 1 : 0;
    // A change that already landed (a re-review of history, an evaluation)
    // is judged by a model of what was known before it; a new one by the
    // repository's current model.
    const bool landed = index.commit_id(ctx.pr.head_sha) || index.merged(ctx.pr.head_sha);
    const auto dir = default_dir(repo.get());
    const ModelChoice choice = current_model(index, cfg, dir, /*retrain=*/false, landed ? as_of : index.commit_count());
    const RiskModel& model = choice.model;

    const ChangeShape change = shape_of(ctx, index, as_of, repo.get(), cfg);
    const FeatureVector x = change_features(index, change, as_of);
    const auto contrib = model.contributions(x);

    Risk r;
    r.probability = model.probability(x);
    if (cfg.threshold) {
      r.threshold = *cfg.threshold;
      r.threshold_source = fmt::format("absolute {:.2f}", *cfg.threshold);
    } else {
      r.threshold = model.threshold_for_share(cfg.approve_share);
      r.threshold_source = fmt::format("approve_share {:.2f} of {} recent past changes", cfg.approve_share,
                                       model.train_scores.size());
    }
    // A probability that is not a number cannot clear the threshold.
    r.above_threshold = !(r.probability <= r.threshold);
    r.model = model.kind;
    r.model_version = fmt::format("{}:{}", kModelVersion, model.trained_at.empty() ? "shipped" : model.trained_at);
    r.explanation = explain_risk(index, change, as_of, x, contrib);
    std::vector<int> order(kFeatureCount);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return contrib[static_cast<std::size_t>(a)] > contrib[static_cast<std::size_t>(b)]; });
    for (int f : order) {
      r.features.push_back({std::string(feature_name(f)), x[static_cast<std::size_t>(f)], contrib[static_cast<std::size_t>(f)]});
    }
    r.indexed_commit = as_of > 0 ? index.commit_sha(as_of - 1) : "";
    r.indexed_commits = static_cast<long>(as_of);
    r.labelled_positives = model.train_positives;
    r.note = choice.note;

    if (!choice.note.empty()) out.findings.push_back(info("history/insufficient-history", choice.note));
    // With little or cut history everyone is new: not judged.
    if (cfg.first_change && !index.shallow() && as_of >= static_cast<std::size_t>(cfg.min_commits)) {
      if (auto f = first_change(index, change, as_of)) out.findings.push_back(std::move(*f));
    }
    if (r.above_threshold) {
      Finding f;
      f.rule = "history/high-risk";
      f.severity = Severity::warning;
      f.message = fmt::format("Revert risk {:.0f}% is above this repository's threshold of {:.0f}%: {}.",
                              100 * r.probability, 100 * r.threshold, r.explanation);
      f.evidence = fmt::format("p={:.3f} > {:.3f} ({}, {} model)", r.probability, r.threshold, r.threshold_source, r.model);
      f.suggestion = "Ask someone who knows these files to review it, or split out the riskiest part.";
      out.findings.push_back(std::move(f));
    }
    out.risk = std::move(r);
    return out;
  }

};

}  // namespace

std::unique_ptr<Agent> make_history_agent() { return std::make_unique<HistoryAgent>(); }

}  // namespace reviewer
