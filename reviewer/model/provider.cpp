// The HTTP side of both providers. One http_client per provider (it is safe
// for concurrent requests and keeps connections alive); every call carries
// the provider's timeout.
#include "reviewer/model/provider.h"

#include <cstdlib>
#include <system_error>

#include <cpprest/http_client.h>
#include <fmt/format.h>

namespace reviewer::model {

namespace {

using nlohmann::json;
namespace http = web::http;

// Seconds in a retry-after header; HTTP dates and junk fall back to 1 s.
long retry_after_ms(const http::http_headers& headers) {
  auto it = headers.find("retry-after");
  if (it == headers.end()) return 1000;
  const std::string& v = it->second;
  if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos) return 1000;
  return std::stol(v) * 1000;
}

class HttpProvider final : public Provider {
 public:
  explicit HttpProvider(ProviderConfig config)
      : config_(std::move(config)), client_(web::uri(config_.base_url), client_config(config_)) {}

  const ProviderConfig& config() const override { return config_; }

  ChatReply chat(const ChatRequest& request) const override {
    const bool openai = config_.kind == ProviderKind::openai;
    http::http_request req(http::methods::POST);
    req.set_request_uri(openai ? "chat/completions" : "messages");
    std::string key;
    if (!config_.api_key_env.empty()) {
      const char* v = std::getenv(config_.api_key_env.c_str());
      if (!v || !*v) {
        throw ProviderError(ProviderError::Kind::config,
                            fmt::format("environment variable {} is not set", config_.api_key_env));
      }
      key = v;
    }
    if (openai) {
      if (!key.empty()) req.headers().add("Authorization", "Bearer " + key);
    } else {
      if (!key.empty()) req.headers().add("x-api-key", key);
      req.headers().add("anthropic-version", "2023-06-01");
    }
    const json body = openai ? openai_request_body(config_, request) : anthropic_request_body(config_, request);
    req.set_body(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");

    http::http_response resp;
    std::string text;
    try {
      resp = client_.request(req).get();
      text = resp.extract_utf8string(true).get();
    } catch (const http::http_exception& e) {
      if (e.error_code() == std::errc::timed_out) {
        throw ProviderError(ProviderError::Kind::timeout, fmt::format("no answer within {} ms", config_.timeout_ms));
      }
      throw ProviderError(ProviderError::Kind::network, fmt::format("HTTP error: {}", e.what()));
    } catch (const std::exception& e) {
      throw ProviderError(ProviderError::Kind::network, fmt::format("HTTP error: {}", e.what()));
    }
    const auto status = resp.status_code();
    if (status == 429) {
      throw ProviderError(ProviderError::Kind::rate_limited, "HTTP 429", retry_after_ms(resp.headers()));
    }
    if (status >= 500) throw ProviderError(ProviderError::Kind::server, fmt::format("HTTP {}", status));
    if (status != 200) throw ProviderError(ProviderError::Kind::client, fmt::format("HTTP {}", status));
    const json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) throw ProviderError(ProviderError::Kind::malformed, "reply is not JSON");
    return openai ? parse_openai_reply(parsed) : parse_anthropic_reply(parsed);
  }

 private:
  static http::client::http_client_config client_config(const ProviderConfig& c) {
    http::client::http_client_config cfg;
    cfg.set_timeout(std::chrono::milliseconds(c.timeout_ms));
    return cfg;
  }

  ProviderConfig config_;
  mutable http::client::http_client client_;
};

}  // namespace

std::unique_ptr<Provider> make_provider(const ProviderConfig& config) {
  return std::make_unique<HttpProvider>(config);
}

}  // namespace reviewer::model
