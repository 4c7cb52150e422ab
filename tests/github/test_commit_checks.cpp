// Reading a commit's check runs and statuses (issue 21): pagination, caps,
// and fields from other parties that are missing, mistyped or hostile.
#include <doctest/doctest.h>

#include "github_fixture.h"
#include "reviewer/core/error.h"
#include "reviewer/github/commit_checks.h"
#include "reviewer/github/webhook.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;
using nlohmann::json;

namespace {

const std::string kOwnerRepo = "octo/hello";

struct ChecksEnv {
  FakeGitHub fake;
  std::unique_ptr<RestClient> client;
  ChecksEnv() {
    fake.accept_token("tok");
    client = std::make_unique<RestClient>(fake_options(fake, token_credentials("tok")));
  }
};

json check_run_json(const std::string& name, const std::string& status, const json& conclusion, const std::string& sha = kHead) {
  return {{"name", name}, {"head_sha", sha}, {"status", status}, {"conclusion", conclusion},
          {"html_url", "https://github.com/octo/hello/runs/" + name}, {"app", {{"slug", "github-actions"}}},
          {"completed_at", status == "completed" ? json("2026-03-01T10:00:00Z") : json(nullptr)}};
}

}  // namespace

TEST_SUITE("github::commit_checks") {
  TEST_CASE("check runs and statuses are read across pages, the latest status per context") {
    ChecksEnv env;
    env.fake.set_page_size(2);
    for (int i = 0; i < 5; ++i) env.fake.add_check_run(kOwnerRepo, check_run_json("job-" + std::to_string(i), "completed", "success"));
    env.fake.add_check_run(kOwnerRepo, check_run_json("deploy", "in_progress", nullptr));
    env.fake.add_check_run(kOwnerRepo, check_run_json("other-head", "completed", "failure", kHead2));
    for (const char* state : {"pending", "failure"}) {
      env.fake.add_status(kOwnerRepo, {{"context", "ci/coverage"}, {"state", state}, {"sha", kHead},
                                       {"target_url", "https://ci.example.com/1"}, {"creator", {{"login", "ci-bot"}}},
                                       {"updated_at", "2026-03-01T11:00:00Z"}});
    }
    env.fake.add_status(kOwnerRepo, {{"context", "ci/lint"}, {"state", "pending"}, {"sha", kHead},
                                     {"updated_at", "2026-03-01T11:00:00Z"}});
    auto runs = fetch_check_runs(*env.client, "octo", "hello", kHead);
    REQUIRE(runs.size() == 6);
    CHECK(env.fake.requests("GET", "/repos/octo/hello/commits/" + kHead + "/check-runs").size() == 3);
    CHECK(runs[0].name == "deploy");  // newest first
    CHECK(runs[0].result == "in_progress");
    CHECK(runs[0].completed_at.empty());
    CHECK(runs[1].source == "check_run");
    CHECK(runs[1].result == "success");
    CHECK(runs[1].app == "github-actions");
    CHECK(runs[1].completed_at == "2026-03-01T10:00:00Z");
    CHECK(runs[1].url == "https://github.com/octo/hello/runs/job-4");

    auto statuses = fetch_statuses(*env.client, "octo", "hello", kHead);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].name == "ci/lint");
    CHECK(statuses[0].result == "pending");
    CHECK(statuses[0].completed_at.empty());  // pending: not completed, whatever updated_at says
    CHECK(statuses[0].url.empty());
    CHECK(statuses[1].name == "ci/coverage");
    CHECK(statuses[1].result == "failure");
    CHECK(statuses[1].app == "ci-bot");
    CHECK(statuses[1].completed_at == "2026-03-01T11:00:00Z");

    // The cap stops asking for pages.
    env.fake.clear_requests();
    CHECK(fetch_check_runs(*env.client, "octo", "hello", kHead, 3).size() == 3);
    CHECK(env.fake.requests("GET", "/repos/octo/hello/commits/").size() == 2);
  }

  TEST_CASE("a sha that is not a commit id is refused before any request") {
    ChecksEnv env;
    CHECK_THROWS_AS(fetch_check_runs(*env.client, "octo", "hello", "HEAD; rm -rf /"), Error);
    CHECK_THROWS_AS(fetch_statuses(*env.client, "octo", "hello", "../../user"), Error);
    CHECK(env.fake.requests().empty());
  }

  TEST_CASE("missing, mistyped and hostile fields read as empty or capped, never as a crash") {
    const std::string huge(100000, 'x');
    json hostile = {{"name", huge + "\n\x01"}, {"status", 7}, {"conclusion", {{"a", 1}}}, {"html_url", "javascript:alert(1)"},
                    {"app", "not-an-object"}, {"completed_at", "yesterday"}};
    auto o = check_run_observation(hostile);
    CHECK(o.name.size() == 200);
    CHECK(o.result == "unknown");
    CHECK(o.url.empty());
    CHECK(o.app.empty());
    CHECK(o.completed_at.empty());

    o = check_run_observation({{"name", "ok"}, {"status", "completed"}, {"conclusion", "Startup_Failure<b>"},
                               {"html_url", "https://x.example/a b"}, {"completed_at", "2026-03-01T10:00:00.123Z"}});
    CHECK(o.result == "startup_failureb");
    CHECK(o.url.empty());  // a space: not a plain link
    CHECK(o.completed_at == "2026-03-01T10:00:00Z");

    // A multi-byte character is never cut in half.
    std::string accents = "a";  // so the cap falls inside a character
    for (int i = 0; i < 150; ++i) accents += "\xc3\xa9";  // é
    o = status_observation({{"context", accents}, {"state", "success"}, {"creator", nullptr}, {"target_url", 5},
                            {"updated_at", "2026-03-01T11:00:00Z"}});
    CHECK(o.name.size() == 199);
    CHECK(o.app.empty());
    CHECK(o.url.empty());
    CHECK(json(o.name).dump().size() > 0);  // valid UTF-8, or dump() would throw

    for (const json& odd : {json(nullptr), json(3), json::array(), json("text"), json::object()}) {
      CHECK_NOTHROW(check_run_observation(odd));
      CHECK_NOTHROW(status_observation(odd));
      CHECK_NOTHROW(check_suite_observation(odd));
    }
    o = check_suite_observation({{"status", "completed"}, {"conclusion", "failure"},
                                 {"updated_at", "2026-03-01T12:00:00Z"},
                                 {"app", {{"name", "GitHub Actions"}, {"slug", "github-actions"}}}});
    CHECK(o.source == "check_suite");
    CHECK(o.name == "GitHub Actions");
    CHECK(o.app == "github-actions");
    CHECK(o.result == "failure");
    CHECK(o.completed_at == "2026-03-01T12:00:00Z");
  }

  TEST_CASE("a list answer of the wrong shape is an error, and odd items are skipped") {
    ChecksEnv env;
    env.fake.on("GET", "/repos/octo/hello/commits/" + kHead + "/check-runs", [](const Recorded&) {
      return FakeResponse{200, {{"check_runs", json::array({1, "two", nullptr, {{"name", "real"}}})}}, {}};
    });
    env.fake.on("GET", "/repos/octo/hello/commits/" + kHead + "/status",
                [](const Recorded&) { return FakeResponse{200, {{"statuses", "nope"}}, {}}; });
    auto runs = fetch_check_runs(*env.client, "octo", "hello", kHead);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].name == "real");
    CHECK_THROWS_AS(fetch_statuses(*env.client, "octo", "hello", kHead), GitHubError);
  }
}

