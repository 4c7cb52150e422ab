#include <doctest/doctest.h>

#include "github_fixture.h"
#include "reviewer/core/error.h"
#include "reviewer/github/webhook.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;

namespace {

nlohmann::json repo_json() {
  return {{"name", "r"}, {"full_name", "o/r"}, {"owner", {{"login", "o"}}}};
}

}  // namespace

TEST_SUITE("github::parse_rerequest") {
  TEST_CASE("a re-requested check run of ours asks for its head again") {
    nlohmann::json p = {{"action", "rerequested"},
                        {"check_run", {{"name", "reviewer"}, {"head_sha", kHead}, {"pull_requests", {{{"number", 7}}}}}},
                        {"repository", repo_json()},
                        {"installation", {{"id", 55}}}};
    auto r = parse_rerequest("check_run", p);
    REQUIRE(r);
    CHECK(r->owner == "o");
    CHECK(r->repo == "r");
    CHECK(r->head_sha == kHead);
    CHECK(r->installation_id == 55);
    CHECK(r->pull_numbers == std::vector<std::int64_t>{7});
  }

  TEST_CASE("a re-requested check suite works too, and fork PRs come without numbers") {
    nlohmann::json p = {{"action", "rerequested"},
                        {"check_suite", {{"head_sha", kHead2}, {"pull_requests", nlohmann::json::array()}}},
                        {"repository", repo_json()}};
    auto r = parse_rerequest("check_suite", p);
    REQUIRE(r);
    CHECK(r->head_sha == kHead2);
    CHECK(r->pull_numbers.empty());
    CHECK(r->installation_id == 0);
  }

  TEST_CASE("other events, actions and other checks' runs yield nothing") {
    nlohmann::json run = {{"action", "rerequested"},
                          {"check_run", {{"name", "ci/build"}, {"head_sha", kHead}}},
                          {"repository", repo_json()}};
    CHECK_FALSE(parse_rerequest("check_run", run));
    run["check_run"]["name"] = "reviewer";
    run["action"] = "completed";
    CHECK_FALSE(parse_rerequest("check_run", run));
    CHECK_FALSE(parse_rerequest("pull_request", run));
    CHECK_FALSE(parse_rerequest("check_suite", nlohmann::json::array()));
  }

  TEST_CASE("a relevant payload missing fields or with a bad sha is an error, not a crash") {
    nlohmann::json p = {{"action", "rerequested"}, {"check_suite", {{"head_sha", "HEAD; rm -rf /"}}},
                        {"repository", repo_json()}};
    CHECK_THROWS_AS(parse_rerequest("check_suite", p), Error);
    p["check_suite"]["head_sha"] = kHead;
    p.erase("repository");
    CHECK_THROWS_AS(parse_rerequest("check_suite", p), Error);
    p["repository"] = {{"name", 5}};
    CHECK_THROWS_AS(parse_rerequest("check_suite", p), Error);
  }
}
