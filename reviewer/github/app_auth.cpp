#include "reviewer/github/app_auth.h"

#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <jwt.h>

namespace reviewer::github {
namespace {

using Clock = std::chrono::system_clock;

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// "2016-07-11T22:14:10Z" -> time point; nullopt when malformed.
std::optional<Clock::time_point> parse_iso8601(const std::string& s) {
  std::tm tm{};
  int y, mo, d, h, mi, sec;
  char z = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 || z != 'Z') {
    return std::nullopt;
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return Clock::from_time_t(timegm(&tm));
}

}  // namespace

std::string make_app_jwt(const std::string& app_id, const std::string& pem, Clock::time_point now) {
  if (app_id.empty()) throw Error(Error::Code::usage, "GITHUB_APP_ID is empty");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw Error(Error::Code::internal, "cannot create a JWT (out of memory)");
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  long iat = static_cast<long>(Clock::to_time_t(now)) - 60;
  int rc = jwt_add_grant_int(jwt.get(), "iat", iat);
  rc |= jwt_add_grant_int(jwt.get(), "exp", iat + 9 * 60);
  rc |= all_digits(app_id) && app_id.size() < 18 ? jwt_add_grant_int(jwt.get(), "iss", std::stol(app_id))
                                                  : jwt_add_grant(jwt.get(), "iss", app_id.c_str());
  rc |= jwt_set_alg(jwt.get(), JWT_ALG_RS256, reinterpret_cast<const unsigned char*>(pem.data()),
                    static_cast<int>(pem.size()));
  if (rc != 0) throw Error(Error::Code::usage, "cannot build the App JWT: bad App id or private key");
  char* encoded = jwt_encode_str(jwt.get());
  if (!encoded) {
    throw Error(Error::Code::usage,
                "cannot sign the App JWT: GITHUB_APP_PRIVATE_KEY_FILE does not hold an RSA private key in PEM form");
  }
  std::string out(encoded);
  std::free(encoded);
  return out;
}

nlohmann::json bot_token_permissions() {
  // statuses: read, for the commit statuses recorded as test results (issue 21).
  return {{"contents", "read"}, {"metadata", "read"}, {"pull_requests", "write"},
          {"issues", "write"},   {"checks", "write"}, {"statuses", "read"}};
}

struct GitHubApp::Impl {
  AppConfig config;
  std::function<Clock::time_point()> now;
  std::unique_ptr<RestClient> app_client;  // authenticated with the JWT
  std::mutex mu;
  struct Token { std::string value; Clock::time_point refresh_at; };
  std::map<std::int64_t, Token> tokens;
  std::string bot_login;

  std::string jwt() { return make_app_jwt(config.app_id, config.private_key_pem, now()); }
};

namespace {

// A fresh JWT per call: they live 10 minutes and cost nothing to make.
class JwtCredentials final : public Credentials {
 public:
  explicit JwtCredentials(std::function<std::string()> make) : make_(std::move(make)) {}
  std::string authorization() override { return "Bearer " + make_(); }
  bool is_app() const override { return true; }

 private:
  std::function<std::string()> make_;
};

}  // namespace

std::function<std::string()> GitHubApp::jwt_maker() {
  std::weak_ptr<Impl> weak = impl_;
  return [weak] {
    auto app = weak.lock();
    if (!app) throw Error(Error::Code::internal, "GitHub App credentials used after the App was destroyed");
    return app->jwt();
  };
}

GitHubApp::GitHubApp(AppConfig config, ClientOptions client) : impl_(std::make_shared<Impl>()) {
  impl_->config = std::move(config);
  impl_->now = client.now ? client.now : [] { return Clock::now(); };
  impl_->jwt();  // fail at start-up, not on the first webhook, when the key is unusable
  client.credentials = std::make_shared<JwtCredentials>(jwt_maker());
  impl_->app_client = std::make_unique<RestClient>(std::move(client));
}

GitHubApp::~GitHubApp() = default;

std::shared_ptr<Credentials> GitHubApp::app_credentials() { return std::make_shared<JwtCredentials>(jwt_maker()); }

std::string GitHubApp::installation_token(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  auto now = impl_->now();
  if (auto it = impl_->tokens.find(id); it != impl_->tokens.end() && now < it->second.refresh_at) {
    return it->second.value;
  }
  nlohmann::json body = {{"permissions", impl_->config.permissions}};
  // Minting is idempotent (each call returns a new token), so a lost answer may be retried.
  RequestOptions ro;
  ro.retry_unsafe = true;
  Response r = impl_->app_client->request("POST", fmt::format("/app/installations/{}/access_tokens", id), body, ro);
  if (!r.body.is_object() || !r.body.contains("token") || !r.body["token"].is_string()) {
    throw GitHubError(Error::Code::invalid_input, r.status, r.request_id,
                      fmt::format("GitHub minted no token for installation {} (request id {})", id, r.request_id));
  }
  Impl::Token t;
  t.value = r.body["token"].get<std::string>();
  // Without a readable expiry assume GitHub's documented hour.
  auto expires = parse_iso8601(r.body.value("expires_at", std::string()));
  t.refresh_at = expires.value_or(now + std::chrono::hours(1)) - impl_->config.refresh_margin;
  impl_->tokens[id] = t;
  return t.value;
}

void GitHubApp::forget(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  impl_->tokens.erase(id);
}

std::string GitHubApp::bot_login() {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->bot_login.empty()) return impl_->bot_login;
  }
  Response r = impl_->app_client->get("/app");
  std::string slug = r.body.is_object() ? r.body.value("slug", std::string()) : std::string();
  if (slug.empty()) {
    throw GitHubError(Error::Code::invalid_input, r.status, r.request_id, "GitHub GET /app returned no slug");
  }
  std::lock_guard lock(impl_->mu);
  impl_->bot_login = slug + "[bot]";
  return impl_->bot_login;
}

namespace {

class InstallationCredentials final : public Credentials {
 public:
  InstallationCredentials(GitHubApp* app, std::int64_t id) : app_(app), id_(id) {}
  std::string authorization() override { return "Bearer " + app_->installation_token(id_); }
  void invalidate() override { app_->forget(id_); }
  bool is_app() const override { return true; }
  std::string git_password() override { return app_->installation_token(id_); }

 private:
  GitHubApp* app_;
  std::int64_t id_;
};

}  // namespace

std::shared_ptr<Credentials> GitHubApp::installation_credentials(std::int64_t id) {
  return std::make_shared<InstallationCredentials>(this, id);
}

}  // namespace reviewer::github
