#include <doctest/doctest.h>

#include <set>

#include "reviewer/github/app_auth.h"
#include "support/testutil.h"

using namespace reviewer::github;

TEST_SUITE("github::app_manifest") {
  const nlohmann::json manifest =
      nlohmann::json::parse(reviewer::test::read_text(std::string(REVIEWER_SOURCE_DIR) + "/.github/app-manifest.json"));

  TEST_CASE("the manifest grants exactly the permissions installation tokens are narrowed to") {
    CHECK(manifest["default_permissions"] == bot_token_permissions());
  }

  TEST_CASE("the manifest subscribes to exactly the events the bot handles") {
    std::set<std::string> events(manifest["default_events"].begin(), manifest["default_events"].end());
    CHECK(events == std::set<std::string>{"check_run", "check_suite", "issue_comment", "pull_request",
                                          "pull_request_review"});
    CHECK(manifest["public"] == false);
    CHECK(manifest["hook_attributes"]["active"] == true);
  }
}
