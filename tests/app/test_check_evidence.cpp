// Test results as audit evidence end to end (issue 21): a merge and a
// completed check suite arrive as signed webhooks at `serve`, and the head's
// check runs and commit statuses, read from the fake GitHub API across
// pages, become check_results rows.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "app_fixture.h"
#include "server_fixture.h"
#include "support/testutil.h"
#include "support/webhooks.h"

using namespace reviewer;
using namespace reviewer::test;
using nlohmann::json;

namespace {

const std::string kEvidenceHead = "3333333333333333333333333333333333333333";

// Another App's and a CI's results on kEvidenceHead: three check runs (one
// failed, one still running) and two status contexts, one seen twice.
void ci_results(FakeGitHub& fake) {
  fake.set_page_size(2);  // so every list takes more than one page
  auto run = [](const std::string& name, const std::string& status, const json& conclusion) {
    return json{{"name", name}, {"head_sha", kEvidenceHead}, {"status", status}, {"conclusion", conclusion},
                {"html_url", "https://github.com/octo/hello/runs/" + name}, {"app", {{"slug", "github-actions"}}},
                {"completed_at", conclusion.is_null() ? json(nullptr) : json("2026-03-01T10:00:00Z")}};
  };
  fake.add_check_run(kRepo, run("build", "completed", "success"));
  fake.add_check_run(kRepo, run("test", "completed", "failure"));
  fake.add_check_run(kRepo, run("deploy-preview", "in_progress", nullptr));
  for (const char* state : {"pending", "success"}) {
    fake.add_status(kRepo, {{"context", "ci/coverage"}, {"state", state}, {"sha", kEvidenceHead},
                            {"target_url", "https://ci.example.com/7"}, {"creator", {{"login", "ci-bot"}}},
                            {"updated_at", "2026-03-01T10:05:00Z"}});
  }
  fake.add_status(kRepo, {{"context", "ci/lint"}, {"state", "error"}, {"sha", kEvidenceHead},
                          {"creator", {{"login", "ci-bot"}}}, {"updated_at", "2026-03-01T10:06:00Z"}});
}

// Every request sent conforms to GitHub's OpenAPI description
// (tests/github/openapi_check.js, as test_github_handler.cpp runs it).
void conforms_to_openapi(FakeGitHub& fake) {
  const std::string tools = std::string(REVIEWER_SOURCE_DIR) + "/tests/tools/node_modules";
  auto dir = scratch_dir("checks-openapi");
  auto requests = fake.requests_json();
  write_text(dir / "requests.json", requests.dump(2));
  std::string out;
  int rc = run_command("node '" + std::string(REVIEWER_SOURCE_DIR) + "/tests/github/openapi_check.js' '" + tools +
                           "/@octokit/openapi/generated/api.github.com.json' '" + (dir / "requests.json").string() +
                           "'",
                       &out, true);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find(fmt::format("checked {} requests", requests.size())) != std::string::npos);
}

json check_suite_payload(const std::vector<int>& prs) {
  json p;
  for (auto& e : webhook_examples("check_suite")) {
    if (e.value("action", "") == "completed") p = e;
  }
  REQUIRE_MESSAGE(p.is_object(), "no check_suite.completed example in @octokit/webhooks-examples");
  p["repository"]["full_name"] = kRepo;
  p["repository"]["name"] = "hello";
  p["repository"]["owner"]["login"] = "octo";
  auto& suite = p["check_suite"];
  suite["head_sha"] = kEvidenceHead;
  suite["status"] = "completed";
  suite["conclusion"] = "failure";
  suite["updated_at"] = "2026-03-01T10:07:00Z";
  suite["app"]["name"] = "GitHub Actions";
  suite["app"]["slug"] = "github-actions";
  suite["pull_requests"] = json::array();
  for (int n : prs) suite["pull_requests"].push_back({{"number", n}, {"head", {{"sha", kEvidenceHead}}}});
  p["installation"] = {{"id", kInstallation}};
  return p;
}

}  // namespace

