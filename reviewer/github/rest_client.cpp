#include "reviewer/github/rest_client.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <cpprest/http_client.h>
#include <fmt/format.h>

#include "reviewer/core/text.h"
#include "reviewer/github/link_header.h"

namespace reviewer::github {
namespace {

namespace http = web::http;
using std::chrono::milliseconds;

bool idempotent(std::string_view method) { return method != "POST"; }
bool mutating(std::string_view method) { return method != "GET" && method != "HEAD"; }

// "scheme://host[:port]" and the path prefix of the API URL.
std::pair<std::string, std::string> split_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    throw Error(Error::Code::usage, fmt::format("GitHub API URL '{}' must start with https:// or http://", url));
  }
  auto path_start = url.find('/', scheme_end + 3);
  std::string origin = url.substr(0, path_start);
  std::string prefix = path_start == std::string::npos ? "" : url.substr(path_start);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {origin, prefix};
}

std::string message_of(const nlohmann::json& body) {
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  return {};
}

std::string hint_for(int status) {
  switch (status) {
    case 401: return "; the credentials were rejected: check GITHUB_TOKEN or the App id and private key";
    case 403: return "; the token lacks a permission this call needs (see .github/app-manifest.json)";
    case 404: return "; not found, or the App is not installed on this repository";
    default: return "";
  }
}

}  // namespace

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

struct RestClient::Impl {
  ClientOptions opt;
  std::string origin, prefix;
  std::unique_ptr<http::client::http_client> client;
  std::mutex mu;  // serialises calls (GitHub: serial requests per installation)
  RateLimit rate;
  std::chrono::steady_clock::time_point last_mutation{};
  struct Cached { std::string etag; Response response; };
  std::map<std::string, Cached> etags;  // GET path -> last 200 answer
  std::mt19937_64 rng{std::random_device{}()};

  Response send_once(std::string_view method, const std::string& path, const std::string& body,
                     const RequestOptions& ro, const std::string& authorization, const std::string& etag) {
    http::http_request req{http::method(std::string(method))};
    req.set_request_uri(prefix + path);
    auto& h = req.headers();
    h.add("Accept", ro.accept);
    h.add("User-Agent", opt.user_agent);
    h.add("X-GitHub-Api-Version", opt.api_version);
    if (!authorization.empty()) h.add("Authorization", authorization);
    if (!etag.empty()) h.add("If-None-Match", etag);
    if (!body.empty()) req.set_body(body, "application/json; charset=utf-8");
    http::http_response resp = client->request(req).get();
    Response r;
    r.status = resp.status_code();
    for (const auto& [k, v] : resp.headers()) r.headers[lower(k)] = v;
    if (auto it = r.headers.find("x-github-request-id"); it != r.headers.end()) r.request_id = it->second;
    std::string text = resp.extract_utf8string(true).get();
    if (!text.empty()) {
      r.body = nlohmann::json::parse(text, nullptr, false);
      if (r.body.is_discarded()) r.body = text;
    }
    return r;
  }

  void note_rate_limit(const Headers& h) {
    auto num = [&](const char* name, long long& out) {
      auto it = h.find(name);
      if (it == h.end()) return;
      try { out = std::stoll(it->second); } catch (...) {}
    };
    num("x-ratelimit-limit", rate.limit);
    num("x-ratelimit-remaining", rate.remaining);
    num("x-ratelimit-reset", rate.reset);
    if (auto it = h.find("x-ratelimit-resource"); it != h.end()) rate.resource = it->second;
  }

  void log(const std::string& line) {
    if (opt.log) opt.log(line);
  }
};

RestClient::RestClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  auto& I = *impl_;
  I.opt = std::move(options);
  std::tie(I.origin, I.prefix) = split_url(I.opt.api_url);
  if (!I.opt.sleep) I.opt.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  if (!I.opt.now) I.opt.now = [] { return std::chrono::system_clock::now(); };
  if (!I.opt.jitter) {
    I.opt.jitter = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(impl_->rng); };
  }
  if (!I.opt.breaker) I.opt.breaker = circuit_breaker_for(I.origin);
  http::client::http_client_config config;
  config.set_timeout(I.opt.timeout);
  try {
    I.client = std::make_unique<http::client::http_client>(web::uri(I.origin), config);
  } catch (const std::exception& e) {
    throw Error(Error::Code::usage, fmt::format("bad GitHub API URL '{}': {}", I.opt.api_url, e.what()));
  }
}

RestClient::~RestClient() = default;

const ClientOptions& RestClient::options() const { return impl_->opt; }

RateLimit RestClient::rate_limit() const {
  std::lock_guard lock(impl_->mu);
  return impl_->rate;
}

