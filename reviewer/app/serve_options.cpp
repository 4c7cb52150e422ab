#include "reviewer/app/serve_options.h"

#include <fmt/format.h>

#include "reviewer/app/access.h"
#include "reviewer/app/commands_hook.h"
#include "reviewer/core/error.h"
#include "reviewer/model/config.h"
#include "reviewer/server/log.h"
#include "reviewer/server/metrics.h"
#include "reviewer/server/settings.h"

namespace reviewer::app {

AppHandlerOptions handler_options(const server::ServeSettings& s, server::JsonLog* log, server::Metrics* metrics,
                                  github::ClientOptions client) {
  AppHandlerOptions o;
  o.mode = s.mode;
  o.data_dir = s.data_dir;
  o.audit_db = s.audit_db();
  o.guidance = std::make_shared<GuidanceWatcher>(s.guidance_dir ? std::vector<std::filesystem::path>{*s.guidance_dir}
                                                                 : std::vector<std::filesystem::path>{});
  if (s.model_config) {
    o.model_pool = std::make_shared<model::ProviderPool>(model::load_model_config(*s.model_config));
  }
  if (metrics) {
    client.on_response = [metrics](int status) {
      metrics->inc("reviewer_github_api_calls_total", {{"status", status ? std::to_string(status) : "none"}});
    };
  }
  if (log) {
    client.log = [log](const std::string& m) { log->info("github_client", {{"message", m}}); };
  }
  o.access = GitHubAccess::from_settings(s, std::move(client));
  install_commands(o);  // /human-review, /review, /feedback, lifecycle, the override in reviews
  return o;
}

}  // namespace reviewer::app
