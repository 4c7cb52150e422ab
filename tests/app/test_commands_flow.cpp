// Issue 9 end to end: slash commands, a person's review and the PR's
// lifecycle arrive as signed webhooks at `serve`, go through the queue to
// reviewer/commands, and change what the review jobs post (fake GitHub API,
// real payload shapes from @octokit/webhooks-examples).
#include <doctest/doctest.h>

#include <mutex>

#include <fmt/format.h>

#include "app_fixture.h"
#include "reviewer/git/handles.h"
#include "server_fixture.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

std::map<std::string, git::FileChange> greeting() {
  return {{"src/greet.py", {"def greet(name):\n    return f\"hello {name}\"\n"}}};
}

// Moves PR `number` to a new commit on top of `parent` (a push).
std::string push(Origin& origin, int number, const std::string& parent, const std::map<std::string, git::FileChange>& c) {
  std::string head = origin.repo.commit(fmt::format("pr-{}", number), parent, c, "Follow-up");
  origin.move_pull(number, head);
  return head;
}

// The routes the commands use beyond the publisher's, for PR `number`.
struct CommandRoutes {
  CommandRoutes(FakeGitHub& fake, int number) {
    const std::string pr = fmt::format("/repos/{}/pulls/{}", kRepo, number);
    fake.on("POST", fmt::format("/repos/{}/issues/{}/comments", kRepo, number), [this](const Recorded& r) {
      std::lock_guard lock(mu);
      replies.push_back(r.body.value("body", ""));
      return FakeResponse{201, {{"id", 7000 + replies.size()}, {"body", r.body.value("body", "")}}, {}};
    });
    fake.on("GET", pr + "/files", [](const Recorded&) {
      return FakeResponse{200, nlohmann::json::array({{{"filename", "src/greet.py"}, {"status", "added"}}}), {}};
    });
    fake.on("POST", pr + "/requested_reviewers", [this](const Recorded& r) {
      std::lock_guard lock(mu);
      requested.push_back(r.body);
      return FakeResponse{201, {{"number", 1}}, {}};
    });
    fake.on("GET", pr + "/comments", [](const Recorded&) { return FakeResponse{200, nlohmann::json::array(), {}}; });
    for (int id = 900; id < 910; ++id) {
      fake.on("POST", fmt::format("/repos/{}/issues/comments/{}/reactions", kRepo, id),
              [](const Recorded&) { return FakeResponse{201, {{"id", 1}, {"content", "eyes"}}, {}}; });
    }
    permission(fake, "alice", "read");  // the author, without write access
    permission(fake, "bob", "write");
    permission(fake, "carol", "read");  // an outside contributor
  }
  static void permission(FakeGitHub& fake, const std::string& login, const std::string& role) {
    fake.on("GET", fmt::format("/repos/{}/collaborators/{}/permission", kRepo, login), [login, role](const Recorded&) {
      return FakeResponse{200, {{"permission", role}, {"role_name", role}, {"user", {{"login", login}}}}, {}};
    });
  }
  std::vector<std::string> all_replies() {
    std::lock_guard lock(mu);
    return replies;
  }
  std::mutex mu;
  std::vector<std::string> replies;
  nlohmann::json requested = nlohmann::json::array();
};

// The conclusion of the newest completed check run for `head`.
std::string gate(FakeGitHub& fake, const std::string& head) {
  std::string last;
  for (const auto& run : fake.check_runs()) {
    if (run.value("head_sha", "") == head && run.value("status", "") == "completed") {
      last = run.value("conclusion", "");
    }
  }
  return last;
}

std::size_t approvals_of(FakeGitHub& fake, int number, const std::string& head) {
  std::size_t n = 0;
  for (const auto& r : fake.reviews(kRepo, number)) n += r["commit_id"] == head && r["state"] == "APPROVED";
  return n;
}

bool contains(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

AppServerOptions approving(const std::filesystem::path& dir) {
  write_text(dir / "guidance" / "approve.yml", "auto_approve:\n  enabled: true\n  repositories: ['octo/*']\n");
  return {"active", true, true, {{"REVIEWER_GUIDANCE_DIR", (dir / "guidance").string()}}};
}

}  // namespace

