#include "reviewer/server/serve_options.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "reviewer/app/commands_hook.h"
#include "reviewer/app/log.h"
#include "reviewer/core/error.h"
#include "reviewer/core/metrics.h"
#include "reviewer/model/config.h"

namespace reviewer::server {

namespace {

std::string read_key_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(Error::Code::usage, fmt::format("GITHUB_APP_PRIVATE_KEY_FILE: cannot read '{}'", path.string()));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::shared_ptr<app::GitHubAccess> github_access(const ServeSettings& s, github::ClientOptions client) {
  if (!s.has_github_credentials()) return nullptr;
  app::AccessConfig c;
  client.api_url = s.github_api_url;
  client.min_mutation_interval = std::chrono::milliseconds(s.github_mutation_interval_ms);
  c.client = std::move(client);
  if (!s.github_app_id.empty() && s.github_app_private_key_file) {
    c.app_id = s.github_app_id;
    c.private_key_pem = read_key_file(*s.github_app_private_key_file);
  } else {
    c.token = s.github_token;
  }
  return std::make_shared<app::GitHubAccess>(std::move(c));
}

app::AppHandlerOptions handler_options(const ServeSettings& s, app::JsonLog* log, Metrics* metrics,
                                       github::ClientOptions client) {
  app::AppHandlerOptions o;
  o.mode = s.mode;
  o.data_dir = s.data_dir;
  o.audit_db = s.audit_location();
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
  o.access = github_access(s, std::move(client));
  app::install_commands(o);  // /human-review, /review, /feedback, lifecycle, the override in reviews
  return o;
}

}  // namespace reviewer::server