TEST_SUITE("app::check_evidence") {
  TEST_CASE("a merge records the merged head's check runs and statuses, every page of them") {
    auto dir = scratch_dir("app-checks-merged");
    Origin origin(dir / "origin.git");
    origin.open_pr(8, {{"src/x.py", {"x = 1\n"}}}, "Add x");
    FakeGitHub fake;
    ci_results(fake);
    AppServer s(dir, fake);
    auto closed = pr_payload(origin, 8, kEvidenceHead, "closed");
    closed["pull_request"]["state"] = "closed";
    closed["pull_request"]["merged"] = true;
    closed["pull_request"]["merged_at"] = "2026-03-01T10:03:00Z";
    closed["pull_request"]["merge_commit_sha"] = std::string(40, 'e');
    fake.set_pull(kRepo, 8, closed["pull_request"]);
    // The bot's inline comments, whose reactions a closed PR's job collects: none.
    fake.on("GET", "/repos/octo/hello/pulls/8/comments", [](const Recorded&) { return FakeResponse{200, json::array(), {}, 0}; });
    CHECK(s.send("pull_request", closed, "d-merged") == 202);
    const std::string state = s.wait_job("d-merged");
    INFO(s.job_field("d-merged", "result"));
    REQUIRE(state == "done");
    CHECK(s.job_field("d-merged", "result").find("checks: 5 observed, 5 recorded") != std::string::npos);
    CHECK(s.audit_one("SELECT at FROM pr_events WHERE kind = 'merged'") == "2026-03-01T10:03:00Z");
    CHECK(s.audit_one("SELECT count(*) FROM check_results WHERE pr_number = 8 AND trigger = 'merged'") == "5");
    CHECK(s.audit_one("SELECT group_concat(source || ':' || name || ':' || result || ':' || completed_at, ' ') FROM "
                      "(SELECT * FROM check_results ORDER BY source, name)") ==
          "check_run:build:success:2026-03-01T10:00:00Z check_run:deploy-preview:in_progress: "
          "check_run:test:failure:2026-03-01T10:00:00Z status:ci/coverage:success:2026-03-01T10:05:00Z "
          "status:ci/lint:error:2026-03-01T10:06:00Z");
    CHECK(s.audit_one("SELECT failing FROM v_merged_with_failing_checks") == "ci/lint, test");
    CHECK(s.audit_one("SELECT pending FROM v_merged_before_checks_completed") ==
          "ci/coverage, ci/lint, deploy-preview");
    CHECK(fake.requests("GET", "/repos/octo/hello/commits/" + kEvidenceHead + "/check-runs").size() == 2);
    CHECK(fake.requests("GET", "/repos/octo/hello/commits/" + kEvidenceHead + "/status").size() == 1);
    conforms_to_openapi(fake);

    // A redelivery records nothing twice.
    CHECK(s.send("pull_request", closed, "d-merged-again") == 202);
    REQUIRE(s.wait_job("d-merged-again") == "done");
    CHECK(s.audit_one("SELECT count(*) FROM check_results") == "5");
    CHECK(s.audit_one("SELECT count(*) FROM pr_events WHERE kind = 'merged'") == "1");
  }

  TEST_CASE("hostile check answers and merge fields are recorded capped and cleaned, and never crash the job") {
    auto dir = scratch_dir("app-checks-hostile");
    Origin origin(dir / "origin.git");
    FakeGitHub fake;
    AppServer s(dir, fake);
    const std::string head(40, '4');
    const std::string commit = "/repos/octo/hello/commits/" + head;
    fake.on("GET", commit + "/check-runs", [](const Recorded&) {
      json runs = json::array({{{"name", std::string("a\0b\n", 4) + std::string(1 << 20, 'n')}, {"status", json::array()},
                                {"conclusion", 5}, {"html_url", "javascript:alert(1)"}, {"app", "x"},
                                {"completed_at", json::object()}},
                               7, nullptr, "text"});
      return FakeResponse{200, {{"total_count", "many"}, {"check_runs", runs}}, {}, 0};
    });
    fake.on("GET", commit + "/status", [](const Recorded&) {
      json st = json::array({{{"context", {{"a", 1}}}, {"state", "SUCCESS"}, {"target_url", "https://ok.example/x"},
                              {"updated_at", "2026-03-01T10:00:00Z"}, {"creator", json::array()}}});
      return FakeResponse{200, {{"statuses", st}}, {}, 0};
    });
    fake.on("GET", "/repos/octo/hello/pulls/9/comments", [](const Recorded&) { return FakeResponse{200, json::array(), {}, 0}; });
    auto closed = pr_payload(origin, 9, head, "closed");
    closed["pull_request"]["merged"] = true;
    closed["pull_request"]["merged_at"] = 12;
    closed["pull_request"]["merged_by"] = "mallory";
    CHECK(s.send("pull_request", closed, "d-hostile") == 202);
    const std::string state = s.wait_job("d-hostile");
    INFO(s.job_field("d-hostile", "result"));
    REQUIRE(state == "done");
    CHECK(s.audit_one("SELECT length(name) || ':' || result || ':' || url || ':' || app || ':' || completed_at FROM "
                      "check_results WHERE source = 'check_run'") == "200:unknown:::");
    CHECK(s.audit_one("SELECT substr(name, 1, 6) FROM check_results WHERE source = 'check_run'") == "a b nn");
    CHECK(s.audit_one("SELECT name || ':' || result || ':' || url || ':' || completed_at FROM check_results "
                      "WHERE source = 'status'") == ":success:https://ok.example/x:2026-03-01T10:00:00Z");
    CHECK(s.audit_one("SELECT substr(at, 1, 2) FROM pr_events WHERE kind = 'merged'") == "20");  // now, not 12
  }

  TEST_CASE("a completed check suite records itself, then the head's checks for each listed PR") {
    auto dir = scratch_dir("app-checks-suite");
    FakeGitHub fake;
    ci_results(fake);
    AppServer s(dir, fake);
    // The statuses cannot be read for an hour (a rate limit): the job is
    // retried; the suite's row and the check runs are kept and not recorded twice.
    fake.fail_next("GET", "/repos/octo/hello/commits/" + kEvidenceHead + "/status",
                   {429, {{"message", "API rate limit exceeded"}}, {{"Retry-After", "3600"}}, 0});
    CHECK(s.send("check_suite", check_suite_payload({4, 5}), "d-suite") == 202);
    REQUIRE(s.wait_job("d-suite") == "done");
    INFO(s.job_field("d-suite", "result"));
    CHECK(s.job_field("d-suite", "attempts") == "2");
    CHECK(s.audit_one("SELECT count(*) FROM check_results WHERE source = 'check_suite'") == "2");  // PRs 4 and 5
    CHECK(s.audit_one("SELECT name || ':' || app || ':' || result || ':' || completed_at FROM check_results "
                      "WHERE source = 'check_suite' AND pr_number = 4") ==
          "GitHub Actions:github-actions:failure:2026-03-01T10:07:00Z");
    CHECK(s.audit_one("SELECT count(*) FROM check_results WHERE pr_number = 5") == "6");
    CHECK(s.audit_one("SELECT count(*) FROM check_results") == "12");
    CHECK(s.audit_one("SELECT count(DISTINCT trigger) || trigger FROM check_results") == "1check_suite");
    CHECK(s.log_text().find("check_evidence") != std::string::npos);
  }

  TEST_CASE("without credentials only the payload is recorded, and a hostile suite cannot crash the job") {
    auto dir = scratch_dir("app-checks-nocreds");
    FakeGitHub fake;
    AppServer s(dir, fake, AppServerOptions("dry-run", true, false));
    CHECK(s.send("check_suite", check_suite_payload({}), "d-plain") == 202);
    REQUIRE(s.wait_job("d-plain") == "done");
    CHECK(s.job_field("d-plain", "result").find("from the payload only") != std::string::npos);
    CHECK(s.audit_one("SELECT pr_number || ':' || source || ':' || result FROM check_results") ==
          "0:check_suite:failure");
    CHECK(fake.requests().empty());

    auto hostile = check_suite_payload({});
    hostile["check_suite"]["app"] = {{"name", std::string(70000, 'A') + "<script>"}, {"slug", json::array()}};
    hostile["check_suite"]["conclusion"] = {{"nested", true}};
    hostile["check_suite"]["updated_at"] = 12;
    hostile["check_suite"]["pull_requests"] = json::array({"seven", {{"number", -3}}, {{"number", 1e300}}});
    CHECK(s.send("check_suite", hostile, "d-hostile") == 202);
    REQUIRE(s.wait_job("d-hostile") == "done");
    // No slug: the app is named by its (capped) name.
    CHECK(s.audit_one("SELECT length(name) || ':' || length(app) || ':' || result || ':' || completed_at || ':' || "
                      "pr_number FROM check_results ORDER BY seq DESC LIMIT 1") == "200:100:unknown::0");
  }
}
