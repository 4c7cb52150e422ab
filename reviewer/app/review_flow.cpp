#include "reviewer/app/review_flow.h"

#include <system_error>

#include <fmt/format.h>

#include "audit/posted.h"
#include "audit/store.h"
#include "reviewer/app/access.h"
#include "reviewer/app/audit_ledger.h"
#include "reviewer/core/error.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/app/log.h"
#include "reviewer/core/metrics.h"
#include "subagents/history/history_agent.h"

namespace reviewer::app {
namespace {


bool superseded(const Job& job) { return job.superseded && job.superseded(); }

nlohmann::json call_list(const github::PublishReport& rep) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : rep.calls) out.push_back(c.method + " " + c.path);
  return out;
}

std::size_t finding_count(const ReviewResult& r) {
  std::size_t n = 0;
  for (const auto& a : r.agents) n += a.findings.size();
  return n;
}

// One review of one pull request, as a list of named steps (run()). Without
// credentials (no client) it reviews the local mirror as the payload
// describes the PR and publishes in dry-run only: the same steps, nothing
// fetched or sent.
class ReviewFlow {
 public:
  ReviewFlow(ReviewTarget& t, JobContext& ctx, const FlowDeps& d)
      : t_(t), ctx_(ctx), d_(d), opt_(d.options),
        client_(opt_.access ? &opt_.access->client(t.installation_id) : nullptr),
        full_(t.full_name()), mode_(to_string(ctx.mode)) {}

  JobResult run() {
    if (auto done = resolve_pull()) return *done;
    if (auto done = sync_mirror()) return *done;
    run_id_ = new_run_id();
    refresh_history_index();
    std::unique_ptr<AuditLedger> ledger;
    if (d_.audit) ledger = std::make_unique<AuditLedger>(d_.audit, opt_.audit_db, run_id_);
    github::Publisher publisher(client_, publisher_options(ledger.get()));
    github::PublishTarget target = publish_target();
    // 3. The gate goes in progress for the head about to be reviewed.
    github::PublishReport started = publisher.start(target, head(), run_id_, ctx_.mode);
    // A permanent failure from here on completes the gate as failure (a
    // transient one is retried, and the retry starts a new gate).
    try {
      ReviewResult r = review();
      if (ctx_.stop.stop_requested()) {
        // Serve is shutting down and released the job: the agents were cut
        // short, so this result is not the review; the job runs again.
        throw Error(Error::Code::timeout, "serve is shutting down: the review was stopped and its job released");
      }
      record_review(r, started);
      if (superseded(ctx_.job)) {
        d_.log.info("review_superseded", {{"delivery_id", ctx_.job.delivery_id}, {"run_id", run_id_},
                                          {"repository", full_}, {"pr", t_.number}, {"head_sha", head()}});
        return {JobResult::Status::superseded, "a newer head was queued: nothing published", run_id_};
      }
      // 6. APPROVE needs guidance `auto_approve` to allow it for this
      // repository, author and paths (the pipeline judged it: the operator's
      // guidance, narrowed by the repository's file at the base).
      target.auto_approve = r.auto_approve.allowed;
      // 7. Publish (dry-run: compute the calls only) and record what was done.
      github::PublishReport rep = publisher.publish(r, target, ctx_.mode);
      record_published(rep);
      return outcome(r, started, rep);
    } catch (const Error& e) {
      close_gate(publisher, target, started, e);
      throw;
    }
  }

 private:
  const std::string& head() const { return info_.pr.head_sha; }

  JobResult closed() const {
    return {JobResult::Status::done, fmt::format("{}#{} is {}: not reviewed", full_, t_.number, info_.state), {}};
  }

  void fetch_pull_info() {
    if (!client_) {
      throw Error(Error::Code::invalid_input,
                  fmt::format("{}#{}: the pull request's metadata needs GitHub credentials", full_, t_.number));
    }
    info_ = github::fetch_pull(*client_, t_.owner, t_.repo, t_.number);
    from_api_ = true;
  }

  // 1. What to review: the payload's view, or GitHub's when the payload is
  // missing (re-runs) or old (a retried job, when GitHub can be asked).
  std::optional<JobResult> resolve_pull() {
    if (t_.pull && (ctx_.job.attempts <= 1 || !client_)) {
      info_ = *t_.pull;
    } else {
      fetch_pull_info();
    }
    if (info_.state == "closed") return closed();
    // A second delivery of the same push (a new delivery id for the same
    // head) finds the head published already: nothing is posted twice. Edits,
    // ready_for_review and re-runs still review again (the decision may change).
    if (ctx_.mode != Mode::dry_run && d_.audit && (t_.action == "opened" || t_.action == "synchronize") &&
        audit::publish_completed(opt_.audit_db, full_, t_.number, head())) {
      return JobResult{JobResult::Status::done,
                       fmt::format("{}#{} at {} was already reviewed and published: nothing to do", full_, t_.number,
                                   head().substr(0, 12)),
                       {}};
    }
    return std::nullopt;
  }

