#include <doctest/doctest.h>

#include "github_fixture.h"
#include "reviewer/core/error.h"
#include "reviewer/github/pull_request.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;

namespace {

nlohmann::json pull_json() {
  return {{"number", 7}, {"title", "Fix"}, {"body", nullptr}, {"draft", true}, {"state", "open"},
          {"user", {{"login", "alice"}}}, {"labels", {{{"name", "bug"}}, {{"name", "size/S"}}}},
          {"head", {{"sha", kHead}, {"ref", "fix"}, {"repo", {{"full_name", "alice/r"}}}}},
          {"base", {{"sha", kHead2}, {"ref", "main"}, {"repo", {{"full_name", "o/r"}}}}}};
}

}  // namespace

TEST_SUITE("github::pull_request") {
  TEST_CASE("reads the PR fields a review needs, from a payload or the API") {
    auto info = pull_from_json(pull_json(), "o/r");
    CHECK(info.pr.number == 7);
    CHECK(info.pr.title == "Fix");
    CHECK(info.pr.body.empty());
    CHECK(info.pr.draft);
    CHECK(info.pr.author == "alice");
    CHECK(info.pr.labels == std::vector<std::string>{"bug", "size/S"});
    CHECK(info.pr.head_sha == kHead);
    CHECK(info.pr.base_ref == "main");
    CHECK(info.base_tip_sha == kHead2);
    CHECK(info.from_fork);

    FakeGitHub fake;
    fake.accept_token("tok");
    fake.on("GET", "/repos/o/r/pulls/7", [](const Recorded&) { return FakeResponse{200, pull_json(), {}}; });
    RestClient client(fake_options(fake, token_credentials("tok")));
    CHECK(fetch_pull(client, "o", "r", 7).pr.title == "Fix");
  }

  TEST_CASE("a payload missing required fields is a clear error") {
    auto j = pull_json();
    j.erase("head");
    CHECK_THROWS_WITH_AS(pull_from_json(j, "o/r"), "pull request JSON has no 'head' object", Error);
    j = pull_json();
    j["title"] = 5;
    CHECK_THROWS_AS(pull_from_json(j, "o/r"), Error);
    CHECK_THROWS_AS(pull_from_json(nlohmann::json::array(), "o/r"), Error);
  }
}
