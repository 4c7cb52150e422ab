#include "reviewer/app/review_flow.h"

#include <fmt/format.h>

#include "audit/posted.h"
#include "audit/store.h"
#include "reviewer/app/access.h"
#include "reviewer/app/audit_ledger.h"
#include "reviewer/core/error.h"
#include "reviewer/pipeline/history_refresh.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/server/log.h"
#include "reviewer/server/metrics.h"

namespace reviewer::app {
namespace {

using server::JobResult;

bool superseded(const server::Job& job) { return job.superseded && job.superseded(); }

nlohmann::json call_list(const github::PublishReport& rep) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : rep.calls) out.push_back(c.method + " " + c.path);
  return out;
}

}  // namespace

JobResult run_review_flow(ReviewTarget& t, JobContext& ctx, const FlowDeps& d) {
  const AppHandlerOptions& opt = d.options;
  GitHubAccess& access = *opt.access;
  github::RestClient& client = access.client(t.installation_id);
  const std::string full = t.full_name();
  const std::string mode(github::to_string(ctx.mode));

  // 1. What to review: the payload's view, or GitHub's when the payload is
  // missing (re-runs) or old (a retried job).
  bool from_api = false;
  github::PullInfo info;
  if (t.pull && ctx.job.attempts <= 1) {
    info = *t.pull;
  } else {
    info = github::fetch_pull(client, t.owner, t.repo, t.number);
    from_api = true;
  }
  auto closed = [&] {
    return JobResult{JobResult::Status::done, fmt::format("{}#{} is {}: not reviewed", full, t.number, info.state), {}};
  };
  if (info.state == "closed") return closed();
  // A second delivery of the same push (a new delivery id for the same
  // head) finds the head published already: nothing is posted twice. Edits,
  // ready_for_review and re-runs still review again (the decision may change).
  if (ctx.mode != github::Mode::dry_run && d.audit && (t.action == "opened" || t.action == "synchronize") &&
      audit::publish_completed(opt.audit_db, full, t.number, info.pr.head_sha)) {
    return JobResult{JobResult::Status::done,
                     fmt::format("{}#{} at {} was already reviewed and published: nothing to do", full, t.number,
                                 info.pr.head_sha.substr(0, 12)),
                     {}};
  }

  // 2. The mirror: base branch and refs/pull/N/head, incrementally.
  git::Mirror mirror(opt.data_dir, full, t.clone_url);
  git::FetchOptions fo = opt.fetch;
  fo.password = access.git_password(t.installation_id, t.clone_url);
  git::FetchResult fr = mirror.fetch_pull(info.pr.base_ref, t.number, fo);
  if (fr.head_sha != info.pr.head_sha) {
    // The PR moved on since the payload was sent: a newer job may own it.
    if (superseded(ctx.job)) return {JobResult::Status::superseded, "a newer head was queued: nothing published", {}};
    if (!from_api) {
      info = github::fetch_pull(client, t.owner, t.repo, t.number);
      from_api = true;
      if (info.state == "closed") return closed();
    }
    if (fr.head_sha != info.pr.head_sha) fr = mirror.fetch_pull(info.pr.base_ref, t.number, fo);
    if (fr.head_sha != info.pr.head_sha) {
      throw Error(Error::Code::io, fmt::format("the mirror of {} has {} for refs/pull/{}/head but GitHub says {}",
                                               full, fr.head_sha, t.number, info.pr.head_sha));
    }
  }
  const std::string head = info.pr.head_sha;
  const std::string run_id = new_run_id();

  // The history index follows the base branch as it is fetched, outside
  // the agents' deadlines (a first index of a large repository takes a
  // while), and a stale risk model is retrained here. Trouble is logged:
  // the history agent then fails closed on its own.
  try {
    const auto snapshot = opt.guidance ? opt.guidance->current() : load_guidance_snapshot({});
    const auto hr = refresh_history(mirror.path(), fr.base_sha, snapshot->guidance);
    if (hr.added > 0 || hr.retrained) {
      d.log.info("history_refreshed", {{"delivery_id", ctx.job.delivery_id}, {"repository", full},
                                       {"commits_added", hr.added}, {"rebuilt", hr.rebuilt},
                                       {"retrained", hr.retrained}, {"seconds", hr.seconds}});
    }
  } catch (const Error& e) {
    d.log.warn("history_refresh_failed", {{"delivery_id", ctx.job.delivery_id}, {"repository", full},
                                          {"error", e.what()}});
  }

  // 3. The gate goes in progress for the head about to be reviewed.
  std::unique_ptr<AuditLedger> ledger;
  if (d.audit) ledger = std::make_unique<AuditLedger>(d.audit, opt.audit_db, run_id);
  github::PublisherOptions po;
  po.bot_login = access.bot_login();
  po.app = access.is_app();
  po.max_inline_comments = opt.max_inline_comments;
  po.ledger = ledger.get();
  po.log = [&](const std::string& m) {
    d.log.info("publisher", {{"delivery_id", ctx.job.delivery_id}, {"run_id", run_id}, {"message", m}});
  };
  github::Publisher publisher(&client, po);
  // A person's approval counts for the head prepare() judged (t.pull) only.
  const bool approved = t.human_approved_head && t.pull && t.pull->pr.head_sha == head;
  github::PublishTarget target{t.owner, t.repo, t.number, false, approved, opt.details_url};
  target.repost = t.trigger == "command";  // `/review` or a lifted `/human-review`: people expect a fresh review
  github::PublishReport started = publisher.start(target, head, run_id, ctx.mode);

  // A permanent failure from here on completes the gate as failure (a
  // transient one is retried, and the retry starts a new gate).
  try {
    // 4. The review, from the mirror (never GitHub's file list: large PRs
    // are whole here).
    ReviewRequest req;
    req.repo = mirror.path();
    req.base = fr.base_sha;
    req.head = head;
    req.base_ref = info.pr.base_ref;
    req.head_ref = info.pr.head_ref;
    req.title = info.pr.title;
    req.body = info.pr.body;
    req.draft = info.pr.draft;
    req.repository = full;          // the auto-approve policy matches these
    req.author = info.pr.author;
    req.labels = info.pr.labels;
    req.human_review_override = t.human_review_override;
    if (opt.guidance) req.operator_guidance = opt.guidance->current();
    req.trigger = t.trigger;
    req.mode = mode;
    req.model_pool = opt.model_pool;
    ReviewResult r = review_repository(req);
    r.run_id = run_id;  // the check run's external_id names it
    r.pr.number = t.number;
    for (const auto& a : r.agents) {
      d.metrics.observe("reviewer_agent_duration_seconds", {{"agent", a.name}}, a.duration_ms / 1000.0);
    }

    // 5. The audit log first: nothing is posted that was not recorded.
    // From here on only the result's texts are used: they passed the
    // pipeline's redactor, GitHub's copies (info) did not.
    if (d.audit) {
      d.audit->record_review(r);
      audit::PullRequestRecord pr{full, t.number, r.pr.title, r.pr.author, r.pr.base_ref, head, r.pr.draft, ""};
      d.audit->record_pull_request(pr);
      record_publish_actions(*d.audit, started, run_id, full, t.number, head);
    }
    if (superseded(ctx.job)) {
      d.log.info("review_superseded", {{"delivery_id", ctx.job.delivery_id}, {"run_id", run_id},
                                       {"repository", full}, {"pr", t.number}, {"head_sha", head}});
      return {JobResult::Status::superseded, "a newer head was queued: nothing published", run_id};
    }

    // 6. APPROVE needs guidance `auto_approve` to allow it for this
    // repository, author and paths (the pipeline judged it: the operator's
    // guidance, narrowed by the repository's file at the base).
    target.auto_approve = r.auto_approve.allowed;

    // 7. Publish (dry-run: compute the calls only) and record what was done.
    github::PublishReport rep = publisher.publish(r, target, ctx.mode);
    if (d.audit) {
      record_publish_actions(*d.audit, rep, run_id, full, t.number, head);
      if (ctx.mode != github::Mode::dry_run && !rep.stale) {
        audit::ActionRecord done;
        done.run_id = run_id;
        done.repository = full;
        done.pr_number = t.number;
        done.kind = "publish_complete";
        done.detail = fmt::format("head={} mode={}", head, mode);
        d.audit->record_action(done);
      }
    }

    nlohmann::json fields = {{"delivery_id", ctx.job.delivery_id},
                             {"run_id", run_id},
                             {"mode", mode},
                             {"repository", full},
                             {"pr", t.number},
                             {"head_sha", head},
                             {"trigger", t.trigger},
                             {"decision", std::string(to_string(r.decision.kind))},
                             {"review_event", rep.review_event},
                             {"would_approve", rep.would_approve},
                             {"auto_approve", r.auto_approve.allowed},
                             {"auto_approve_reason", r.auto_approve.reason}};
    std::string outcome;
    if (ctx.mode == github::Mode::dry_run) {
      nlohmann::json calls = call_list(started);
      for (auto& c : call_list(rep)) calls.push_back(std::move(c));
      fields["calls"] = calls;
      d.log.info("would_post", fields);
      outcome = fmt::format("dry-run: {} calls not sent", calls.size());
    } else if (rep.stale) {
      d.log.info("review_stale", fields);
      outcome = "the head moved on: nothing posted";
    } else {
      fields["review_id"] = rep.review_id;
      fields["review_already_posted"] = rep.review_already_posted;
      fields["check_conclusion"] = rep.check_conclusion;
      fields["dismissed_reviews"] = rep.dismissed_reviews;
      d.log.info("published", fields);
      outcome = rep.review_already_posted ? "review already posted for this head"
                                          : fmt::format("posted {} review {}", rep.review_event, rep.review_id);
      if (!rep.check_conclusion.empty()) outcome += ", check " + rep.check_conclusion;
    }
    return {JobResult::Status::done,
            fmt::format("reviewed {}#{} at {}: {}; {}", full, t.number, head.substr(0, 12),
                        to_string(r.decision.kind), outcome),
            run_id};
  } catch (const Error& e) {
    if (e.code() != Error::Code::io && e.code() != Error::Code::timeout) {
      try {
        github::PublishReport failed = publisher.abort(target, head, started, e.what(), ctx.mode);
        if (d.audit) record_publish_actions(*d.audit, failed, run_id, full, t.number, head);
      } catch (const std::exception& again) {
        d.log.warn("gate_not_closed", {{"delivery_id", ctx.job.delivery_id}, {"run_id", run_id},
                                       {"message", again.what()}});
      }
    }
    throw;
  }
}

}  // namespace reviewer::app
