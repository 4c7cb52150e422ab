#include "reviewer/server/review_handler.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/store.h"
#include "reviewer/core/error.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/server/event.h"
#include "reviewer/server/log.h"
#include "reviewer/server/metrics.h"

namespace reviewer::server {

namespace {

bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 100 || s == "." || s == "..") return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

// The GitHub review event a decision would be posted as (DESIGN.md).
const char* review_event(DecisionKind k) {
  switch (k) {
    case DecisionKind::approve: return "APPROVE";
    case DecisionKind::request_changes: return "REQUEST_CHANGES";
    case DecisionKind::comment:
    case DecisionKind::needs_human: return "COMMENT";
  }
  return "COMMENT";
}

const char* check_conclusion(DecisionKind k) {
  switch (k) {
    case DecisionKind::approve: return "success";
    case DecisionKind::request_changes: return "failure";
    case DecisionKind::comment:
    case DecisionKind::needs_human: return "action_required";
  }
  return "action_required";
}

class DryRunHandler final : public PayloadHandler {
 public:
  DryRunHandler(ReviewHandlerOptions o, std::shared_ptr<audit::AuditStore> a, JsonLog& log, Metrics& m)
      : opt_(std::move(o)), audit_(std::move(a)), log_(log), metrics_(m) {}

  using PayloadHandler::handle;
  JobResult handle(const Job& job, const nlohmann::json& payload) override {
    if (job.kind != "review" || job.event != "pull_request") {  // re-runs need GitHub too
      return {JobResult::Status::done,
              fmt::format("{} event recorded; acting on it needs the GitHub integration", job.event), {}};
    }
    PullRequestEvent pr;
    try {
      pr = parse_pull_request_event(payload);
    } catch (const Error& e) {
      return {JobResult::Status::failed, e.what(), {}};
    }
    const auto mirror = mirror_path(opt_.mirrors_dir, pr.repository);
    if (mirror.empty()) {
      return {JobResult::Status::failed, fmt::format("repository name '{}' is not owner/name", pr.repository), {}};
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(mirror, ec)) {
      return {JobResult::Status::failed,
              fmt::format("no local mirror at {}: dry-run without GitHub credentials reviews only "
                          "repositories mirrored there; not reviewed, nothing approved",
                          mirror.string()),
              {}};
    }
    ReviewRequest req;
    req.repo = mirror;
    req.base = pr.base_sha;
    req.head = pr.head_sha;
    req.title = pr.title;
    req.body = pr.body;
    req.base_ref = pr.base_ref;
    req.head_ref = pr.head_ref;
    req.repository = pr.repository;
    req.author = pr.author;
    req.labels = pr.labels;
    if (opt_.guidance) {
      req.operator_guidance = opt_.guidance->current();
      if (auto problem = opt_.guidance->last_error(); !problem.empty()) {
        log_.error("guidance_rejected", {{"delivery_id", job.delivery_id}, {"error", problem}});
      }
    }
    req.model_pool = opt_.model_pool;
    req.trigger = "webhook";
    req.mode = opt_.mode;
    req.draft = pr.draft;
    ReviewResult r;
    try {
      r = review_repository(req);
    } catch (const Error& e) {
      // A bad revision or guidance will not fix itself; I/O may.
      auto status = e.code() == Error::Code::io ? JobResult::Status::retry : JobResult::Status::failed;
      return {status, fmt::format("review of {}#{} failed: {}", pr.repository, pr.number, e.what()), {}};
    }
    r.pr.number = pr.number;
    record_review_metrics(metrics_, r);
    if (audit_) audit_->record_review(r);  // throws Error(io): the worker retries
    if (job.superseded && job.superseded()) {
      log_.info("review_superseded", {{"delivery_id", job.delivery_id}, {"run_id", r.run_id},
                                      {"repository", pr.repository}, {"pr", pr.number}, {"head_sha", pr.head_sha}});
      return {JobResult::Status::superseded, "a newer head was queued: nothing published", r.run_id};
    }
    std::size_t findings = 0;
    for (const auto& a : r.agents) findings += a.findings.size();
    log_.info("would_post", {{"delivery_id", job.delivery_id},
                             {"run_id", r.run_id},
                             {"mode", opt_.mode},
                             {"repository", pr.repository},
                             {"pr", pr.number},
                             {"head_sha", pr.head_sha},
                             {"decision", std::string(to_string(r.decision.kind))},
                             {"review_event", review_event(r.decision.kind)},
                             {"check_run", {{"name", "reviewer"}, {"conclusion", check_conclusion(r.decision.kind)}}},
                             {"labels", {"size/" + r.size.label}},
                             {"findings", findings}});
    return {JobResult::Status::done, fmt::format("reviewed: {}", to_string(r.decision.kind)), r.run_id};
  }

 private:
  ReviewHandlerOptions opt_;
  std::shared_ptr<audit::AuditStore> audit_;
  JsonLog& log_;
  Metrics& metrics_;
};

}  // namespace

JobResult PayloadHandler::handle(const Job& job) {
  nlohmann::json payload = nlohmann::json::parse(job.payload, nullptr, false);
  if (payload.is_discarded()) return {JobResult::Status::failed, "stored payload is not JSON", {}};
  return handle(job, payload);
}

std::filesystem::path mirror_path(const std::filesystem::path& mirrors_dir, const std::string& repository) {
  auto slash = repository.find('/');
  if (slash == std::string::npos) return {};
  std::string owner = repository.substr(0, slash), name = repository.substr(slash + 1);
  if (!plain_name(owner) || !plain_name(name)) return {};
  return mirrors_dir / owner / (name + ".git");
}

std::shared_ptr<PayloadHandler> make_dry_run_handler(ReviewHandlerOptions options,
                                                 std::shared_ptr<audit::AuditStore> audit, JsonLog& log,
                                                 Metrics& metrics) {
  return std::make_shared<DryRunHandler>(std::move(options), std::move(audit), log, metrics);
}

}  // namespace reviewer::server
