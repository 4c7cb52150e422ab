#include <doctest/doctest.h>

#include "commands_fixture.h"
#include "github_fixture.h"
#include "guidance/guidance.h"
#include "reviewer/commands/events.h"
#include "reviewer/commands/state.h"
#include "reviewer/github/publisher.h"
#include "reviewer/pipeline/policy.h"

using namespace reviewer;
using namespace reviewer::commands;
using namespace reviewer::test;

namespace {

std::vector<std::string> event_kinds(Scenario& s, std::int64_t pr = 7) {
  std::vector<std::string> out;
  for (const auto& e : s.audit->history("o/r", pr).events) out.push_back(e.record.kind);
  return out;
}

// What the review job does for a new head: the policy with the override
// from the log, then the publisher with the gate state from the log.
github::PublishReport review_and_publish(Scenario& s, const std::string& head) {
  ReviewResult r = sample_result(head, DecisionKind::approve);
  r.pr.repository = "o/r";
  r.pr.number = 7;
  github::PublishTarget t{"o", "r", 7, /*auto_approve=*/true, false, ""};
  GateState g = gate_state(*s.audit, "o/r", 7, head);
  apply_gate_state(g, r.pr, t);
  static const Guidance guidance = load_guidance();
  r.decision = decide({r.pr, r.diff, r.size, r.agents, guidance});
  github::PublisherOptions po;
  po.bot_login = kBot;
  github::Publisher p(s.client.get(), po);
  return p.publish(r, t, Mode::active);
}

}  // namespace

TEST_SUITE("commands::override_and_gate") {
  TEST_CASE("the review path approves a clean head when no human review is requested") {
    Scenario s;
    auto rep = review_and_publish(s, kPrHead);
    CHECK(rep.review_event == "APPROVE");
    CHECK(rep.check_conclusion == "success");
  }

  TEST_CASE("override then push: the new head is not approved and the gate stays action_required") {
    Scenario s;
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    s.set_head(kHead2);
    s.fake.set_pull_head("o/r", 7, kHead2);
    auto push = pull_request_payload("synchronize");
    push["pull_request"]["head"]["sha"] = kHead2;
    handle_pull_request(*s.ctx, push);
    CHECK(human_review_required(*s.audit, "o/r", 7));
    auto rep = review_and_publish(s, kHead2);
    CHECK(rep.review_event == "COMMENT");
    CHECK(rep.check_conclusion == "action_required");
    for (const auto& rv : s.fake.reviews("o/r", 7)) CHECK(rv["state"] != "APPROVED");
  }

  TEST_CASE("a write-access approval of the current head turns the gate green; of an old head it does not") {
    Scenario s;
    s.set_permission("max", "write");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    CHECK(s.gate() == "action_required");
    // An approval of an older commit does not cover the head.
    handle_pull_request_review(*s.ctx, review_payload("approved", "max", "COLLABORATOR", kHead2, 801));
    CHECK(s.gate() == "action_required");
    handle_pull_request_review(*s.ctx, review_payload("approved", "max", "COLLABORATOR", kPrHead, 802));
    CHECK(s.gate() == "success");
    CHECK(human_approved_head(s.audit->history("o/r", 7), kPrHead));
    // The review job re-publishing the same head keeps it green.
    auto rep = review_and_publish(s, kPrHead);
    CHECK(rep.review_event == "COMMENT");
    CHECK(rep.check_conclusion == "success");
  }

  TEST_CASE("an approval without write access, or by the author, does not open the gate") {
    Scenario s;
    s.set_permission("reader", "triage");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    handle_pull_request_review(*s.ctx, review_payload("approved", "reader", "MEMBER", kPrHead, 801));
    handle_pull_request_review(*s.ctx, review_payload("approved", "outsider", "CONTRIBUTOR", kPrHead, 802));
    CHECK(s.gate() == "action_required");
    auto kinds = event_kinds(s);
    CHECK(std::count(kinds.begin(), kinds.end(), "approved_without_access") == 2);
    CHECK(std::count(kinds.begin(), kinds.end(), "approved") == 0);
  }

  TEST_CASE("a dismissed approval closes the gate again while a human review is required") {
    Scenario s;
    s.set_permission("max", "write");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    handle_pull_request_review(*s.ctx, review_payload("approved", "max", "COLLABORATOR", kPrHead, 802));
    CHECK(s.gate() == "success");
    handle_pull_request_review(*s.ctx, review_payload("dismissed", "max", "COLLABORATOR", kPrHead, 802, "", "dismissed"));
    CHECK_FALSE(human_approved_head(s.audit->history("o/r", 7), kPrHead));
    CHECK(s.gate() == "action_required");
  }

  TEST_CASE("a request for changes by a person is recorded with who asked") {
    Scenario s;
    s.set_permission("max", "write");
    handle_pull_request_review(*s.ctx, review_payload("changes_requested", "max", "COLLABORATOR", kPrHead, 803));
    auto h = s.audit->history("o/r", 7);
    REQUIRE(h.events.size() == 1);
    CHECK(h.events[0].record.kind == "changes_requested");
    CHECK(h.events[0].record.actor == "max");
    CHECK(h.events[0].record.head_sha == kPrHead);
  }

  TEST_CASE("/human-review in a review body counts like a comment; the bot's own reviews are ignored") {
    Scenario s;
    handle_pull_request_review(*s.ctx, review_payload("commented", kAuthor, "CONTRIBUTOR", kPrHead, 804,
                                                      "Not sure about this.\n/human-review"));
    CHECK(human_review_required(*s.audit, "o/r", 7));
    auto out = handle_pull_request_review(*s.ctx, review_payload("approved", kBot, "NONE", kPrHead, 805));
    CHECK(out.ignored);
  }
}

