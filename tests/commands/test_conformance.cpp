// Every request the command handlers send, checked against GitHub's OpenAPI
// description with the checker of tests/github (@octokit/openapi).
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "commands_fixture.h"
#include "github_fixture.h"
#include "reviewer/commands/events.h"
#include "reviewer/github/labels.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::commands;
using namespace reviewer::test;

namespace {

const std::string kTools = std::string(REVIEWER_SOURCE_DIR) + "/tests/tools/node_modules";
const std::string kSpec = kTools + "/@octokit/openapi/generated/api.github.com.json";
const std::string kChecker = std::string(REVIEWER_SOURCE_DIR) + "/tests/github/openapi_check.js";

// Every kind of call: permission lookups, the override's dismissal, labels,
// check run (create and update), files, review requests, replies,
// reactions, review comments and their reactions.
nlohmann::json record_everything() {
  Scenario s;
  s.set_permission("max", "write");
  s.fake.add_review("o/r", 7, {{"id", 77}, {"user", {{"login", kBot}}}, {"state", "APPROVED"}, {"commit_id", kPrHead}});
  s.fake.set_labels("o/r", 7, {github::kApprovedLabel});
  s.set_codeowners("* @lead @o/core\n");
  s.record_finding("0123456789abcdef", "logic/a");
  s.add_bot_inline_comment(31, "0123456789abcdef", {{{"content", "-1"}, {"user", {{"login", "max"}}}}});
  handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR", 900));
  handle_issue_comment(*s.ctx, comment_payload("/feedback helpful 0123456789abcdef", "max", "MEMBER", 901));
  handle_issue_comment(*s.ctx, comment_payload("/review", "max", "MEMBER", 902));
  handle_pull_request_review(*s.ctx, review_payload("approved", "max", "COLLABORATOR", kPrHead, 803));
  handle_pull_request_review(*s.ctx, review_payload("dismissed", "max", "COLLABORATOR", kPrHead, 803, "", "dismissed"));
  handle_issue_comment(*s.ctx, comment_payload("/human-review cancel", "max", "MEMBER", 903));
  auto closed = pull_request_payload("closed");
  closed["pull_request"]["merged"] = false;
  handle_pull_request(*s.ctx, closed);
  return s.fake.requests_json();
}

}  // namespace

TEST_SUITE("commands::conformance") {
  TEST_CASE("every request the command handlers send matches GitHub's OpenAPI description") {
    REQUIRE_MESSAGE(std::filesystem::exists(kSpec),
                    "@octokit/openapi missing: run `npm ci --prefix tests/tools` (scripts/test.sh does)");
    nlohmann::json requests = record_everything();
    std::set<std::string> kinds;
    for (const auto& r : requests) kinds.insert(r["method"].get<std::string>() + " " + r["path"].get<std::string>());
    for (const char* k : {"GET /repos/o/r/collaborators/max/permission", "GET /repos/o/r/pulls/7",
                          "PUT /repos/o/r/pulls/7/reviews/77/dismissals", "POST /repos/o/r/issues/7/labels",
                          "DELETE /repos/o/r/issues/7/labels/reviewer%3A%20approved", "POST /repos/o/r/check-runs",
                          "GET /repos/o/r/pulls/7/files", "POST /repos/o/r/pulls/7/requested_reviewers",
                          "POST /repos/o/r/issues/7/comments", "POST /repos/o/r/issues/comments/901/reactions",
                          "GET /repos/o/r/pulls/7/comments", "GET /repos/o/r/pulls/comments/31/reactions"}) {
      CHECK_MESSAGE(kinds.count(k) == 1, k);
    }
    bool patched = false;
    for (const auto& k : kinds) patched |= k.rfind("PATCH /repos/o/r/check-runs/", 0) == 0;
    CHECK(patched);
    std::string out;
    auto dir = scratch_dir("commands-openapi");
    write_text(dir / "requests.json", requests.dump(2));
    int rc = run_command("node '" + kChecker + "' '" + kSpec + "' '" + (dir / "requests.json").string() + "'", &out, true);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("checked " + std::to_string(requests.size()) + " requests") != std::string::npos);
  }
}
