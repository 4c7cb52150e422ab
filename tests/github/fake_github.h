// An in-process fake of the GitHub REST API for the tests: a cpprestsdk
// http_listener on a free loopback port that keeps just enough state
// (pull heads, reviews, labels, check runs, statuses, installation tokens)
// to answer the publisher and App auth like GitHub does, records every
// request, and can be told to fail the next calls to a path. Handlers
// never block (continuations only), as BUILD-NOTES.md requires.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace reviewer::test {

struct Recorded {
  std::string method;
  std::string path;    // without the query, percent-encoded as sent
  std::string query;   // without '?'
  std::map<std::string, std::string> headers;  // lower-cased names
  nlohmann::json body; // null when empty
};

struct FakeResponse {
  int status = 200;
  nlohmann::json body;
  std::map<std::string, std::string> headers;
  int delay_ms = 0;  // answer this late (from a pool task; the handler itself never waits)
};

class FakeGitHub {
 public:
  FakeGitHub();
  ~FakeGitHub();
  FakeGitHub(const FakeGitHub&) = delete;
  FakeGitHub& operator=(const FakeGitHub&) = delete;

  std::string url() const { return url_; }

  // --- state -----------------------------------------------------------
  void set_pull_head(const std::string& owner_repo, std::int64_t number, const std::string& sha);
  // A whole pull request object (as GET /repos/{o}/{r}/pulls/{n} answers);
  // its head.sha becomes the pull head. Later set_pull_head calls win.
  void set_pull(const std::string& owner_repo, std::int64_t number, nlohmann::json pull);
  void set_labels(const std::string& owner_repo, std::int64_t number, std::vector<std::string> labels);
  std::vector<std::string> labels(const std::string& owner_repo, std::int64_t number);
  nlohmann::json reviews(const std::string& owner_repo, std::int64_t number);
  void add_review(const std::string& owner_repo, std::int64_t number, nlohmann::json review);
  nlohmann::json check_runs();            // every run, with "annotations" collected
  nlohmann::json statuses();  // as posted, with sha, repository, id, updated_at, creator
  // A check run or commit status of another App or CI on `owner_repo`
  // (with head_sha / sha set), as GitHub would list it.
  void add_check_run(const std::string& owner_repo, nlohmann::json run);
  void add_status(const std::string& owner_repo, nlohmann::json status);
  // Tokens the API accepts ("Bearer <token>"); minted installation tokens are added.
  void accept_token(const std::string& token);
  void revoke_all_tokens();
  // The App's public key (PEM): /app endpoints then verify the JWT with it.
  void set_app_public_key(const std::string& pem);
  void set_bot_login(const std::string& login) { bot_login_ = login; }
  // The login GET /user answers for any accepted token.
  void set_user_login(const std::string& login) { user_login_ = login; }
  // Seconds until minted tokens expire (GitHub: 3600), relative to now_().
  void set_token_lifetime(std::chrono::seconds s) { token_lifetime_ = s; }
  void set_clock(std::function<std::chrono::system_clock::time_point()> now) { now_ = std::move(now); }
  // Pages list answers with this many items per page (Link headers).
  void set_page_size(int n) { page_size_ = n; }
  // Reviews whose comments touch these "path:line" anchors are refused with 422.
  void reject_anchor(const std::string& path_line) { rejected_anchors_.push_back(path_line); }

  // --- scripting -------------------------------------------------------
  // The next `times` calls of `method` to exactly `path` get `response`.
  void fail_next(const std::string& method, const std::string& path, FakeResponse response, int times = 1);
  // A POST that GitHub performs but whose answer is lost (a 502 after acting).
  void act_then_fail_next(const std::string& method, const std::string& path, int status = 502);
  // A fully custom route, consulted before the built-in ones.
  void on(const std::string& method, const std::string& path, std::function<FakeResponse(const Recorded&)> handler);

  // --- inspection ------------------------------------------------------
  std::vector<Recorded> requests();
  std::vector<Recorded> requests(const std::string& method, const std::string& path_prefix);
  void clear_requests();
  // Every recorded request as JSON, for the OpenAPI conformance check.
  nlohmann::json requests_json();

 private:
  FakeResponse handle(const Recorded& r);
  FakeResponse route(const Recorded& r);
  FakeResponse paged(const Recorded& r, const nlohmann::json& items);
  FakeResponse paged_field(const Recorded& r, const nlohmann::json& items, const std::string& field);
  bool authorized(const Recorded& r, bool app_endpoint, std::string* why);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string url_;
  std::mutex mu_;
  std::vector<Recorded> requests_;
  struct Script { std::string method, path; FakeResponse response; int times; bool act; };
  std::vector<Script> scripts_;
  std::map<std::pair<std::string, std::string>, std::function<FakeResponse(const Recorded&)>> routes_;
  std::map<std::string, std::string> pull_heads_;              // "o/r#n" -> sha
  std::map<std::string, nlohmann::json> pulls_;                 // "o/r#n" -> pull object
  std::map<std::string, std::vector<std::string>> labels_;      // "o/r#n"
  std::map<std::string, nlohmann::json> reviews_;               // "o/r#n" -> array
  nlohmann::json check_runs_ = nlohmann::json::array();
  nlohmann::json statuses_ = nlohmann::json::array();
  std::map<std::string, std::chrono::system_clock::time_point> tokens_;  // token -> expiry
  std::string app_public_key_;
  std::string bot_login_ = "reviewer-test[bot]";
  std::string user_login_ = "reviewer-token-user";
  std::chrono::seconds token_lifetime_{3600};
  std::function<std::chrono::system_clock::time_point()> now_ = [] { return std::chrono::system_clock::now(); };
  int page_size_ = 100;
  std::vector<std::string> rejected_anchors_;
  std::int64_t next_id_ = 1000;
  int minted_ = 0;
};

}  // namespace reviewer::test