Response RestClient::request(std::string_view method, std::string_view path_in, const nlohmann::json& body,
                             const RequestOptions& ro) {
  auto& I = *impl_;
  std::lock_guard lock(I.mu);
  std::string path(path_in);
  const std::string what = fmt::format("GitHub API {} {}", method, path);
  const std::string payload = body.is_null() ? std::string() : body.dump(-1, ' ', false,
                                                                          nlohmann::json::error_handler_t::replace);
  bool reauthenticated = false;
  int redirects = 0;
  for (int attempt = 1;; ++attempt) {
    if (!I.opt.breaker->allow()) {
      throw GitHubError(Error::Code::io, 0, "",
                        fmt::format("{}: not sent: {} failed repeatedly and is paused (circuit open)", what, I.origin));
    }
    if (mutating(method) && I.opt.min_mutation_interval.count() > 0) {
      auto since = std::chrono::steady_clock::now() - I.last_mutation;
      if (since < I.opt.min_mutation_interval) {
        I.opt.sleep(std::chrono::duration_cast<milliseconds>(I.opt.min_mutation_interval - since));
      }
      I.last_mutation = std::chrono::steady_clock::now();
    }
    std::string authorization = I.opt.credentials ? I.opt.credentials->authorization() : std::string();
    const Impl::Cached* cached = nullptr;
    if (method == "GET") {
      if (auto it = I.etags.find(path); it != I.etags.end()) cached = &it->second;
    }
    Response r;
    std::string transport_error;
    try {
      r = I.send_once(method, path, payload, ro, authorization, cached ? cached->etag : "");
    } catch (const std::exception& e) {
      r.status = 0;
      transport_error = e.what();
    }
    if (I.opt.on_response) I.opt.on_response(r.status);
    const bool host_failed = r.status == 0 || r.status >= 500;
    if (host_failed) I.opt.breaker->record_failure(); else I.opt.breaker->record_success();
    I.note_rate_limit(r.headers);

    if (r.status == 304 && cached) {
      Response hit = cached->response;
      hit.request_id = r.request_id;
      return hit;
    }
    if (r.status == 401 && I.opt.credentials && !reauthenticated) {
      // An installation token can expire early or be revoked: mint a new one once.
      I.opt.credentials->invalidate();
      reauthenticated = true;
      --attempt;
      continue;
    }
    if ((r.status == 301 || r.status == 302 || r.status == 307 || r.status == 308) && redirects < 3) {
      auto loc = r.headers.find("location");
      std::string base = I.origin + I.prefix;
      if (loc != r.headers.end() && loc->second.rfind(base + "/", 0) == 0) {
        path = loc->second.substr(base.size());
        ++redirects;
        --attempt;
        continue;
      }
    }
    if (r.status > 0 && (r.status < 400 || std::find(ro.ok_statuses.begin(), ro.ok_statuses.end(), r.status) !=
                                               ro.ok_statuses.end())) {
      if (method == "GET" && r.status == 200) {
        if (auto et = r.headers.find("etag"); et != r.headers.end()) {
          if (I.etags.size() > 512) I.etags.clear();
          I.etags[path] = {et->second, r};
        }
      }
      return r;
    }
    const std::string gh_message = message_of(r.body);
    Failure failure = classify(r.status, r.headers, gh_message);
    bool may_retry = failure == Failure::primary_limit || failure == Failure::secondary_limit ||
                     idempotent(method) || ro.retry_unsafe;
    auto delay = may_retry ? retry_delay(failure, r.headers, attempt, I.opt.retry, I.opt.jitter(), I.opt.now())
                           : std::nullopt;
    std::string status_text = r.status == 0 ? fmt::format("no answer ({})", transport_error)
                                            : fmt::format("HTTP {}", r.status);
    if (!delay) {
      std::string detail = gh_message.empty() ? "" : ": " + gh_message;
      if (r.body.is_object() && r.body.contains("errors")) {
        std::string errs = r.body["errors"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        detail += " " + errs.substr(0, 500);
      }
      std::string why;
      if (failure == Failure::primary_limit || failure == Failure::secondary_limit) {
        why = fmt::format("; rate limited ({}), giving up after {} attempt(s)",
                          failure == Failure::primary_limit ? "primary limit exhausted" : "secondary limit", attempt);
      } else if (failure != Failure::none) {
        why = fmt::format("; gave up after {} attempt(s)", attempt);
      }
      auto code = r.status == 0 || r.status >= 500 || failure != Failure::none ? Error::Code::io
                                                                                : Error::Code::invalid_input;
      throw GitHubError(code, r.status, r.request_id,
                        fmt::format("{}: {}{}{}{}{}", what, status_text, detail, why, hint_for(r.status),
                                    r.request_id.empty() ? "" : fmt::format(" (request id {})", r.request_id)));
    }
    I.log(fmt::format("{}: {}, retrying in {} ms (attempt {}/{})", what, status_text, delay->count(), attempt,
                      I.opt.retry.max_attempts));
    I.opt.sleep(*delay);
  }
}

nlohmann::json RestClient::get_all(std::string_view path_in, std::string_view field, std::size_t max_items) {
  nlohmann::json all = nlohmann::json::array();
  std::string path(path_in);
  if (path.find("per_page=") == std::string::npos) {
    path += (path.find('?') == std::string::npos ? "?" : "&") + std::string("per_page=100");
  }
  const std::string base = impl_->origin + impl_->prefix;
  for (int page = 0;; ++page) {
    if (page >= impl_->opt.max_pages) {
      throw GitHubError(Error::Code::invalid_input, 0, "",
                        fmt::format("GitHub API GET {}: more than {} pages", path_in, impl_->opt.max_pages));
    }
    Response r = get(path);
    const nlohmann::json& items = field.empty() ? r.body : r.body.value(std::string(field), nlohmann::json());
    if (!items.is_array()) {
      throw GitHubError(Error::Code::invalid_input, r.status, r.request_id,
                        fmt::format("GitHub API GET {}: expected a list in the answer", path));
    }
    for (const auto& item : items) {
      if (max_items > 0 && all.size() >= max_items) return all;
      all.push_back(item);
    }
    if (max_items > 0 && all.size() >= max_items) break;
    auto link = r.headers.find("link");
    if (link == r.headers.end()) break;
    auto next = link_target(link->second, "next");
    if (!next) break;
    if (next->rfind(base + "/", 0) != 0) {
      throw GitHubError(Error::Code::invalid_input, r.status, r.request_id,
                        fmt::format("GitHub API GET {}: next page '{}' is outside {}; not following it", path,
                                    *next, base));
    }
    path = next->substr(base.size());
  }
  return all;
}

}  // namespace reviewer::github
