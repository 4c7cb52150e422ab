// The GitHub handler end to end: signed webhook in -> mirror fetched from a
// file:// origin -> review posted to the fake GitHub API -> audit rows.
#include <doctest/doctest.h>

#include <set>

#include <fmt/format.h>

#include "app_fixture.h"
#include "reviewer/github/publisher.h"
#include "server_fixture.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

const std::string kTools = std::string(REVIEWER_SOURCE_DIR) + "/tests/tools/node_modules";
const std::string kSpec = kTools + "/@octokit/openapi/generated/api.github.com.json";
const std::string kChecker = std::string(REVIEWER_SOURCE_DIR) + "/tests/github/openapi_check.js";

// A small, clean change: the policy approves it.
std::map<std::string, git::FileChange> greeting() {
  return {{"src/greet.py", {"def greet(name):\n    return f\"hello {name}\"\n"}}};
}

std::size_t count(FakeGitHub& fake, const std::string& method, const std::string& path) {
  std::size_t n = 0;
  for (const auto& r : fake.requests()) n += r.method == method && r.path == path;
  return n;
}

// The fake's PR state as GitHub would show it, from the payload.
void github_knows(FakeGitHub& fake, const nlohmann::json& payload) {
  fake.set_pull(kRepo, payload["number"].get<std::int64_t>(), payload["pull_request"]);
}

// Most cases' set-up: an origin whose PR `number` adds greeting(), the PR's
// pull_request payload, and a fake GitHub that knows the PR.
struct GreetingPr {
  GreetingPr(const std::string& scratch, int number)
      : dir(scratch_dir(scratch)),
        origin(dir / "origin.git"),
        head(origin.open_pr(number, greeting(), "Add a greeting")),
        payload(pr_payload(origin, number, head)) {
    github_knows(fake, payload);
  }
  std::filesystem::path dir;
  Origin origin;
  std::string head;
  FakeGitHub fake;
  nlohmann::json payload;
};

int openapi_check(const nlohmann::json& requests, std::string* out) {
  auto dir = scratch_dir("app-openapi");
  write_text(dir / "requests.json", requests.dump(2));
  return run_command("node '" + kChecker + "' '" + kSpec + "' '" + (dir / "requests.json").string() + "'", out, true);
}

std::string completed_conclusion(FakeGitHub& fake, const std::string& head) {
  for (const auto& run : fake.check_runs()) {
    if (run.value("head_sha", "") == head && run.value("status", "") == "completed") return run.value("conclusion", "");
  }
  return "";
}

}  // namespace

