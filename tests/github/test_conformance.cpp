// Every request the bot sends, checked against GitHub's OpenAPI description
// (@octokit/openapi, installed by `npm ci --prefix tests/tools`).
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "github_fixture.h"
#include "reviewer/github/app_auth.h"
#include "reviewer/github/publisher.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;

namespace {

const std::string kTools = std::string(REVIEWER_SOURCE_DIR) + "/tests/tools/node_modules";
const std::string kSpec = kTools + "/@octokit/openapi/generated/api.github.com.json";
const std::string kChecker = std::string(REVIEWER_SOURCE_DIR) + "/tests/github/openapi_check.js";

int check_requests(const nlohmann::json& requests, std::string* output) {
  auto dir = scratch_dir("openapi");
  write_text(dir / "requests.json", requests.dump(2));
  return run_command("node '" + kChecker + "' '" + kSpec + "' '" + (dir / "requests.json").string() + "'", output,
                     true);
}

// Exercises every call the bot makes: App auth, the gate in progress, a
// review with single-line, ranged and LEFT comments, a dismissal, label
// additions and removals, a check run with annotation batches, a commit
// status, and the shadow and redelivery paths.
nlohmann::json record_everything() {
  nlohmann::json all = nlohmann::json::array();
  {
    FakeGitHub fake;
    fake.set_pull_head("o/r", 7, kHead2);
    fake.set_labels("o/r", 7, {"size/L", "reviewer: approved", "bug"});
    fake.add_review("o/r", 7, {{"user", {{"login", "reviewer-test[bot]"}}}, {"state", "APPROVED"},
                               {"commit_id", kHead}, {"body", review_marker("old", kHead)}});
    AppConfig ac;
    ac.app_id = "4242";
    ac.private_key_pem = test_rsa_key().private_pem;
    GitHubApp app(ac, fake_options(fake, nullptr));
    RestClient client(fake_options(fake, app.installation_credentials(12)));
    PublisherOptions po;
    po.bot_login = app.bot_login();
    Publisher p(&client, po);
    PublishTarget t{"o", "r", 7, true, false, "https://reviewer.example/runs/1"};
    std::vector<Finding> fs = {finding("logic/a", Severity::error, "src/app.cpp", 11),
                               finding("logic/b", Severity::warning, "src/app.cpp", 11, 13),
                               finding("logic/c", Severity::info, "gone.txt", 2),
                               finding("logic/d", Severity::critical, "new/name.h", 5),
                               finding("logic/e", Severity::warning, "", 0)};
    for (int i = 0; i < 60; ++i) fs.push_back(finding("logic/n" + std::to_string(i), Severity::info, "src/app.cpp", 41));
    p.start(t, kHead2, "run-x", Mode::active);
    p.publish(sample_result(kHead2, DecisionKind::request_changes, fs), t, Mode::active);
    p.publish(sample_result(kHead2, DecisionKind::request_changes, fs), t, Mode::active);  // redelivery
    p.publish(sample_result(kHead2, DecisionKind::approve), t, Mode::shadow);
    for (const auto& r : fake.requests_json()) all.push_back(r);
  }
  {
    FakeGitHub fake;
    fake.accept_token("tok");
    fake.set_pull_head("o/r", 8, kHead);
    RestClient client(fake_options(fake, token_credentials("tok")));
    PublisherOptions po;
    po.bot_login = "someone";
    po.app = false;
    Publisher p(&client, po);
    PublishTarget t{"o", "r", 8, false, false, "https://reviewer.example/runs/2"};
    auto r = sample_result(kHead, DecisionKind::approve);
    r.pr.number = 8;
    p.start(t, kHead, "run-y", Mode::active);
    p.publish(r, t, Mode::active);
    for (const auto& x : fake.requests_json()) all.push_back(x);
  }
  return all;
}

}  // namespace

TEST_SUITE("github::conformance") {
  TEST_CASE("every request the bot sends matches GitHub's OpenAPI description") {
    REQUIRE_MESSAGE(std::filesystem::exists(kSpec),
                    "@octokit/openapi missing: run `npm ci --prefix tests/tools` (scripts/test.sh does)");
    nlohmann::json requests = record_everything();
    // Sanity: the scenario covers every kind of call.
    std::set<std::string> kinds;
    for (const auto& r : requests) kinds.insert(r["method"].get<std::string>() + " " + r["path"].get<std::string>());
    for (const char* k : {"POST /app/installations/12/access_tokens", "GET /app", "GET /repos/o/r/pulls/7",
                          "GET /repos/o/r/pulls/7/reviews", "POST /repos/o/r/pulls/7/reviews",
                          "GET /repos/o/r/issues/7/labels", "POST /repos/o/r/issues/7/labels",
                          "POST /repos/o/r/check-runs", "POST /repos/o/r/statuses/" "1111111111111111111111111111111111111111"}) {
      CHECK_MESSAGE(kinds.count(k) == 1, k);
    }
    CHECK(requests.size() > 20);
    for (const auto& r : requests) {
      CHECK(r["api_version"] == "2022-11-28");
      CHECK(r["accept"] == "application/vnd.github+json");
    }
    std::string out;
    int rc = check_requests(requests, &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("checked " + std::to_string(requests.size()) + " requests") != std::string::npos);
  }

  TEST_CASE("the checker catches wrong paths, enums, missing fields and undocumented fields") {
    REQUIRE(std::filesystem::exists(kSpec));
    nlohmann::json bad = nlohmann::json::array({
        {{"method", "POST"}, {"path", "/repos/o/r/pulls/7/reviews"}, {"query", ""},
         {"body", {{"event", "APPROVED"}, {"body", "x"}}}},
        {{"method", "POST"}, {"path", "/repos/o/r/check-runs"}, {"query", ""}, {"body", {{"name", "reviewer"}}}},
        {{"method", "PATCH"}, {"path", "/repos/o/r/check-runs/1"}, {"query", ""},
         {"body", {{"conclusion", "passed"}}}},
        {{"method", "POST"}, {"path", "/repos/o/r/pulls/7/reviews"}, {"query", ""},
         {"body", {{"event", "COMMENT"}, {"comments", {{{"path", "a"}, {"body", "b"}, {"line", 1}, {"side", "RIGHT"}, {"colour", 1}}}}}}},
        {{"method", "POST"}, {"path", "/repos/o/r/no-such-thing"}, {"query", ""}, {"body", nullptr}},
        {{"method", "GET"}, {"path", "/repos/o/r/commits/abc/check-runs"}, {"query", "filter=newest"}, {"body", nullptr}},
    });
    std::string out;
    CHECK(check_requests(bad, &out) != 0);
    CHECK(out.find("\"APPROVED\" is not one of") != std::string::npos);
    CHECK(out.find("required field 'head_sha' is missing") != std::string::npos);
    CHECK(out.find("\"passed\" is not one of") != std::string::npos);
    CHECK(out.find("field 'colour' is not documented") != std::string::npos);
    CHECK(out.find("no documented path matches /repos/o/r/no-such-thing") != std::string::npos);
    CHECK(out.find("query filter='newest'") != std::string::npos);
  }
}
