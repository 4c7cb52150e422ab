#include "fake_github.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <cpprest/http_listener.h>
#include <fmt/format.h>
#include <jwt.h>

#include "reviewer/core/utc_time.h"

namespace reviewer::test {
namespace {

namespace http = web::http;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error("no free loopback port");
  }
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  std::string seg;
  while (std::getline(ss, seg, '/')) {
    if (!seg.empty()) out.push_back(web::uri::decode(seg));
  }
  return out;
}

std::string key(const std::string& o, const std::string& r, const std::string& n) { return o + "/" + r + "#" + n; }

FakeResponse error(int status, const std::string& message) { return {status, {{"message", message}}, {}}; }

}  // namespace

struct FakeGitHub::Impl {
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  std::int64_t request_counter = 0;
};

FakeGitHub::FakeGitHub() : impl_(std::make_unique<Impl>()) {
  for (int tries = 0;; ++tries) {
    url_ = fmt::format("http://127.0.0.1:{}", free_port());
    impl_->listener = std::make_unique<http::experimental::listener::http_listener>(web::uri(url_));
    impl_->listener->support([this](http::http_request req) {
      // Never block here: the body arrives in a continuation.
      req.extract_utf8string(true).then([this, req](pplx::task<std::string> t) mutable {
        Recorded r;
        r.method = req.method();
        r.path = req.relative_uri().path();  // as sent: percent-encoding kept
        r.query = req.relative_uri().query();
        for (const auto& [k, v] : req.headers()) {
          std::string lk = k;
          std::transform(lk.begin(), lk.end(), lk.begin(), [](unsigned char c) { return std::tolower(c); });
          r.headers[lk] = v;
        }
        FakeResponse fr;
        try {
          std::string text = t.get();
          r.body = text.empty() ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
          if (r.body.is_discarded()) {
            fr = error(400, "Problems parsing JSON");
          } else {
            fr = handle(r);
          }
        } catch (const std::exception& e) {
          fr = error(500, std::string("fake GitHub: ") + e.what());
        }
        http::http_response resp(static_cast<http::status_code>(fr.status));
        for (const auto& [k, v] : fr.headers) resp.headers().add(k, v);
        {
          std::lock_guard lock(mu_);
          resp.headers().add("x-github-request-id", fmt::format("FAKE:{}", ++impl_->request_counter));
        }
        if (!fr.body.is_null()) resp.set_body(fr.body.dump(), "application/json; charset=utf-8");
        if (fr.delay_ms > 0) {
          int delay = fr.delay_ms;
          pplx::create_task([delay] { std::this_thread::sleep_for(std::chrono::milliseconds(delay)); })
              .then([req, resp]() mutable { req.reply(resp); });
          return;
        }
        req.reply(resp);
      });
    });
    try {
      impl_->listener->open().wait();
      return;
    } catch (const std::exception&) {
      if (tries > 5) throw;
    }
  }
}

FakeGitHub::~FakeGitHub() {
  try {
    impl_->listener->close().wait();
  } catch (...) {
  }
}

