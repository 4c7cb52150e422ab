// Where the Authorization header of a GitHub call comes from: a plain token,
// an App's JWT, or an App installation token minted (and cached) on demand.
// Implementations never log or expose the secret except through
// authorization(); error messages never contain it.
#pragma once

#include <memory>
#include <string>

namespace reviewer::github {

class Credentials {
 public:
  virtual ~Credentials() = default;
  Credentials() = default;
  Credentials(const Credentials&) = delete;
  Credentials& operator=(const Credentials&) = delete;

  // The Authorization header value, e.g. "Bearer ghs_...". May call GitHub
  // (to mint an installation token); throws GitHubError when that fails.
  virtual std::string authorization() = 0;
  // GitHub answered 401 to the last value: drop any cached token so the
  // next authorization() mints a fresh one.
  virtual void invalidate() {}
  // True for GitHub App credentials: only Apps may create check runs.
  virtual bool is_app() const = 0;
  // The secret itself (the token), for git over HTTPS; empty for a JWT.
  virtual std::string git_password() { return {}; }
};

// A personal access token or an Actions GITHUB_TOKEN.
std::shared_ptr<Credentials> token_credentials(std::string token);

}  // namespace reviewer::github
