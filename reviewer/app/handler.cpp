#include "reviewer/app/handler.h"

#include <fmt/format.h>

#include "audit/store.h"
#include "reviewer/app/access.h"
#include "reviewer/app/review_flow.h"
#include "reviewer/core/error.h"
#include "reviewer/github/github_error.h"
#include "reviewer/github/webhook.h"
#include "reviewer/app/log.h"

namespace reviewer::app {
namespace {


class GitHubHandler final : public JobHandler {
 public:
  GitHubHandler(AppHandlerOptions o, std::shared_ptr<audit::AuditStore> a, app::JsonLog& log,
                Metrics& m)
      : opt_(std::move(o)), audit_(std::move(a)), log_(log), metrics_(m) {}

  JobResult handle(const Job& job, std::stop_token stop) override {
    nlohmann::json payload = nlohmann::json::parse(job.payload, nullptr, false);
    if (payload.is_discarded()) return {JobResult::Status::failed, "stored payload is not JSON", {}};
    JobContext ctx{job, payload, opt_.mode, nullptr, opt_.access.get(), audit_, log_, metrics_, {}, stop};
    ctx.review = [this, &ctx](ReviewTarget t) { return review_one(std::move(t), ctx); };
    return guarded(job, fmt::format("{} job", job.kind), [&] {
      if (opt_.access) {
        const std::int64_t installation = github::installation_of(payload);
        if (installation > 0 || !opt_.access->is_app()) ctx.client = &opt_.access->client(installation);
      }
      if (job.kind == "review") return handle_review(ctx);
      if (auto it = opt_.kinds.find(job.kind); it != opt_.kinds.end()) return it->second(ctx);
      return JobResult{JobResult::Status::done, fmt::format("{} event recorded; nothing to do for kind '{}'",
                                                            job.event, job.kind), {}};
    });
  }

 private:
  JobResult handle_review(JobContext& ctx) {
    const Job& job = ctx.job;
    if (!opt_.access && job.event != "pull_request") {
      // A re-run's payload has no PR metadata: only GitHub has it.
      return {JobResult::Status::done,
              fmt::format("{} re-run recorded; reviewing it needs GitHub credentials", job.event), {}};
    }
    std::vector<ReviewTarget> targets = review_targets(job.event, ctx.payload, ctx.client);
    if (targets.empty()) {
      return {JobResult::Status::done,
              fmt::format("{}: not a re-run of our check, or no open pull request has that head", job.event), {}};
    }
    JobResult last;
    std::string details;
    for (auto& t : targets) {
      JobResult r = ctx.review(std::move(t));
      details += (details.empty() ? "" : "; ") + r.detail;
      if (r.status != JobResult::Status::done) return r;  // retry or fail the whole job
      last = r;
    }
    last.detail = details;
    return last;
  }

  JobResult review_one(ReviewTarget t, JobContext& ctx) {
    return guarded(ctx.job, fmt::format("review of {}#{}", t.full_name(), t.number), [&] {
      if (opt_.prepare) opt_.prepare(t, ctx);
      FlowDeps deps{opt_, audit_, log_, metrics_};
      return run_review_flow(t, ctx, deps);
    });
  }

  // Maps exceptions to results: transient trouble is retried, refusals
  // and bad input fail the job with GitHub's reason; none of them approve.
  template <class F>
  JobResult guarded(const Job& job, const std::string& what, F&& f) {
    try {
      return f();
    } catch (const github::GitHubError& e) {
      const bool transient = e.transient();  // 5xx, 429, rate limits, no answer, open circuit
      log_.warn("github_error", {{"delivery_id", job.delivery_id}, {"status", e.status()},
                                 {"request_id", e.request_id()}, {"message", e.what()}});
      return {transient ? JobResult::Status::retry : JobResult::Status::failed,
              fmt::format("{}: {}{}; nothing approved", what, e.what(),
                          transient ? "" : hint(e.status())),
              {}};
    } catch (const Error& e) {
      const bool transient = e.transient();
      return {transient ? JobResult::Status::retry : JobResult::Status::failed,
              fmt::format("{} failed: {}; nothing approved", what, e.what()), {}};
    }
  }

  static std::string hint(int status) {
    switch (status) {
      case 401: return " (the credentials were refused: check GITHUB_APP_ID and the key, or GITHUB_TOKEN)";
      case 403: return " (forbidden: the App lacks a permission or the repository blocks it)";
      case 404: return " (not found: the App is not installed on the repository, or the PR is gone)";
      case 422: return " (GitHub refused the request as invalid)";
      default: return "";
    }
  }

  AppHandlerOptions opt_;
  std::shared_ptr<audit::AuditStore> audit_;
  app::JsonLog& log_;
  Metrics& metrics_;
};

}  // namespace

std::shared_ptr<JobHandler> make_github_handler(AppHandlerOptions options,
                                                        std::shared_ptr<audit::AuditStore> audit,
                                                        app::JsonLog& log, Metrics& metrics) {
  return std::make_shared<GitHubHandler>(std::move(options), std::move(audit), log, metrics);
}

}  // namespace reviewer::app