void FakeGitHub::set_pull_head(const std::string& repo, std::int64_t n, const std::string& sha) {
  std::lock_guard lock(mu_);
  pull_heads_[repo + "#" + std::to_string(n)] = sha;
}
void FakeGitHub::set_pull(const std::string& repo, std::int64_t n, nlohmann::json pull) {
  std::lock_guard lock(mu_);
  const std::string k = repo + "#" + std::to_string(n);
  pull_heads_[k] = pull.at("head").at("sha").get<std::string>();
  pulls_[k] = std::move(pull);
}
void FakeGitHub::set_labels(const std::string& repo, std::int64_t n, std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  labels_[repo + "#" + std::to_string(n)] = std::move(labels);
}
std::vector<std::string> FakeGitHub::labels(const std::string& repo, std::int64_t n) {
  std::lock_guard lock(mu_);
  return labels_[repo + "#" + std::to_string(n)];
}
nlohmann::json FakeGitHub::reviews(const std::string& repo, std::int64_t n) {
  std::lock_guard lock(mu_);
  auto& v = reviews_[repo + "#" + std::to_string(n)];
  return v.is_null() ? nlohmann::json::array() : v;
}
void FakeGitHub::add_review(const std::string& repo, std::int64_t n, nlohmann::json review) {
  std::lock_guard lock(mu_);
  auto& v = reviews_[repo + "#" + std::to_string(n)];
  if (v.is_null()) v = nlohmann::json::array();
  if (!review.contains("id")) review["id"] = ++next_id_;
  v.push_back(std::move(review));
}
nlohmann::json FakeGitHub::check_runs() {
  std::lock_guard lock(mu_);
  return check_runs_;
}
nlohmann::json FakeGitHub::statuses() {
  std::lock_guard lock(mu_);
  return statuses_;
}
void FakeGitHub::add_check_run(const std::string& owner_repo, nlohmann::json run) {
  std::lock_guard lock(mu_);
  run["repository"] = owner_repo;
  check_runs_.push_back(std::move(run));
}
void FakeGitHub::add_status(const std::string& owner_repo, nlohmann::json status) {
  std::lock_guard lock(mu_);
  status["repository"] = owner_repo;
  statuses_.push_back(std::move(status));
}
void FakeGitHub::accept_token(const std::string& token) {
  std::lock_guard lock(mu_);
  tokens_[token] = std::chrono::system_clock::time_point::max();
}
void FakeGitHub::revoke_all_tokens() {
  std::lock_guard lock(mu_);
  tokens_.clear();
}
void FakeGitHub::set_app_public_key(const std::string& pem) {
  std::lock_guard lock(mu_);
  app_public_key_ = pem;
}
void FakeGitHub::fail_next(const std::string& method, const std::string& path, FakeResponse response, int times) {
  std::lock_guard lock(mu_);
  scripts_.push_back({method, path, std::move(response), times, false});
}
void FakeGitHub::act_then_fail_next(const std::string& method, const std::string& path, int status) {
  std::lock_guard lock(mu_);
  scripts_.push_back({method, path, error(status, "Bad Gateway"), 1, true});
}
void FakeGitHub::on(const std::string& method, const std::string& path,
                    std::function<FakeResponse(const Recorded&)> handler) {
  std::lock_guard lock(mu_);
  routes_[{method, path}] = std::move(handler);
}
std::vector<Recorded> FakeGitHub::requests() {
  std::lock_guard lock(mu_);
  return requests_;
}
std::vector<Recorded> FakeGitHub::requests(const std::string& method, const std::string& prefix) {
  std::lock_guard lock(mu_);
  std::vector<Recorded> out;
  for (const auto& r : requests_) {
    if (r.method == method && r.path.rfind(prefix, 0) == 0) out.push_back(r);
  }
  return out;
}
void FakeGitHub::clear_requests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}
nlohmann::json FakeGitHub::requests_json() {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : requests_) {
    out.push_back({{"method", r.method}, {"path", r.path}, {"query", r.query}, {"body", r.body},
                   {"accept", r.headers.count("accept") ? r.headers.at("accept") : ""},
                   {"api_version", r.headers.count("x-github-api-version") ? r.headers.at("x-github-api-version") : ""}});
  }
  return out;
}

FakeResponse FakeGitHub::handle(const Recorded& r) {
  std::function<FakeResponse(const Recorded&)> custom;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(r);
    for (auto it = scripts_.begin(); it != scripts_.end(); ++it) {
      if (it->method == r.method && it->path == r.path) {
        Script s = *it;
        if (--it->times <= 0) scripts_.erase(it);
        if (!s.act) return s.response;
        mu_.unlock();
        route(r);  // GitHub acted; the answer is lost
        mu_.lock();
        return s.response;
      }
    }
    if (auto it = routes_.find({r.method, r.path}); it != routes_.end()) custom = it->second;
  }
  if (custom) return custom(r);
  return route(r);
}

bool FakeGitHub::authorized(const Recorded& r, bool app_endpoint, std::string* why) {
  auto it = r.headers.find("authorization");
  if (it == r.headers.end() || it->second.rfind("Bearer ", 0) != 0) {
    *why = "Requires authentication";
    return false;
  }
  std::string cred = it->second.substr(7);
  if (app_endpoint) {
    if (app_public_key_.empty()) return true;
    jwt_t* jwt = nullptr;
    int rc = jwt_decode(&jwt, cred.c_str(), reinterpret_cast<const unsigned char*>(app_public_key_.data()),
                        static_cast<int>(app_public_key_.size()));
    if (rc != 0 || !jwt) {
      *why = "A JSON web token could not be decoded";
      return false;
    }
    long iat = jwt_get_grant_int(jwt, "iat"), exp = jwt_get_grant_int(jwt, "exp");
    bool alg_ok = jwt_get_alg(jwt) == JWT_ALG_RS256;
    jwt_free(jwt);
    long now = static_cast<long>(std::chrono::system_clock::to_time_t(now_()));
    if (!alg_ok || exp - iat > 600 || iat > now + 1 || exp < now) {
      *why = "'Expiration time' claim ('exp') is too far in the future";
      return false;
    }
    return true;
  }
  auto t = tokens_.find(cred);
  if (t == tokens_.end() || t->second <= now_()) {
    *why = "Bad credentials";
    return false;
  }
  return true;
}

