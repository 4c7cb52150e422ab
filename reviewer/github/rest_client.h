// A small GitHub REST client on cpprestsdk's http_client: JSON in and out,
// pagination through Link headers, conditional GETs (ETag), retries with
// backoff and jitter on 5xx and rate limits (retry_policy.h), a per-host
// circuit breaker, a timeout on every call, and errors that carry GitHub's
// request id. Calls are synchronous: use it from worker threads, never from
// inside an HTTP listener route.
//
// Thread-safety: one RestClient may be shared by threads; calls are
// serialised per client (GitHub asks for serial requests per installation).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/github/circuit_breaker.h"
#include "reviewer/github/credentials.h"
#include "reviewer/github/github_error.h"
#include "reviewer/github/retry_policy.h"

namespace reviewer::github {

struct ClientOptions {
  std::string api_url = "https://api.github.com";  // GITHUB_API_URL; GHES: https://host/api/v3
  std::shared_ptr<Credentials> credentials;       // null: unauthenticated
  std::chrono::milliseconds timeout{30'000};      // per HTTP exchange
  RetryPolicy retry;
  // GitHub's best practice: at least 1 s between mutating calls.
  std::chrono::milliseconds min_mutation_interval{1000};
  std::string user_agent = "reviewer-bot";
  std::string api_version = "2022-11-28";
  int max_pages = 100;                            // pagination stops with an error beyond this
  // Seams for tests; defaults are the real clock, sleep and randomness.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::system_clock::time_point()> now;
  std::function<double()> jitter;
  // Diagnostic log (retries, rate limits). Never receives a token.
  std::function<void(const std::string&)> log;
  // Called after every HTTP exchange with its status (0: no answer), for
  // metrics such as reviewer_github_api_calls_total{status}.
  std::function<void(int status)> on_response;
  std::shared_ptr<CircuitBreaker> breaker;        // default: circuit_breaker_for(origin)
};

struct Response {
  int status = 0;
  Headers headers;              // names lower-cased
  nlohmann::json body;          // parsed JSON, a string for other bodies, null when empty
  std::string request_id;       // x-github-request-id
};

struct RequestOptions {
  std::vector<int> ok_statuses;  // answers >= 400 to return instead of throw (e.g. 404)
  // POST is not retried after a 5xx or a lost answer (GitHub may have acted
  // on it); set when the call is idempotent anyway.
  bool retry_unsafe = false;
  std::string accept = "application/vnd.github+json";
};

struct RateLimit {
  long long limit = -1, remaining = -1, reset = 0;  // -1: not seen yet
  std::string resource;
};

class RestClient {
 public:
  explicit RestClient(ClientOptions options);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // One call. `path` is relative to api_url and may carry a query
  // ("/repos/o/r/pulls?state=open"). Throws GitHubError for a final answer
  // >= 400 not in ok_statuses, and when retries or the circuit give up.
  Response request(std::string_view method, std::string_view path,
                   const nlohmann::json& body = nullptr, const RequestOptions& options = {});
  Response get(std::string_view path, const RequestOptions& o = {}) { return request("GET", path, nullptr, o); }

  // Every element of a list endpoint, following rel="next" links (which
  // must stay under api_url: the token is never sent elsewhere). `field`
  // names the array inside an object answer (e.g. "check_runs").
  // `max_items` > 0 stops after that many elements (no further page is
  // asked for) instead of reading up to max_pages.
  nlohmann::json get_all(std::string_view path, std::string_view field = {}, std::size_t max_items = 0);

  RateLimit rate_limit() const;
  const ClientOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "owner/repo" path segments and label names percent-encoded for a URL path.
std::string url_encode(std::string_view s);

}  // namespace reviewer::github
