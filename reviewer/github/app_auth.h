// GitHub App authentication (GITHUB.md B3): an RS256 JWT signed with the
// App's private key authenticates as the App; the App then mints one-hour
// installation access tokens, narrowed to the permissions the bot needs,
// cached per installation until shortly before they expire.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "reviewer/github/credentials.h"
#include "reviewer/github/rest_client.h"

namespace reviewer::github {

// The App JWT: iat = now - 60 s (clock drift), exp = iat + 9 min (GitHub's
// limit is 10 min after issue), iss = the App id (a number when it is one,
// else a client id string). Throws reviewer::Error when the key is not a
// usable RSA private key; the message never contains the key.
std::string make_app_jwt(const std::string& app_id, const std::string& private_key_pem,
                         std::chrono::system_clock::time_point now);

// The permissions every installation token is narrowed to: exactly what
// the publisher and the mirror use (.github/app-manifest.json grants them).
nlohmann::json bot_token_permissions();

struct AppConfig {
  std::string app_id;
  std::string private_key_pem;
  // A cached token is replaced this long before GitHub's expires_at.
  std::chrono::seconds refresh_margin{300};
  nlohmann::json permissions = bot_token_permissions();
};

class GitHubApp {
 public:
  // `client` carries the API URL, timeouts and test seams; its credentials
  // are replaced by the App JWT. Validates the private key at once.
  GitHubApp(AppConfig config, ClientOptions client);
  ~GitHubApp();
  GitHubApp(const GitHubApp&) = delete;
  GitHubApp& operator=(const GitHubApp&) = delete;

  // Credentials for /app endpoints (a fresh JWT per call).
  std::shared_ptr<Credentials> app_credentials();
  // Credentials for calls on behalf of one installation. They share this
  // App's token cache and must not outlive it.
  std::shared_ptr<Credentials> installation_credentials(std::int64_t installation_id);

  // The cached token, or a freshly minted one (POST
  // /app/installations/{id}/access_tokens). Thread-safe.
  std::string installation_token(std::int64_t installation_id);
  void forget(std::int64_t installation_id);
  // The App's bot login ("<slug>[bot]"), from GET /app; cached.
  std::string bot_login();

 private:
  struct Impl;
  std::function<std::string()> jwt_maker();
  std::shared_ptr<Impl> impl_;
};

}  // namespace reviewer::github