FakeResponse FakeGitHub::paged(const Recorded& r, const nlohmann::json& items) {
  int page = 1;
  auto pos = r.query.find("page=");
  while (pos != std::string::npos && pos > 0 && r.query[pos - 1] != '&') pos = r.query.find("page=", pos + 1);
  if (pos != std::string::npos) page = std::max(1, std::atoi(r.query.c_str() + pos + 5));
  std::size_t from = static_cast<std::size_t>((page - 1) * page_size_);
  nlohmann::json slice = nlohmann::json::array();
  for (std::size_t i = from; i < items.size() && i < from + page_size_; ++i) slice.push_back(items[i]);
  FakeResponse fr{200, slice, {}};
  if (from + page_size_ < items.size()) {
    fr.headers["Link"] = fmt::format("<{}{}?per_page={}&page={}>; rel=\"next\"", url_, r.path, page_size_, page + 1);
  }
  return fr;
}

// A list inside an object answer ({"total_count": N, field: [...]}),
// paged like paged() with the same Link headers.
FakeResponse FakeGitHub::paged_field(const Recorded& r, const nlohmann::json& items, const std::string& field) {
  FakeResponse fr = paged(r, items);
  fr.body = {{"total_count", items.size()}, {field, fr.body}};
  return fr;
}

FakeResponse FakeGitHub::route(const Recorded& r) {
  std::lock_guard lock(mu_);
  auto s = split(r.path);
  const std::string& m = r.method;
  std::string why;
  bool app_endpoint = !s.empty() && s[0] == "app";
  if (!authorized(r, app_endpoint, &why)) return error(401, why);

  if (app_endpoint) {
    if (m == "GET" && s.size() == 1) {
      return {200, {{"id", 1}, {"slug", bot_login_.substr(0, bot_login_.find('['))}, {"name", "reviewer"}}, {}};
    }
    if (m == "POST" && s.size() == 4 && s[1] == "installations" && s[3] == "access_tokens") {
      std::string token = fmt::format("ghs_fake{}_{}", s[2], ++minted_);
      auto exp = now_() + token_lifetime_;
      tokens_[token] = exp;
      return {201, {{"token", token}, {"expires_at", utc_iso8601(exp)}, {"permissions", r.body.value("permissions", nlohmann::json::object())}}, {}};
    }
    return error(404, "Not Found");
  }
  if (m == "GET" && s.size() == 1 && s[0] == "user") return {200, {{"login", user_login_}, {"type", "User"}}, {}};
  if (s.size() < 3 || s[0] != "repos") return error(404, "Not Found");
  const std::string repo = s[1] + "/" + s[2];
  // /repos/o/r/pulls/n[/reviews[/id/dismissals]]
  if (s.size() >= 5 && s[3] == "pulls") {
    std::string k = key(s[1], s[2], s[4]);
    if (m == "GET" && s.size() == 5) {
      auto it = pull_heads_.find(k);
      if (it == pull_heads_.end()) return error(404, "Not Found");
      if (auto full = pulls_.find(k); full != pulls_.end()) {
        nlohmann::json p = full->second;
        p["head"]["sha"] = it->second;
        return {200, p, {}};
      }
      return {200, {{"number", std::stoll(s[4])}, {"head", {{"sha", it->second}}}, {"state", "open"}}, {}};
    }
    auto& list = reviews_[k];
    if (list.is_null()) list = nlohmann::json::array();
    if (s.size() == 6 && s[5] == "reviews") {
      if (m == "GET") return paged(r, list);
      if (m == "POST") {
        for (const auto& c : r.body.value("comments", nlohmann::json::array())) {
          std::string anchor = c.value("path", "") + ":" + std::to_string(c.value("line", 0));
          if (std::find(rejected_anchors_.begin(), rejected_anchors_.end(), anchor) != rejected_anchors_.end()) {
            return {422, {{"message", "Unprocessable Entity"},
                          {"errors", {"Pull request review thread line must be part of the diff"}}}, {}};
          }
        }
        std::string ev = r.body.value("event", "");
        std::string state = ev == "APPROVE" ? "APPROVED" : ev == "REQUEST_CHANGES" ? "CHANGES_REQUESTED"
                            : ev == "COMMENT" ? "COMMENTED" : "PENDING";
        nlohmann::json rv = {{"id", ++next_id_}, {"user", {{"login", bot_login_}, {"type", "Bot"}}},
                             {"body", r.body.value("body", "")}, {"state", state},
                             {"commit_id", r.body.value("commit_id", "")},
                             {"comments", r.body.value("comments", nlohmann::json::array())}};
        list.push_back(rv);
        return {200, rv, {}};
      }
    }
    if (s.size() == 8 && s[5] == "reviews" && s[7] == "dismissals" && m == "PUT") {
      for (auto& rv : list) {
        if (std::to_string(rv.value("id", std::int64_t{0})) == s[6]) {
          rv["state"] = "DISMISSED";
          return {200, rv, {}};
        }
      }
      return error(404, "Not Found");
    }
    return error(404, "Not Found");
  }
  // /repos/o/r/issues/n/labels[/name]
  if (s.size() >= 6 && s[3] == "issues" && s[5] == "labels") {
    auto& labels = labels_[key(s[1], s[2], s[4])];
    auto as_json = [&] {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& l : labels) out.push_back({{"name", l}});
      return out;
    };
    if (m == "GET" && s.size() == 6) return paged(r, as_json());
    if (m == "POST" && s.size() == 6) {
      for (const auto& l : r.body.value("labels", nlohmann::json::array())) {
        if (l.is_string() && std::find(labels.begin(), labels.end(), l.get<std::string>()) == labels.end()) {
          labels.push_back(l.get<std::string>());
        }
      }
      return {200, as_json(), {}};
    }
    if (m == "DELETE" && s.size() == 7) {
      auto it = std::find(labels.begin(), labels.end(), s[6]);
      if (it == labels.end()) return error(404, "Label does not exist");
      labels.erase(it);
      return {200, as_json(), {}};
    }
  }
  if (s.size() == 4 && s[3] == "check-runs" && m == "POST") {
    nlohmann::json run = r.body;
    run["id"] = ++next_id_;
    run["app"] = {{"slug", bot_login_.substr(0, bot_login_.find('['))}};
    if (!run.contains("status")) run["status"] = run.contains("conclusion") ? "completed" : "queued";
    run["annotations"] = r.body.contains("output") ? r.body["output"].value("annotations", nlohmann::json::array())
                                                   : nlohmann::json::array();
    run["repository"] = repo;
    check_runs_.push_back(run);
    return {201, run, {}};
  }
  if (s.size() == 5 && s[3] == "check-runs" && m == "PATCH") {
    for (auto& run : check_runs_) {
      if (std::to_string(run.value("id", std::int64_t{0})) != s[4]) continue;
      for (auto& [k, v] : r.body.items()) {
        if (k != "output") run[k] = v;
      }
      if (r.body.contains("conclusion")) run["status"] = "completed";
      if (r.body.contains("output")) {
        run["output"] = r.body["output"];
        for (const auto& a : r.body["output"].value("annotations", nlohmann::json::array())) run["annotations"].push_back(a);
      }
      return {200, run, {}};
    }
    return error(404, "Not Found");
  }
  if (s.size() == 6 && s[3] == "commits" && s[5] == "check-runs" && m == "GET") {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& run : check_runs_) {
      if (run.value("head_sha", "") == s[4] && run.value("repository", "") == repo) runs.push_back(run);
    }
    std::reverse(runs.begin(), runs.end());  // newest first, as GitHub lists them
    return paged_field(r, runs, "check_runs");
  }
  if (s.size() == 5 && s[3] == "statuses" && m == "POST") {
    nlohmann::json st = r.body;
    st["sha"] = s[4];
    st["repository"] = repo;
    st["id"] = ++next_id_;
    st["updated_at"] = utc_iso8601(now_());
    st["creator"] = {{"login", bot_login_}};
    statuses_.push_back(st);
    return {201, st, {}};
  }
  // The combined status: the latest status of each context, newest first.
  if (s.size() == 6 && s[3] == "commits" && s[5] == "status" && m == "GET") {
    nlohmann::json latest = nlohmann::json::array();
    std::vector<std::string> seen;
    for (auto it = statuses_.rbegin(); it != statuses_.rend(); ++it) {
      const std::string context = it->value("context", "default");
      if (it->value("sha", "") != s[4] || it->value("repository", "") != repo) continue;
      if (std::find(seen.begin(), seen.end(), context) != seen.end()) continue;
      seen.push_back(context);
      latest.push_back(*it);
    }
    return paged_field(r, latest, "statuses");
  }
  return error(404, "Not Found");
}

}  // namespace reviewer::test