TEST_SUITE("github::webhook") {
  TEST_CASE("check_suite completed makes a check_suite job for the first listed PR, or 0") {
    json p = {{"action", "completed"},
              {"repository", {{"full_name", "octo/hello"}}},
              {"check_suite", {{"head_sha", kHead}, {"pull_requests", json::array({{{"number", 12}}, {{"number", 13}}})}}},
              {"installation", {{"id", 77}}}};
    auto c = classify_webhook("check_suite", p);
    REQUIRE(c.job);
    CHECK(c.job->kind == "check_suite");
    CHECK(c.job->pr_number == 12);
    CHECK(c.job->head_sha == kHead);
    CHECK_FALSE(c.job->supersedes);
    CHECK(c.job->installation == 77);
    p["check_suite"]["pull_requests"] = json::array({{{"number", "twelve"}}});
    CHECK(classify_webhook("check_suite", p).job->pr_number == 0);
    p["check_suite"]["head_sha"] = "not-a-sha";
    CHECK_THROWS_AS(classify_webhook("check_suite", p), Error);
    p["action"] = "requested";  // only the suite's own App gets these; not evidence
    CHECK_FALSE(classify_webhook("check_suite", p).job);
  }

  TEST_CASE("time_or_empty keeps GitHub's UTC times only") {
    CHECK(payload::time_or_empty({{"t", "2026-03-01T10:00:00Z"}}, "t") == "2026-03-01T10:00:00Z");
    CHECK(payload::time_or_empty({{"t", "2026-03-01T10:00:00.5Z"}}, "t") == "2026-03-01T10:00:00Z");
    for (const json& bad : {json("2026-03-01T10:00:00+02:00"), json("2026-03-01 10:00:00Z"), json(""), json(5),
                            json("2026-03-01T10:00:00Zjunk")}) {
      CHECK(payload::time_or_empty({{"t", bad}}, "t").empty());
    }
  }
}
