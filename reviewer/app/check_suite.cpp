#include "reviewer/app/check_suite.h"

#include <tuple>

#include <fmt/format.h>

#include "reviewer/app/log.h"
#include "reviewer/commands/check_evidence.h"
#include "reviewer/github/commit_checks.h"
#include "reviewer/github/webhook.h"

namespace reviewer::app {

JobResult handle_check_suite(JobContext& ctx) {
  if (!ctx.audit) return {JobResult::Status::done, "check_suite: no audit log; nothing recorded", {}};
  namespace payload = github::payload;
  const nlohmann::json& suite = payload::member_or_null(ctx.payload, "check_suite");
  commands::HeadChecks h;
  std::tie(h.owner, h.repo) = payload::owner_repo(ctx.payload);
  h.head_sha = payload::string_or_empty(suite, "head_sha");
  h.trigger = "check_suite";
  if (!github::is_commit_sha(h.head_sha)) {
    return {JobResult::Status::failed, "check_suite: 'check_suite.head_sha' is not a commit id", {}};
  }
  const nlohmann::json& prs = payload::member_or_null(suite, "pull_requests");
  if (prs.is_array()) {
    for (const auto& p : prs) {
      if (h.prs.size() == commands::kMaxEvidencePrs) break;
      if (std::int64_t n = payload::integer_or_zero(p, "number"); n > 0) h.prs.push_back(n);
    }
  }
  h.from_payload.push_back(github::check_suite_observation(suite));
  auto log = [&ctx](const std::string& m) {
    ctx.log.warn("check_evidence", {{"delivery_id", ctx.job.delivery_id}, {"message", m}});
  };
  // Errors propagate to the handler's guard: retried or failed like any read.
  std::string note = commands::record_head_checks(ctx.client, *ctx.audit, h, log);
  if (!ctx.client) note += " (from the payload only: no GitHub client for this delivery)";
  return {JobResult::Status::done, fmt::format("check_suite {}: {}", h.head_sha.substr(0, 12), note), {}};
}

}  // namespace reviewer::app
