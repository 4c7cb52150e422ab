#include "reviewer/app/access.h"

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/text.h"

namespace reviewer::app {
namespace {

// "https://host:port/x" -> {"https", "host:port"}; empty scheme when not a URL.
std::pair<std::string, std::string> scheme_host(const std::string& url) {
  auto sep = url.find("://");
  if (sep == std::string::npos) return {};
  std::string scheme = url.substr(0, sep);
  std::string rest = url.substr(sep + 3);
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.find('@') != std::string::npos) return {};  // credentials in the URL: never ours to add to
  return {lower(scheme), lower(host)};
}

}  // namespace

bool same_github_host(const std::string& clone_url, const std::string& api_url) {
  auto [cs, ch] = scheme_host(clone_url);
  auto [as, ah] = scheme_host(api_url);
  if (ch.empty() || ah.empty()) return false;
  if (cs != "https" && !(cs == "http" && as == "http")) return false;  // plain http only against a test API
  if (ah == "api.github.com") return ch == "github.com";
  return ch == ah;
}

GitHubAccess::GitHubAccess(AccessConfig config) : config_(std::move(config)) {
  if (!config_.app_id.empty() && !config_.private_key_pem.empty()) {
    github::AppConfig ac;
    ac.app_id = config_.app_id;
    ac.private_key_pem = config_.private_key_pem;
    app_ = std::make_unique<github::GitHubApp>(ac, config_.client);
  } else if (!config_.token.empty()) {
    token_ = github::token_credentials(config_.token);
  } else {
    throw Error(Error::Code::usage,
                "GitHub credentials: set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY_FILE, or GITHUB_TOKEN");
  }
  config_.private_key_pem.assign(config_.private_key_pem.size(), '\0');  // GitHubApp keeps its own copy
  config_.private_key_pem.clear();
}

GitHubAccess::~GitHubAccess() {
  // Installation credentials point into app_: drop the clients first.
  clients_.clear();
}

github::RestClient& GitHubAccess::client(std::int64_t installation_id) {
  if (app_ && installation_id <= 0) {
    throw Error(Error::Code::invalid_input,
                "the payload names no App installation: a GitHub App acts only on repositories it is installed on");
  }
  const std::int64_t key = app_ ? installation_id : 0;
  std::lock_guard lock(mu_);
  auto& slot = clients_[key];
  if (!slot) {
    github::ClientOptions o = config_.client;
    o.credentials = app_ ? app_->installation_credentials(installation_id) : token_;
    slot = std::make_unique<github::RestClient>(std::move(o));
  }
  return *slot;
}

std::function<std::string()> GitHubAccess::git_password(std::int64_t installation_id, const std::string& clone_url) {
  if (!same_github_host(clone_url, config_.client.api_url)) return nullptr;
  if (app_) {
    if (installation_id <= 0) return nullptr;
    return [app = app_.get(), installation_id] { return app->installation_token(installation_id); };
  }
  return [creds = token_] { return creds->git_password(); };
}

std::string GitHubAccess::bot_login() {
  {
    std::lock_guard lock(mu_);
    if (bot_login_known_) return bot_login_;
  }
  std::string login;
  if (app_) {
    login = app_->bot_login();  // throws GitHubError: the job retries or fails on it
  } else {
    github::RequestOptions ro;
    ro.ok_statuses = {403, 404};  // an Actions token may not read /user
    github::Response r = client(0).get("/user", ro);
    if (r.status == 200 && r.body.is_object() && r.body.contains("login") && r.body["login"].is_string()) {
      login = r.body["login"].get<std::string>();
    }
  }
  std::lock_guard lock(mu_);
  bot_login_ = login;
  bot_login_known_ = true;
  return bot_login_;
}

}  // namespace reviewer::app
