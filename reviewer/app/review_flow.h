// The review path of one pull request (handler.h): fetch, review, audit,
// publish. Internal to reviewer/app.
#pragma once

#include <memory>

#include "reviewer/app/handler.h"

namespace reviewer::app {

struct FlowDeps {
  const AppHandlerOptions& options;
  const std::shared_ptr<audit::AuditStore>& audit;
  app::JsonLog& log;
  Metrics& metrics;
};

// Without credentials (options.access null) reviews the local mirror and
// publishes in dry-run only. Throws GitHubError and reviewer::Error; the
// handler maps them to job results.
JobResult run_review_flow(ReviewTarget& target, JobContext& ctx, const FlowDeps& deps);

}  // namespace reviewer::app