  // 2. The mirror: base branch and refs/pull/N/head, incrementally; without
  // credentials, the local mirror as it is.
  std::optional<JobResult> sync_mirror() {
    mirror_.emplace(opt_.data_dir, full_, t_.clone_url);
    if (!client_) return use_local_mirror();
    git::FetchOptions fo = opt_.fetch;
    fo.password = opt_.access->git_password(t_.installation_id, t_.clone_url);
    git::FetchResult fr = mirror_->fetch_pull(info_.pr.base_ref, t_.number, fo);
    if (fr.head_sha != head()) {
      // The PR moved on since the payload was sent: a newer job may own it.
      if (superseded(ctx_.job)) return JobResult{JobResult::Status::superseded, "a newer head was queued: nothing published", {}};
      if (!from_api_) {
        fetch_pull_info();
        if (info_.state == "closed") return closed();
      }
      if (fr.head_sha != head()) fr = mirror_->fetch_pull(info_.pr.base_ref, t_.number, fo);
      if (fr.head_sha != head()) {
        // GitHub's refs lag its API for a moment: worth another try.
        throw Error(Error::Code::io,
                    fmt::format("the mirror of {} has {} for refs/pull/{}/head but GitHub says {}", full_,
                                fr.head_sha, t_.number, head()),
                    Error::Retry::transient);
      }
    }
    base_sha_ = fr.base_sha;
    return std::nullopt;
  }

  std::optional<JobResult> use_local_mirror() {
    std::error_code ec;
    if (!std::filesystem::is_directory(mirror_->path(), ec)) {
      return JobResult{JobResult::Status::failed,
                       fmt::format("no local mirror at {}: dry-run without GitHub credentials reviews only "
                                   "repositories mirrored there; not reviewed, nothing approved",
                                   mirror_->path().string()),
                       {}};
    }
    base_sha_ = info_.base_tip_sha;
    return std::nullopt;
  }

  // The history index follows the base branch as it is fetched, outside
  // the agents' deadlines (a first index of a large repository takes a
  // while), and a stale risk model is retrained here. Trouble is logged:
  // the history agent then fails closed on its own.
  void refresh_history_index() {
    try {
      const auto snapshot = opt_.guidance ? opt_.guidance->current() : load_guidance_snapshot({});
      const auto hr = refresh_history(mirror_->path(), base_sha_, snapshot->guidance);
      if (hr.added > 0 || hr.retrained) {
        d_.log.info("history_refreshed", {{"delivery_id", ctx_.job.delivery_id}, {"repository", full_},
                                          {"commits_added", hr.added}, {"rebuilt", hr.rebuilt},
                                          {"retrained", hr.retrained}, {"seconds", hr.seconds}});
      }
    } catch (const Error& e) {
      d_.log.warn("history_refresh_failed", {{"delivery_id", ctx_.job.delivery_id}, {"repository", full_},
                                             {"error", e.what()}});
    }
  }

  github::PublisherOptions publisher_options(github::PublishLedger* ledger) const {
    github::PublisherOptions po;
    if (opt_.access) {
      po.bot_login = opt_.access->bot_login();
      po.app = opt_.access->is_app();
    }
    po.max_inline_comments = opt_.max_inline_comments;
    po.ledger = ledger;
    po.log = [this](const std::string& m) {
      d_.log.info("publisher", {{"delivery_id", ctx_.job.delivery_id}, {"run_id", run_id_}, {"message", m}});
    };
    return po;
  }

  github::PublishTarget publish_target() const {
    // A person's approval counts for the head prepare() judged (t.pull) only.
    const bool approved = t_.human_approved_head && t_.pull && t_.pull->pr.head_sha == head();
    github::PublishTarget target{t_.owner, t_.repo, t_.number, false, approved, opt_.details_url};
    target.repost = t_.trigger == "command";  // `/review` or a lifted `/human-review`: people expect a fresh review
    return target;
  }

  // 4. The review, from the mirror (never GitHub's file list: large PRs
  // are whole here).
  ReviewResult review() {
    ReviewRequest req;
    req.repo = mirror_->path();
    req.base = base_sha_;
    req.head = head();
    req.base_ref = info_.pr.base_ref;
    req.head_ref = info_.pr.head_ref;
    req.title = info_.pr.title;
    req.body = info_.pr.body;
    req.draft = info_.pr.draft;
    req.repository = full_;  // the auto-approve policy matches these
    req.author = info_.pr.author;
    req.labels = info_.pr.labels;
    req.human_review_override = t_.human_review_override;
    if (opt_.guidance) {
      req.operator_guidance = opt_.guidance->current();
      if (auto problem = opt_.guidance->last_error(); !problem.empty()) {
        d_.log.error("guidance_rejected", {{"delivery_id", ctx_.job.delivery_id}, {"error", problem}});
      }
    }
    req.trigger = t_.trigger;
    req.mode = ctx_.mode;
    req.model_pool = opt_.model_pool;
    req.stop = ctx_.stop;
    ReviewResult r = review_repository(req);
    r.run_id = run_id_;  // the check run's external_id names it
    r.pr.number = t_.number;
    record_review_metrics(d_.metrics, r);
    return r;
  }

