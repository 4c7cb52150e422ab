// The default job handler for `serve` in dry-run without GitHub
// credentials: a pull_request job is reviewed from a local bare mirror
// (<data_dir>/mirrors/<owner>/<name>.git) with the real pipeline, recorded
// in the audit log, and what would be posted is logged. No mirror, or a
// head the mirror lacks, fails the job with a clear reason (never an
// approval). Comment and review-state jobs are recorded as done: acting
// on them needs GitHub (the GitHub integration supplies its own handler).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "guidance/watcher.h"
#include "reviewer/model/router.h"
#include "reviewer/server/job.h"

namespace reviewer::audit { class AuditStore; }

namespace reviewer::server {

class JsonLog;
class Metrics;

struct ReviewHandlerOptions {
  std::filesystem::path mirrors_dir;
  // The operator's guidance, re-read on change; the last good version is
  // kept when an edit breaks it. Null: the shipped defaults only.
  std::shared_ptr<GuidanceWatcher> guidance;
  std::shared_ptr<model::ProviderPool> model_pool;  // null: rules only
  std::string mode = "dry-run";
};

// A JobHandler whose payload may also be handed over already parsed: the
// GitHub App handler parses every job's payload once and passes it on, so a
// 25 KB payload is not parsed twice per job (most of a worker's CPU).
class PayloadHandler : public JobHandler {
 public:
  JobResult handle(const Job& job) override;  // parses job.payload, then the overload below
  virtual JobResult handle(const Job& job, const nlohmann::json& payload) = 0;
};

// `audit` may be null (nothing recorded; tests only). The handler shares it.
std::shared_ptr<PayloadHandler> make_dry_run_handler(ReviewHandlerOptions options,
                                                 std::shared_ptr<audit::AuditStore> audit, JsonLog& log,
                                                 Metrics& metrics);

// Where the mirror of `repository` ("owner/name") lives, or empty when the
// name is not a plain GitHub owner/name (no "..", slashes or odd bytes).
std::filesystem::path mirror_path(const std::filesystem::path& mirrors_dir, const std::string& repository);

}  // namespace reviewer::server
