// Which deliveries become review jobs, and the review targets a job's
// payload names (github::classify_webhook() and app::review_targets()).
#include <doctest/doctest.h>

#include "app_fixture.h"
#include "reviewer/app/access.h"
#include "reviewer/core/error.h"
#include "reviewer/github/webhook.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;

TEST_SUITE("app::targets") {
  TEST_CASE("our check run's re-run is a review job that supersedes; another check's re-run is no job") {
    auto dir = scratch_dir("targets");
    Origin origin(dir / "o.git");
    const std::string head(40, 'c');
    auto p = rerequest_payload(origin, 4, head);
    auto c = github::classify_webhook("check_run", p);
    REQUIRE(c.job);
    CHECK(c.job->kind == "review");
    CHECK(c.job->pr_number == 4);
    CHECK(c.job->head_sha == head);
    CHECK(c.job->supersedes);
    p["check_run"]["name"] = "ci";
    CHECK_FALSE(github::classify_webhook("check_run", p).job);
    p["check_run"]["name"] = "reviewer";
    p["action"] = "completed";
    CHECK_FALSE(github::classify_webhook("check_run", p).job);
  }

  TEST_CASE("a re-run without listed pull requests (a fork) queues a job for PR 0 that supersedes nothing") {
    auto dir = scratch_dir("targets-fork");
    Origin origin(dir / "o.git");
    auto p = rerequest_payload(origin, 4, std::string(40, 'd'));
    p["check_run"]["pull_requests"] = nlohmann::json::array();
    auto c = github::classify_webhook("check_run", p);
    REQUIRE(c.job);
    CHECK(c.job->pr_number == 0);
    CHECK_FALSE(c.job->supersedes);
    // Without a client the targets cannot be looked up: none.
    CHECK(app::review_targets("check_run", p, nullptr).empty());
  }

  TEST_CASE("a pull_request payload names the PR, its installation and clone URL") {
    auto dir = scratch_dir("targets-pr");
    Origin origin(dir / "o.git");
    std::string head = origin.open_pr(2, {{"a.txt", {"a\n"}}}, "A");
    auto t = app::review_targets("pull_request", pr_payload(origin, 2, head, "synchronize"), nullptr);
    REQUIRE(t.size() == 1);
    CHECK(t[0].full_name() == kRepo);
    CHECK(t[0].number == 2);
    CHECK(t[0].installation_id == kInstallation);
    CHECK(t[0].clone_url == origin.url());
    CHECK(t[0].action == "synchronize");
    REQUIRE(t[0].pull);
    CHECK(t[0].pull->pr.head_sha == head);
    CHECK(t[0].pull->pr.author == "alice");
    auto bad = pr_payload(origin, 2, head);
    bad["repository"].erase("clone_url");
    CHECK_THROWS_AS(app::review_targets("pull_request", bad, nullptr), Error);
  }

  TEST_CASE("the token goes only to this GitHub's host, never elsewhere") {
    CHECK(app::same_github_host("https://github.com/o/r.git", "https://api.github.com"));
    CHECK(app::same_github_host("https://ghe.example.com/o/r.git", "https://ghe.example.com/api/v3"));
    CHECK_FALSE(app::same_github_host("https://evil.example.com/o/r.git", "https://api.github.com"));
    CHECK_FALSE(app::same_github_host("http://github.com/o/r.git", "https://api.github.com"));
    CHECK_FALSE(app::same_github_host("https://user:pw@github.com/o/r.git", "https://api.github.com"));
    CHECK_FALSE(app::same_github_host("file:///tmp/o.git", "https://api.github.com"));
    CHECK(app::same_github_host("http://127.0.0.1:9/o/r.git", "http://127.0.0.1:9"));
  }
}