TEST_SUITE("commands::lifecycle") {
  TEST_CASE("opened, pushed, ready for review and closed become pr_events, each once") {
    Scenario s;
    handle_pull_request(*s.ctx, pull_request_payload("opened"));
    handle_pull_request(*s.ctx, pull_request_payload("opened"));  // redelivered
    auto push = pull_request_payload("synchronize");
    handle_pull_request(*s.ctx, push);
    handle_pull_request(*s.ctx, pull_request_payload("ready_for_review"));
    auto closed = pull_request_payload("closed");
    closed["pull_request"]["merged"] = false;
    handle_pull_request(*s.ctx, closed);
    CHECK(event_kinds(s) == std::vector<std::string>{"opened", "pushed", "ready_for_review", "closed"});
    auto h = s.audit->history("o/r", 7);
    CHECK(h.events[0].record.actor == kAuthor);
    CHECK(h.events[1].record.head_sha == kPrHead);
    CHECK(handle_pull_request(*s.ctx, pull_request_payload("labeled")).ignored);
  }

  TEST_CASE("a merge records the merge sha and links the revert PR to the PR it reverts") {
    Scenario s;
    // PR 7 merged first.
    auto merged = pull_request_payload("closed");
    merged["pull_request"]["merged"] = true;
    merged["pull_request"]["merge_commit_sha"] = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
    merged["pull_request"]["merged_by"] = {{"login", "max"}};
    merged["pull_request"]["title"] = "Add caching";
    handle_pull_request(*s.ctx, merged);
    auto h = s.audit->history("o/r", 7);
    REQUIRE(h.events.size() == 1);
    CHECK(h.events[0].record.kind == "merged");
    CHECK(h.events[0].record.merge_sha == "abcdefabcdefabcdefabcdefabcdefabcdefabcd");
    CHECK(h.events[0].record.actor == "max");

    // PR 9, GitHub's Revert button, merged later.
    s.fake.on("GET", "/repos/o/r/pulls/9/comments", [](const Recorded&) { return FakeResponse{200, nlohmann::json::array(), {}}; });
    auto revert = pull_request_payload("closed", 9);
    revert["pull_request"]["merged"] = true;
    revert["pull_request"]["merge_commit_sha"] = "9999999999999999999999999999999999999999";
    revert["pull_request"]["merged_by"] = {{"login", "max"}};
    revert["pull_request"]["title"] = "Revert \"Add caching\"";
    revert["pull_request"]["body"] = "Reverts o/r#7";
    auto out = handle_pull_request(*s.ctx, revert);
    CHECK(out.summary().find("reverts #7") != std::string::npos);
    h = s.audit->history("o/r", 7);
    REQUIRE(h.events.size() == 2);
    CHECK(h.events[1].record.kind == "reverted");
    CHECK(h.events[1].record.related_pr == 9);
  }

  TEST_CASE("closing a PR collects the reactions on the bot's comments") {
    Scenario s;
    s.set_permission("max", "write");
    s.record_finding("0123456789abcdef", "logic/a");
    s.add_bot_inline_comment(31, "0123456789abcdef", {{{"content", "+1"}, {"user", {{"login", "max"}}}}});
    auto closed = pull_request_payload("closed");
    closed["pull_request"]["merged"] = false;
    handle_pull_request(*s.ctx, closed);
    auto h = s.audit->history("o/r", 7);
    REQUIRE(h.feedback.size() == 1);
    CHECK(h.feedback[0].record.helpful);
  }

  TEST_CASE("a handled event missing a field it needs is a clear invalid-input error") {
    Scenario s;
    auto p = pull_request_payload("opened");
    p["pull_request"].erase("head");
    CHECK_THROWS_WITH_AS(handle_pull_request(*s.ctx, p), doctest::Contains("pull_request.head"), Error);
    auto c = comment_payload("/review", "max", "MEMBER");
    c["comment"].erase("id");
    s.set_permission("max", "write");
    CHECK_THROWS_AS(handle_issue_comment(*s.ctx, c), Error);
  }
}
