#include <doctest/doctest.h>

#include "github_fixture.h"
#include "reviewer/github/rest_client.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;
using namespace std::chrono;

namespace {

struct Env {
  FakeGitHub fake;
  std::vector<milliseconds> slept;
  std::unique_ptr<RestClient> client;
  Env() {
    fake.accept_token("tok");
    client = std::make_unique<RestClient>(fake_options(fake, token_credentials("tok"), &slept));
  }
};

std::string thrown_message(const std::function<void()>& f, int* status = nullptr, std::string* rid = nullptr,
                           bool* transient = nullptr) {
  try {
    f();
  } catch (const GitHubError& e) {
    if (status) *status = e.status();
    if (rid) *rid = e.request_id();
    if (transient) *transient = e.transient();
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("github::RestClient") {
  TEST_CASE("sends JSON with GitHub's headers and parses the answer") {
    Env env;
    env.fake.on("POST", "/echo", [](const Recorded& r) { return FakeResponse{201, r.body, {}}; });
    Response r = env.client->request("POST", "/echo", {{"a", 1}});
    CHECK(r.status == 201);
    CHECK(r.body["a"] == 1);
    CHECK(r.request_id.rfind("FAKE:", 0) == 0);
    auto rec = env.fake.requests("POST", "/echo");
    REQUIRE(rec.size() == 1);
    CHECK(rec[0].headers["authorization"] == "Bearer tok");
    CHECK(rec[0].headers["accept"] == "application/vnd.github+json");
    CHECK(rec[0].headers["x-github-api-version"] == "2022-11-28");
    CHECK(rec[0].headers["content-type"].find("application/json") == 0);
  }

  TEST_CASE("follows Link headers across pages") {
    Env env;
    env.fake.set_page_size(2);
    for (int i = 0; i < 5; ++i) env.fake.add_review("o/r", 1, {{"body", std::to_string(i)}});
    auto all = env.client->get_all("/repos/o/r/pulls/1/reviews");
    REQUIRE(all.size() == 5);
    CHECK(all[4]["body"] == "4");
    CHECK(env.fake.requests("GET", "/repos/o/r/pulls/1/reviews").size() == 3);
  }

  TEST_CASE("refuses a next link that leaves the API host") {
    Env env;
    env.fake.on("GET", "/list", [](const Recorded&) {
      return FakeResponse{200, nlohmann::json::array({1}), {{"Link", "<https://evil.example/steal?page=2>; rel=\"next\""}}};
    });
    CHECK(thrown_message([&] { env.client->get_all("/list"); }).find("outside") != std::string::npos);
  }

  TEST_CASE("404, 422 and 403 are final: clear errors with the request id, no retries") {
    Env env;
    int status = 0;
    std::string rid;
    auto msg = thrown_message([&] { env.client->get("/repos/o/missing"); }, &status, &rid);
    CHECK(status == 404);
    CHECK(rid.rfind("FAKE:", 0) == 0);
    CHECK(msg.find("GET /repos/o/missing") != std::string::npos);
    CHECK(msg.find("request id " + rid) != std::string::npos);
    CHECK(msg.find("not installed") != std::string::npos);

    env.fake.fail_next("POST", "/x", {422, {{"message", "Validation Failed"}, {"errors", {"bad line"}}}, {}});
    bool transient = true;
    msg = thrown_message([&] { env.client->request("POST", "/x", {{"a", 1}}); }, &status, nullptr, &transient);
    CHECK(status == 422);
    CHECK_FALSE(transient);  // the same request fails the same way later
    CHECK(msg.find("Validation Failed") != std::string::npos);
    CHECK(msg.find("bad line") != std::string::npos);

    env.fake.fail_next("GET", "/y", {403, {{"message", "Resource not accessible by integration"}}, {{"x-ratelimit-remaining", "4000"}}});
    msg = thrown_message([&] { env.client->get("/y"); }, &status);
    CHECK(status == 403);
    CHECK(msg.find("permission") != std::string::npos);
    CHECK(env.fake.requests("GET", "/y").size() == 1);
    CHECK(env.slept.empty());
  }

  TEST_CASE("an accepted 404 is returned instead of thrown") {
    Env env;
    RequestOptions ro;
    ro.ok_statuses = {404};
    CHECK(env.client->request("DELETE", "/repos/o/r/issues/1/labels/none", nullptr, ro).status == 404);
  }

  TEST_CASE("401 re-asks the credentials once, then fails without leaking the token") {
    Env env;
    env.fake.revoke_all_tokens();
    int status = 0;
    auto msg = thrown_message([&] { env.client->get("/repos/o/r/pulls/1"); }, &status);
    CHECK(status == 401);
    CHECK(msg.find("tok") == std::string::npos);
    CHECK(msg.find("credentials were rejected") != std::string::npos);
    CHECK(env.fake.requests("GET", "/repos/o/r/pulls/1").size() == 2);
  }

  TEST_CASE("502 on a GET is retried with backoff; on a POST it is not") {
    Env env;
    env.fake.set_pull_head("o/r", 1, kHead);
    env.fake.fail_next("GET", "/repos/o/r/pulls/1", {502, {{"message", "Bad Gateway"}}, {}}, 2);
    auto r = env.client->get("/repos/o/r/pulls/1");
    CHECK(r.body["head"]["sha"] == kHead);
    CHECK(env.slept == std::vector<milliseconds>{milliseconds(250), milliseconds(500)});

    env.fake.fail_next("POST", "/repos/o/r/check-runs", {502, {{"message", "Bad Gateway"}}, {}});
    int status = 0;
    bool transient = false;
    thrown_message([&] { env.client->request("POST", "/repos/o/r/check-runs", {{"name", "x"}, {"head_sha", kHead}}); },
                   &status, nullptr, &transient);
    CHECK(status == 502);
    CHECK(transient);  // the job is retried later
    CHECK(env.fake.requests("POST", "/repos/o/r/check-runs").size() == 1);
  }

  TEST_CASE("429 and the secondary limit wait as retry-after says, for any method") {
    Env env;
    env.fake.fail_next("POST", "/repos/o/r/statuses/" + kHead,
                       {403, {{"message", "You have exceeded a secondary rate limit"}}, {{"retry-after", "3"}}});
    env.fake.fail_next("POST", "/repos/o/r/statuses/" + kHead, {429, {{"message", "slow down"}}, {{"retry-after", "5"}}});
    auto r = env.client->request("POST", "/repos/o/r/statuses/" + kHead, {{"state", "success"}});
    CHECK(r.status == 201);
    CHECK(env.slept == std::vector<milliseconds>{milliseconds(3000), milliseconds(5000)});
    CHECK(env.fake.requests("POST", "/repos/o/r/statuses/").size() == 3);
  }

  TEST_CASE("an exhausted primary limit waits for the reset, or fails when the reset is too far") {
    Env env;
    env.fake.set_pull_head("o/r", 2, kHead);
    long long reset = duration_cast<seconds>(system_clock::now().time_since_epoch()).count() + 20;
    env.fake.fail_next("GET", "/repos/o/r/pulls/2",
                       {403, {{"message", "API rate limit exceeded"}},
                        {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(reset)}}});
    env.client->get("/repos/o/r/pulls/2");
    REQUIRE(env.slept.size() == 1);
    CHECK(env.slept[0] >= milliseconds(15'000));
    CHECK(env.slept[0] <= milliseconds(22'000));
    CHECK(env.client->rate_limit().remaining == 0);  // remembered from the 403

    env.fake.fail_next("GET", "/repos/o/r/pulls/2",
                       {403, {{"message", "API rate limit exceeded"}},
                        {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(reset + 7200)}}});
    auto msg = thrown_message([&] { env.client->get("/repos/o/r/pulls/2"); });
    CHECK(msg.find("rate limited (primary limit exhausted)") != std::string::npos);
  }

  TEST_CASE("the circuit opens after repeated server failures and then fails fast") {
    Env env;
    env.fake.fail_next("GET", "/flaky", {503, {{"message", "down"}}, {}}, 100);
    thrown_message([&] { env.client->get("/flaky"); });  // 5 attempts: opens the circuit
    auto before = env.fake.requests("GET", "/flaky").size();
    CHECK(before == 5);
    auto msg = thrown_message([&] { env.client->get("/flaky"); });
    CHECK(msg.find("circuit open") != std::string::npos);
    CHECK(env.fake.requests("GET", "/flaky").size() == before);
  }

  TEST_CASE("a refused connection is a network failure with a clear message") {
    ClientOptions o;
    o.api_url = "http://127.0.0.1:1";
    o.sleep = [](milliseconds) {};
    o.retry.max_attempts = 2;
    o.breaker = std::make_shared<CircuitBreaker>();
    RestClient c(o);
    int status = -1;
    auto msg = thrown_message([&] { c.get("/x"); }, &status);
    CHECK(status == 0);
    CHECK(msg.find("no answer") != std::string::npos);
    CHECK(msg.find("gave up after 2 attempt(s)") != std::string::npos);
  }

  TEST_CASE("conditional GETs reuse the cached answer on 304") {
    Env env;
    env.fake.on("GET", "/etag", [](const Recorded& r) {
      if (r.headers.count("if-none-match") && r.headers.at("if-none-match") == "\"v1\"") {
        return FakeResponse{304, nullptr, {{"ETag", "\"v1\""}}};
      }
      return FakeResponse{200, {{"v", 1}}, {{"ETag", "\"v1\""}}};
    });
    CHECK(env.client->get("/etag").body["v"] == 1);
    auto second = env.client->get("/etag");
    CHECK(second.status == 200);
    CHECK(second.body["v"] == 1);
    auto rec = env.fake.requests("GET", "/etag");
    REQUIRE(rec.size() == 2);
    CHECK(rec[1].headers["if-none-match"] == "\"v1\"");
  }

  TEST_CASE("a base URL with a path prefix (GitHub Enterprise Server) prefixes every call") {
    FakeGitHub fake;
    fake.accept_token("tok");
    fake.on("GET", "/api/v3/meta", [](const Recorded&) { return FakeResponse{200, {{"ok", true}}, {}}; });
    auto o = fake_options(fake, token_credentials("tok"));
    o.api_url = fake.url() + "/api/v3/";
    RestClient c(o);
    CHECK(c.get("/meta").body["ok"] == true);
  }

  TEST_CASE("url_encode escapes label names for paths") {
    CHECK(url_encode("reviewer: needs-human") == "reviewer%3A%20needs-human");
    CHECK(url_encode("size/XS") == "size%2FXS");
  }
}

TEST_SUITE("github::RestClient timeouts") {
  TEST_CASE("a call that gets no answer in time fails with a timeout-like network error") {
    FakeGitHub fake;
    fake.accept_token("tok");
    fake.on("GET", "/slow", [](const Recorded&) {
      FakeResponse r{200, {{"late", true}}, {}};
      r.delay_ms = 3000;
      return r;
    });
    auto o = fake_options(fake, token_credentials("tok"));
    o.timeout = std::chrono::milliseconds(300);
    o.retry.max_attempts = 2;
    RestClient c(o);
    auto t0 = std::chrono::steady_clock::now();
    int status = -1;
    auto msg = thrown_message([&] { c.get("/slow"); }, &status);
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(status == 0);
    CHECK(msg.find("no answer") != std::string::npos);
    CHECK(took < std::chrono::milliseconds(2500));  // two attempts of 300 ms, not the 3 s answer
    CHECK(fake.requests("GET", "/slow").size() == 2);
  }
}