  // 5. The audit log first: nothing is posted that was not recorded.
  // From here on only the result's texts are used: they passed the
  // pipeline's redactor, GitHub's copies (info_) did not.
  void record_review(const ReviewResult& r, const github::PublishReport& started) {
    if (!d_.audit) return;
    d_.audit->record_review(r);
    audit::PullRequestRecord pr{full_, t_.number, r.pr.title, r.pr.author, r.pr.base_ref, head(), r.pr.draft, ""};
    d_.audit->record_pull_request(pr);
    record_publish_actions(*d_.audit, started, run_id_, full_, t_.number, head());
  }

  void record_published(const github::PublishReport& rep) {
    if (!d_.audit) return;
    record_publish_actions(*d_.audit, rep, run_id_, full_, t_.number, head());
    if (ctx_.mode == Mode::dry_run || rep.stale) return;
    audit::ActionRecord done;
    done.run_id = run_id_;
    done.repository = full_;
    done.pr_number = t_.number;
    done.kind = "publish_complete";
    done.detail = fmt::format("head={} mode={}", head(), mode_);
    d_.audit->record_action(done);
  }

  // The log line and the job's result.
  JobResult outcome(const ReviewResult& r, const github::PublishReport& started, const github::PublishReport& rep) {
    nlohmann::json fields = {{"delivery_id", ctx_.job.delivery_id},
                             {"run_id", run_id_},
                             {"mode", mode_},
                             {"repository", full_},
                             {"pr", t_.number},
                             {"head_sha", head()},
                             {"trigger", t_.trigger},
                             {"decision", std::string(to_string(r.decision.kind))},
                             {"review_event", rep.review_event},
                             {"would_approve", rep.would_approve},
                             {"auto_approve", r.auto_approve.allowed},
                             {"auto_approve_reason", r.auto_approve.reason},
                             {"findings", finding_count(r)}};
    std::string text;
    if (ctx_.mode == Mode::dry_run) {
      nlohmann::json calls = call_list(started);
      for (auto& c : call_list(rep)) calls.push_back(std::move(c));
      fields["calls"] = calls;
      d_.log.info("would_post", fields);
      text = fmt::format("dry-run: {} calls not sent", calls.size());
    } else if (rep.stale) {
      d_.log.info("review_stale", fields);
      text = "the head moved on: nothing posted";
    } else {
      fields["review_id"] = rep.review_id;
      fields["review_already_posted"] = rep.review_already_posted;
      fields["check_conclusion"] = rep.check_conclusion;
      fields["dismissed_reviews"] = rep.dismissed_reviews;
      d_.log.info("published", fields);
      text = rep.review_already_posted ? "review already posted for this head"
                                       : fmt::format("posted {} review {}", rep.review_event, rep.review_id);
      if (!rep.check_conclusion.empty()) text += ", check " + rep.check_conclusion;
    }
    return {JobResult::Status::done,
            fmt::format("reviewed {}#{} at {}: {}; {}", full_, t_.number, head().substr(0, 12),
                        to_string(r.decision.kind), text),
            run_id_};
  }

  // After a permanent failure: the gate started for this head completes
  // as failure (a transient one is retried and starts a new gate).
  void close_gate(github::Publisher& publisher, const github::PublishTarget& target,
                  const github::PublishReport& started, const Error& e) {
    if (e.transient()) return;
    try {
      github::PublishReport failed = publisher.abort(target, head(), started, e.what(), ctx_.mode);
      if (d_.audit) record_publish_actions(*d_.audit, failed, run_id_, full_, t_.number, head());
    } catch (const std::exception& again) {
      d_.log.warn("gate_not_closed", {{"delivery_id", ctx_.job.delivery_id}, {"run_id", run_id_},
                                      {"message", again.what()}});
    }
  }

  ReviewTarget& t_;
  JobContext& ctx_;
  const FlowDeps& d_;
  const AppHandlerOptions& opt_;
  github::RestClient* client_;
  const std::string full_;
  const std::string mode_;
  github::PullInfo info_;
  bool from_api_ = false;
  std::optional<git::Mirror> mirror_;
  std::string base_sha_;
  std::string run_id_;
};

}  // namespace

JobResult run_review_flow(ReviewTarget& t, JobContext& ctx, const FlowDeps& d) { return ReviewFlow(t, ctx, d).run(); }

}  // namespace reviewer::app