TEST_SUITE("app::commands") {
  TEST_CASE("/human-review stops auto-approval across pushes until a person with write access approves the head") {
    auto dir = scratch_dir("app-human-review");
    Origin origin(dir / "origin.git");
    // CODEOWNERS at the base commit: Python files belong to a team.
    origin.base = origin.repo.commit("main", origin.base, {{".github/CODEOWNERS", {"*.py @octo/python-team\n"}}},
                                     "Add CODEOWNERS");
    std::string head1 = origin.open_pr(21, greeting(), "Add a greeting");
    FakeGitHub fake;
    CommandRoutes routes(fake, 21);
    auto opened = pr_payload(origin, 21, head1);
    fake.set_pull(kRepo, 21, opened["pull_request"]);
    AppServer s(dir, fake, approving(dir));

    CHECK(s.send("pull_request", opened, "d-open") == 202);
    REQUIRE(s.wait_job("d-open") == "done");
    REQUIRE(approvals_of(fake, 21, head1) == 1);  // auto-approve is on for octo/*
    CHECK(gate(fake, head1) == "success");

    // The author asks for a human review.
    CHECK(s.send("issue_comment", comment_payload(origin, 21, "/human-review please", "alice", "CONTRIBUTOR", 901),
                 "d-hr") == 202);
    REQUIRE(s.wait_job("d-hr") == "done");
    INFO(s.job_field("d-hr", "result"));
    CHECK(fake.requests("PUT", "/repos/octo/hello/pulls/21/reviews/").size() == 1);  // our approval dismissed
    CHECK(fake.reviews(kRepo, 21)[0]["state"] == "DISMISSED");
    auto labels = fake.labels(kRepo, 21);
    CHECK(std::find(labels.begin(), labels.end(), "reviewer: needs-human") != labels.end());
    CHECK(gate(fake, head1) == "action_required");
    REQUIRE(routes.requested.size() == 1);
    CHECK(routes.requested[0]["team_reviewers"] == nlohmann::json::array({"python-team"}));
    CHECK(!routes.all_replies().empty());
    CHECK(s.audit_one("SELECT kind || ' ' || actor || ' ' || comment_id FROM overrides") == "human_review alice 901");

    // A push: reviewed again, never approved, the gate waits for a person.
    std::string head2 = push(origin, 21, head1, {{"src/greet.py", {"def greet(name):\n    return name\n"}}});
    auto pushed = pr_payload(origin, 21, head2, "synchronize");
    fake.set_pull(kRepo, 21, pushed["pull_request"]);
    CHECK(s.send("pull_request", pushed, "d-push") == 202);
    REQUIRE(s.wait_job("d-push") == "done");
    INFO(s.job_field("d-push", "result"));
    CHECK(approvals_of(fake, 21, head2) == 0);
    CHECK(gate(fake, head2) == "action_required");
    CHECK(s.audit_one(fmt::format("SELECT decision FROM review_runs WHERE head_sha='{}'", head2)) == "needs_human");
    CHECK(s.audit_one("SELECT count(*) FROM pr_events WHERE kind='pushed'") == "1");

    // The author alone cannot lift it.
    CHECK(s.send("issue_comment", comment_payload(origin, 21, "/human-review cancel", "alice", "CONTRIBUTOR", 902),
                 "d-cancel-author") == 202);
    REQUIRE(s.wait_job("d-cancel-author") == "done");
    CHECK(s.audit_one("SELECT count(*) FROM overrides WHERE kind='cancel'") == "0");
    CHECK(approvals_of(fake, 21, head2) == 0);

    // A person with write access approves the current head: the gate passes.
    CHECK(s.send("pull_request_review", review_payload(origin, 21, "approved", "bob", "COLLABORATOR", head2, 801),
                 "d-approve") == 202);
    REQUIRE(s.wait_job("d-approve") == "done");
    INFO(s.job_field("d-approve", "result"));
    CHECK(gate(fake, head2) == "success");
    CHECK(s.audit_one("SELECT actor || ' ' || head_sha FROM pr_events WHERE kind='approved'") == "bob " + head2);
    CHECK(approvals_of(fake, 21, head2) == 0);  // the bot still does not approve

    // bob lifts the override: the head is reviewed again and may be auto-approved.
    CHECK(s.send("issue_comment", comment_payload(origin, 21, "/human-review cancel", "bob", "COLLABORATOR", 903),
                 "d-cancel") == 202);
    REQUIRE(s.wait_job("d-cancel") == "done");
    INFO(s.job_field("d-cancel", "result"));
    CHECK(s.audit_one("SELECT actor FROM overrides WHERE kind='cancel'") == "bob");
    CHECK(approvals_of(fake, 21, head2) == 1);
  }

  TEST_CASE("/review re-reviews the head for writers only, and a merge is recorded with its merge commit") {
    auto dir = scratch_dir("app-review-cmd");
    Origin origin(dir / "origin.git");
    std::string head = origin.open_pr(5, greeting(), "Add a greeting");
    FakeGitHub fake;
    CommandRoutes routes(fake, 5);
    auto opened = pr_payload(origin, 5, head);
    fake.set_pull(kRepo, 5, opened["pull_request"]);
    AppServer s(dir, fake);

    CHECK(s.send("pull_request", opened, "d-open") == 202);
    REQUIRE(s.wait_job("d-open") == "done");
    REQUIRE(fake.reviews(kRepo, 5).size() == 1);
    CHECK(s.audit_one("SELECT count(*) FROM pr_events WHERE kind='opened'") == "1");

    // An outside contributor: a polite refusal, an audit row, no review.
    CHECK(s.send("issue_comment", comment_payload(origin, 5, "/review", "carol", "NONE", 901), "d-carol") == 202);
    REQUIRE(s.wait_job("d-carol") == "done");
    CHECK(fake.reviews(kRepo, 5).size() == 1);
    CHECK(contains(routes.all_replies(), "@carol"));
    CHECK(s.audit_one("SELECT count(*) FROM review_runs") == "1");

    // A bot's comment, ours included, is never obeyed.
    CHECK(s.send("issue_comment", comment_payload(origin, 5, "/review", "reviewer-test[bot]", "NONE", 902), "d-bot") ==
          202);
    REQUIRE(s.wait_job("d-bot") == "done");
    CHECK(fake.reviews(kRepo, 5).size() == 1);

    // A writer: the head is reviewed again, once; a second /review at once is rate-limited.
    CHECK(s.send("issue_comment", comment_payload(origin, 5, "/review", "bob", "COLLABORATOR", 903), "d-bob") == 202);
    REQUIRE(s.wait_job("d-bob") == "done");
    INFO(s.job_field("d-bob", "result"));
    CHECK(fake.reviews(kRepo, 5).size() == 2);
    CHECK(s.audit_one("SELECT count(*) FROM review_runs WHERE trigger='command'") == "1");
    CHECK(s.send("issue_comment", comment_payload(origin, 5, "/review", "bob", "COLLABORATOR", 904), "d-bob2") == 202);
    REQUIRE(s.wait_job("d-bob2") == "done");
    CHECK(fake.reviews(kRepo, 5).size() == 2);

    // Merged: a lifecycle row with the merge commit, and no review.
    auto closed = pr_payload(origin, 5, head, "closed");
    closed["pull_request"]["state"] = "closed";
    closed["pull_request"]["merged"] = true;
    closed["pull_request"]["merge_commit_sha"] = std::string(40, 'e');
    CHECK(s.send("pull_request", closed, "d-merged") == 202);
    REQUIRE(s.wait_job("d-merged") == "done");
    INFO(s.job_field("d-merged", "result"));
    CHECK(s.audit_one("SELECT merge_sha FROM pr_events WHERE kind='merged'") == std::string(40, 'e'));
    CHECK(fake.reviews(kRepo, 5).size() == 2);
  }
}