TEST_SUITE("app::github_handler") {
  TEST_CASE("a signed pull_request webhook is reviewed from the mirror and posted with labels and the check run") {
    REQUIRE_MESSAGE(std::filesystem::exists(kSpec), "run `npm ci --prefix tests/tools`");
    GreetingPr pr("app-e2e", 12);
    auto& [dir, origin, head, fake, payload] = pr;
    AppServer s(dir, fake);

    CHECK(s.send("pull_request", payload, "d-e2e-1") == 202);
    REQUIRE(s.wait_job("d-e2e-1") == "done");
    INFO(s.job_field("d-e2e-1", "result"));

    // The review, the labels and the gate reached GitHub, once each.
    auto reviews = fake.reviews(kRepo, 12);
    REQUIRE(reviews.size() == 1);
    CHECK(github::has_marker_for(reviews[0]["body"].get<std::string>(), head));
    CHECK(reviews[0]["commit_id"] == head);
    CHECK(reviews[0]["state"] == "COMMENTED");  // auto-approve is not enabled for the repository
    CHECK(reviews[0]["body"].get<std::string>().find("approval is not posted") != std::string::npos);
    auto labels = fake.labels(kRepo, 12);
    CHECK(std::find(labels.begin(), labels.end(), "size/XS") != labels.end());
    CHECK(completed_conclusion(fake, head) == "success");
    CHECK(count(fake, "POST", "/repos/octo/hello/pulls/12/reviews") == 1);
    // The installation token was minted for the payload's installation.
    CHECK(count(fake, "POST", fmt::format("/app/installations/{}/access_tokens", kInstallation)) == 1);
    // Never the PR file list: the diff comes from the mirror.
    for (const auto& r : fake.requests()) CHECK(r.path.find("/files") == std::string::npos);

    // Audit: the run, the PR snapshot and every action with GitHub's answer.
    const std::string run_id = s.job_field("d-e2e-1", "run_id");
    REQUIRE(run_id.size() == 32);
    CHECK(s.audit_one(fmt::format("SELECT repository || '#' || pr_number || ' ' || head_sha || ' ' || mode || ' ' || "
                                  "trigger FROM review_runs WHERE run_id='{}'",
                                  run_id)) == "octo/hello#12 " + head + " active webhook");
    CHECK(s.audit_one(fmt::format("SELECT count(*) FROM actions WHERE run_id='{}' AND kind='review_comment' "
                                  "AND http_status=200 AND github_id <> ''",
                                  run_id)) == "1");
    CHECK(s.audit_one(fmt::format("SELECT count(*) FROM actions WHERE run_id='{}' AND kind='label'", run_id)) == "1");
    CHECK(s.audit_one(fmt::format("SELECT count(*) FROM actions WHERE run_id='{}' AND kind='check_run' "
                                  "AND http_status BETWEEN 200 AND 299",
                                  run_id)) == "2");  // in_progress, then completed
    CHECK(s.audit_one(fmt::format("SELECT count(*) FROM actions WHERE run_id='{}' AND kind='publish_complete'",
                                  run_id)) == "1");
    CHECK(s.audit_one("SELECT author FROM pull_requests WHERE pr_number=12") == "alice");
    CHECK(s.log_text().find("\"event\":\"published\"") != std::string::npos);

    // Every request the handler sent conforms to GitHub's OpenAPI description.
    std::string out;
    auto requests = fake.requests_json();
    int rc = openapi_check(requests, &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find(fmt::format("checked {} requests", requests.size())) != std::string::npos);
  }

  TEST_CASE("a redelivery and a second delivery for the same head post nothing twice") {
    GreetingPr pr("app-redeliver", 3);
    auto& [dir, origin, head, fake, payload] = pr;
    AppServer s(dir, fake, {"active", false});  // a plain token: statuses instead of check runs

    CHECK(s.send("pull_request", payload, "d-once") == 202);
    REQUIRE(s.wait_job("d-once") == "done");
    const auto posts_after_first = fake.requests("POST", "/repos/").size();
    CHECK(s.send("pull_request", payload, "d-once") == 200);  // same delivery id: a duplicate, no job
    auto again = payload;
    again["action"] = "synchronize";
    CHECK(s.send("pull_request", again, "d-twice") == 202);
    REQUIRE(s.wait_job("d-twice") == "done");
    CHECK(s.job_field("d-twice", "result").find("already reviewed and published") != std::string::npos);
    CHECK(fake.requests("POST", "/repos/").size() == posts_after_first);
    CHECK(fake.reviews(kRepo, 3).size() == 1);
    CHECK(query_one(s.settings.queue_db(), "SELECT count(*) FROM jobs") == "2");
    // The token set-up gates through a commit status named reviewer.
    auto statuses = fake.statuses();
    REQUIRE(statuses.size() == 2);  // pending, then the decision
    CHECK(statuses[1]["context"] == "reviewer");
    CHECK(statuses[1]["state"] == "success");
  }

  TEST_CASE("shadow mode posts a comment-only review and never approves, labels or gates") {
    GreetingPr pr("app-shadow", 5);
    auto& [dir, origin, head, fake, payload] = pr;
    write_text(dir / "guidance" / "approve.yml", "auto_approve:\n  enabled: true\n  repositories: ['octo/*']\n");
    AppServer s(dir, fake, {"shadow", true, true, {{"REVIEWER_GUIDANCE_DIR", (dir / "guidance").string()}}});

    CHECK(s.send("pull_request", payload, "d-shadow") == 202);
    REQUIRE(s.wait_job("d-shadow") == "done");
    auto reviews = fake.reviews(kRepo, 5);
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0]["state"] == "COMMENTED");
    CHECK(fake.requests("POST", "/repos/octo/hello/issues").empty());
    CHECK(fake.check_runs().empty());
    CHECK(s.log_text().find("\"would_approve\":true") != std::string::npos);
  }

  TEST_CASE("active mode approves only where guidance auto_approve enables the repository") {
    GreetingPr pr("app-approve", 21);
    auto& [dir, origin, head, fake, payload] = pr;
    SUBCASE("enabled for octo/*: APPROVE") {
      write_text(dir / "guidance" / "approve.yml", "auto_approve:\n  enabled: true\n  repositories: ['octo/*']\n");
      AppServer s(dir, fake, {"active", true, true, {{"REVIEWER_GUIDANCE_DIR", (dir / "guidance").string()}}});
      CHECK(s.send("pull_request", payload, "d-approve") == 202);
      REQUIRE(s.wait_job("d-approve") == "done");
      auto reviews = fake.reviews(kRepo, 21);
      REQUIRE(reviews.size() == 1);
      CHECK(reviews[0]["state"] == "APPROVED");
      CHECK(s.audit_one("SELECT count(*) FROM actions WHERE kind='review_approve' AND http_status=200") == "1");
    }
    SUBCASE("enabled for another organisation only: a comment") {
      write_text(dir / "guidance" / "approve.yml", "auto_approve:\n  enabled: true\n  repositories: ['acme/*']\n");
      AppServer s(dir, fake, {"active", true, true, {{"REVIEWER_GUIDANCE_DIR", (dir / "guidance").string()}}});
      CHECK(s.send("pull_request", payload, "d-other-org") == 202);
      REQUIRE(s.wait_job("d-other-org") == "done");
      auto reviews = fake.reviews(kRepo, 21);
      REQUIRE(reviews.size() == 1);
      CHECK(reviews[0]["state"] == "COMMENTED");
      CHECK(s.log_text().find("\"auto_approve\":false") != std::string::npos);
    }
    SUBCASE("the author is excluded: a comment") {
      write_text(dir / "guidance" / "approve.yml",
                 "auto_approve:\n  enabled: true\n  repositories: ['octo/*']\n  excluded_authors: ['alice']\n");
      AppServer s(dir, fake, {"active", true, true, {{"REVIEWER_GUIDANCE_DIR", (dir / "guidance").string()}}});
      CHECK(s.send("pull_request", payload, "d-excluded") == 202);
      REQUIRE(s.wait_job("d-excluded") == "done");
      REQUIRE(fake.reviews(kRepo, 21).size() == 1);
      CHECK(fake.reviews(kRepo, 21)[0]["state"] == "COMMENTED");
    }
  }

  TEST_CASE("dry-run with credentials fetches and reviews but posts nothing, auditing the exact requests") {
    GreetingPr pr("app-dry", 9);
    auto& [dir, origin, head, fake, payload] = pr;
    AppServer s(dir, fake, {"dry-run"});

    CHECK(s.send("pull_request", payload, "d-dry") == 202);
    REQUIRE(s.wait_job("d-dry") == "done");
    for (const auto& r : fake.requests()) {
      CHECK_MESSAGE((r.method == "GET" || r.path.rfind("/app/", 0) == 0), std::string(r.method + " " + r.path));
    }
    const std::string run_id = s.job_field("d-dry", "run_id");
    CHECK(s.audit_one(fmt::format("SELECT count(*) FROM actions WHERE run_id='{}' AND kind NOT LIKE 'would\\_%' "
                                  "ESCAPE '\\'",
                                  run_id)) == "0");
    auto detail = s.audit_one(fmt::format("SELECT detail FROM actions WHERE run_id='{}' AND kind='would_review_comment'",
                                          run_id));
    CHECK(detail.rfind("POST /repos/octo/hello/pulls/9/reviews head=" + head + " {", 0) == 0);
    CHECK(s.audit_one(fmt::format("SELECT count(*) FROM actions WHERE run_id='{}' AND kind='would_check_run'",
                                  run_id)) == "2");
    auto log = s.log_text();
    CHECK(log.find("\"event\":\"would_post\"") != std::string::npos);
    CHECK(log.find("POST /repos/octo/hello/pulls/9/reviews") != std::string::npos);
  }

  TEST_CASE("a check_run rerequested event triggers a fresh review of the current head") {
    GreetingPr pr("app-rerun", 4);
    auto& [dir, origin, head, fake, payload] = pr;
    AppServer s(dir, fake);
    CHECK(s.send("pull_request", payload, "d-first") == 202);
    REQUIRE(s.wait_job("d-first") == "done");
    const auto runs_before = fake.check_runs().size();

    CHECK(s.send("check_run", rerequest_payload(origin, 4, head), "d-rerun") == 202);
    REQUIRE(s.wait_job("d-rerun") == "done");
    const std::string rerun_id = s.job_field("d-rerun", "run_id");
    REQUIRE(rerun_id.size() == 32);
    CHECK(rerun_id != s.job_field("d-first", "run_id"));
    CHECK(s.audit_one(fmt::format("SELECT trigger FROM review_runs WHERE run_id='{}'", rerun_id)) == "rerequest");
    CHECK(fake.check_runs().size() > runs_before);  // a fresh gate for the head
    CHECK(completed_conclusion(fake, head) == "success");
    CHECK(fake.reviews(kRepo, 4).size() == 1);  // the review itself is posted once per head
    CHECK(count(fake, "GET", "/repos/octo/hello/pulls/4") >= 1);  // metadata from the API

    // Another App's check being re-run is not ours: no job at all.
    auto other = rerequest_payload(origin, 4, head);
    other["check_run"]["name"] = "ci";
    CHECK(s.send("check_run", other, "d-other") == 202);
    CHECK(s.job_field("d-other", "state") == "");
  }

  TEST_CASE("a new head that is not approved dismisses the bot's approval of the earlier head") {
    auto dir = scratch_dir("app-dismiss");
    Origin origin(dir / "origin.git");
    std::string old_head = origin.open_pr(11, greeting(), "Add a greeting");
    std::string head = origin.open_pr(11, {{"src/greet.py", {"def greet(name):\n    return name\n"}}}, "Simplify");
    FakeGitHub fake;
    fake.add_review(kRepo, 11, {{"user", {{"login", "reviewer-test[bot]"}}}, {"state", "APPROVED"},
                                {"commit_id", old_head}, {"body", github::review_marker("earlier", old_head)}});
    fake.add_review(kRepo, 11, {{"user", {{"login", "bob"}}}, {"state", "APPROVED"}, {"commit_id", old_head},
                                {"body", github::review_marker("forged", old_head)}});
    auto payload = pr_payload(origin, 11, head, "synchronize");
    github_knows(fake, payload);
    AppServer s(dir, fake);
    CHECK(s.send("pull_request", payload, "d-dismiss") == 202);
    REQUIRE(s.wait_job("d-dismiss") == "done");
    auto dismissals = fake.requests("PUT", "/repos/octo/hello/pulls/11/reviews/");
    REQUIRE(dismissals.size() == 1);  // ours only: a person's approval is never touched
    auto reviews = fake.reviews(kRepo, 11);
    CHECK(reviews[0]["state"] == "DISMISSED");
    CHECK(reviews[1]["state"] == "APPROVED");
    CHECK(s.audit_one("SELECT count(*) FROM actions WHERE kind='dismiss_review' AND http_status=200") == "1");
  }

  TEST_CASE("a 502 from GitHub retries the job and the review is still posted once") {
    GreetingPr pr("app-502", 6);
    auto& [dir, origin, head, fake, payload] = pr;
    fake.fail_next("POST", "/repos/octo/hello/check-runs", {502, {{"message", "Bad Gateway"}}, {}}, 1);
    AppServer s(dir, fake);
    CHECK(s.send("pull_request", payload, "d-502") == 202);
    REQUIRE(s.wait_job("d-502") == "done");
    CHECK(s.job_field("d-502", "attempts") == "2");
    CHECK(fake.reviews(kRepo, 6).size() == 1);
    CHECK(completed_conclusion(fake, head) == "success");
  }

  TEST_CASE("a 404 from GitHub fails the job with the reason and approves nothing") {
    GreetingPr pr("app-404", 7);
    auto& [dir, origin, head, fake, payload] = pr;
    fake.fail_next("POST", "/repos/octo/hello/check-runs", {404, {{"message", "Not Found"}}, {}}, 10);
    AppServer s(dir, fake);
    CHECK(s.send("pull_request", payload, "d-404") == 202);
    REQUIRE(s.wait_job("d-404") == "failed");
    auto detail = s.job_field("d-404", "result");
    CHECK(detail.find("404") != std::string::npos);
    CHECK(detail.find("not installed") != std::string::npos);
    CHECK(detail.find("nothing approved") != std::string::npos);
    CHECK(s.job_field("d-404", "attempts") == "1");
    CHECK(fake.reviews(kRepo, 7).empty());
    CHECK(fake.requests("POST", "/repos/octo/hello/pulls").empty());
  }

  TEST_CASE("a refusal after the gate went in progress completes it as failure with the reason") {
    GreetingPr pr("app-422", 8);
    auto& [dir, origin, head, fake, payload] = pr;
    fake.fail_next("POST", "/repos/octo/hello/pulls/8/reviews", {422, {{"message", "Validation Failed"}}, {}}, 10);
    AppServer s(dir, fake);
    CHECK(s.send("pull_request", payload, "d-422") == 202);
    REQUIRE(s.wait_job("d-422") == "failed");
    CHECK(s.job_field("d-422", "result").find("nothing approved") != std::string::npos);
    auto runs = fake.check_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["status"] == "completed");
    CHECK(runs[0]["conclusion"] == "failure");
    CHECK(runs[0]["output"]["summary"].get<std::string>().find("Validation Failed") != std::string::npos);
    CHECK(fake.reviews(kRepo, 8).empty());
  }

  TEST_CASE("a payload without an App installation fails clearly") {
    auto dir = scratch_dir("app-noinst");
    Origin origin(dir / "origin.git");
    std::string head = origin.open_pr(8, greeting(), "Add a greeting");
    FakeGitHub fake;
    auto payload = pr_payload(origin, 8, head);
    payload.erase("installation");
    AppServer s(dir, fake);
    CHECK(s.send("pull_request", payload, "d-noinst") == 202);
    REQUIRE(s.wait_job("d-noinst") == "failed");
    CHECK(s.job_field("d-noinst", "result").find("no App installation") != std::string::npos);
    CHECK(fake.requests().empty());
  }
}
