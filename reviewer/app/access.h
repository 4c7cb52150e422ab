// How `serve` talks to GitHub: App credentials (GITHUB_APP_ID +
// GITHUB_APP_PRIVATE_KEY_FILE: one REST client per installation, tokens
// minted and cached by GitHubApp) or a plain token (GITHUB_TOKEN: one
// client). Clients are created on first use and shared by the workers
// (RestClient serialises its calls, as GitHub asks per installation).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "reviewer/github/app_auth.h"
#include "reviewer/github/rest_client.h"

namespace reviewer::app {

struct AccessConfig {
  std::string app_id;           // with private_key_pem: a GitHub App
  std::string private_key_pem;  // never logged, never in a message
  std::string token;            // else: a plain token
  // API URL, timeouts, pacing and test seams; `credentials` is ignored.
  github::ClientOptions client;
};

class GitHubAccess {
 public:
  // Throws reviewer::Error(usage) when neither an App nor a token is given
  // or the App's key is unusable (the message never quotes the key).
  explicit GitHubAccess(AccessConfig config);
  ~GitHubAccess();
  GitHubAccess(const GitHubAccess&) = delete;
  GitHubAccess& operator=(const GitHubAccess&) = delete;

  bool is_app() const { return app_ != nullptr; }
  const std::string& api_url() const { return config_.client.api_url; }

  // The client acting for one installation (App: `installation_id` must be
  // > 0, else reviewer::Error(invalid_input)); a token ignores the id.
  github::RestClient& client(std::int64_t installation_id);

  // The password libgit2 asks for when fetching `clone_url` over HTTPS, or
  // null when the URL is not on this GitHub's host (the token never leaves
  // for another host; file:// and local paths need none).
  std::function<std::string()> git_password(std::int64_t installation_id, const std::string& clone_url);

  // The login the bot posts as ("<slug>[bot]" for an App, the token's user
  // otherwise), cached after the first answer. "" when GitHub does not say
  // (an Actions token cannot read /user): the review marker alone counts.
  std::string bot_login();

 private:
  AccessConfig config_;
  std::unique_ptr<github::GitHubApp> app_;
  std::shared_ptr<github::Credentials> token_;
  std::mutex mu_;
  std::map<std::int64_t, std::unique_ptr<github::RestClient>> clients_;
  std::string bot_login_;
  bool bot_login_known_ = false;
};

// True when `clone_url` is an https (or http, for loopback tests) URL on the
// same host as `api_url` (api.github.com counts as github.com; GHES serves
// both from one host).
bool same_github_host(const std::string& clone_url, const std::string& api_url);

}  // namespace reviewer::app
