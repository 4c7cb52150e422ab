#include <doctest/doctest.h>

#include "commands_fixture.h"
#include "github_fixture.h"
#include "reviewer/commands/actions.h"
#include "reviewer/commands/events.h"
#include "reviewer/commands/state.h"
#include "reviewer/github/labels.h"

using namespace reviewer;
using namespace reviewer::commands;
using namespace reviewer::test;

namespace {

bool has_label(Scenario& s, const std::string& l) {
  auto ls = s.fake.labels("o/r", 7);
  return std::find(ls.begin(), ls.end(), l) != ls.end();
}

std::vector<std::string> action_kinds(Scenario& s) {
  std::vector<std::string> out;
  for (const auto& a : s.audit->history("o/r", 7).actions) out.push_back(a.record.kind);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_SUITE("commands::human_review") {
  TEST_CASE("the PR author's /human-review overrides: audit row, approval dismissed, labels, gate, code owners, reply") {
    Scenario s;
    s.fake.add_review("o/r", 7, {{"id", 77}, {"user", {{"login", kBot}}}, {"state", "APPROVED"},
                                 {"commit_id", kPrHead}, {"body", "<!-- reviewer:run=r1 head=" + kPrHead + " -->"}});
    s.fake.add_review("o/r", 7, {{"id", 78}, {"user", {{"login", "carol"}}}, {"state", "APPROVED"}, {"commit_id", kPrHead}});
    s.fake.set_labels("o/r", 7, {"size/S", github::kApprovedLabel});
    s.set_codeowners("* @lead\n*.cpp @cpp-owner @o/core @alice\n");
    s.set_files({"src/app.cpp", "docs/x.md"});

    auto out = handle_issue_comment(*s.ctx, comment_payload("Please have a person look.\n/human-review schema change",
                                                            kAuthor, "CONTRIBUTOR"));
    CHECK_FALSE(out.ignored);
    CHECK(human_review_required(*s.audit, "o/r", 7));
    auto h = s.audit->history("o/r", 7);
    REQUIRE(h.overrides.size() == 1);
    CHECK(h.overrides[0].record.kind == "human_review");
    CHECK(h.overrides[0].record.actor == kAuthor);
    CHECK(h.overrides[0].record.comment_id == "900");

    auto reviews = s.fake.reviews("o/r", 7);
    CHECK(reviews[0]["state"] == "DISMISSED");  // ours
    CHECK(reviews[1]["state"] == "APPROVED");   // a person's approval is not ours to dismiss
    CHECK(has_label(s, github::kNeedsHumanLabel));
    CHECK_FALSE(has_label(s, github::kApprovedLabel));
    CHECK(has_label(s, "size/S"));
    CHECK(s.gate() == "action_required");
    REQUIRE(s.review_requests().size() == 1);
    // The author is never asked to review their own PR; README's owner @lead is asked for docs/x.md.
    CHECK(s.review_requests()[0] == nlohmann::json{{"reviewers", {"cpp-owner", "lead"}}, {"team_reviewers", {"core"}}});
    REQUIRE(s.replies().size() == 1);
    std::string reply = s.replies()[0];
    CHECK(reply.find("Human review requested by @alice") != std::string::npos);
    CHECK(reply.find("@cpp-owner, @lead, @o/core") != std::string::npos);
    CHECK(s.permission_lookups() == 0);  // the author needs no permission lookup
    auto kinds = action_kinds(s);
    for (const char* k : {"dismiss_review", "label", "check_run", "request_reviewers", "comment"}) CHECK(contains(kinds, k));
  }

  TEST_CASE("an outside contributor's /human-review on someone else's PR is refused politely and audited") {
    Scenario s;
    auto out = handle_issue_comment(*s.ctx, comment_payload("/human-review", "mallory", "CONTRIBUTOR"));
    CHECK_FALSE(human_review_required(*s.audit, "o/r", 7));
    REQUIRE(s.replies().size() == 1);
    CHECK(std::string(s.replies()[0]).find("Sorry @mallory") == 0);
    CHECK(contains(action_kinds(s), "command_refused"));
    CHECK(s.permission_lookups() == 0);  // CONTRIBUTOR: no write access, no need to ask
    CHECK(s.fake.requests("POST", "/repos/o/r/check-runs").empty());
    CHECK(s.fake.requests("POST", "/repos/o/r/issues/7/labels").empty());
  }

  TEST_CASE("a maintainer may ask for a human review; the permission API confirms the association") {
    Scenario s;
    s.set_permission("max", "maintain");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", "max", "MEMBER"));
    CHECK(human_review_required(*s.audit, "o/r", 7));
    CHECK(s.permission_lookups() == 1);
  }

  TEST_CASE("a MEMBER whose permission on this repository is read only is refused") {
    Scenario s;
    s.set_permission("bob", "read");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", "bob", "MEMBER"));
    CHECK_FALSE(human_review_required(*s.audit, "o/r", 7));
    CHECK(s.permission_lookups() == 1);
    CHECK(contains(action_kinds(s), "command_refused"));
  }

  TEST_CASE("a COLLABORATOR the permission API does not know (404) is refused") {
    Scenario s;
    handle_issue_comment(*s.ctx, comment_payload("/human-review", "ghost", "COLLABORATOR"));
    CHECK_FALSE(human_review_required(*s.audit, "o/r", 7));
    CHECK(contains(action_kinds(s), "command_refused"));
  }

  TEST_CASE("cancel: lifted by someone with write access, who gets a re-review") {
    Scenario s;
    s.set_permission("max", "write");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR", 900));
    auto out = handle_issue_comment(*s.ctx, comment_payload("/human-review cancel", "max", "COLLABORATOR", 901));
    CHECK_FALSE(human_review_required(*s.audit, "o/r", 7));
    REQUIRE(out.rerun.has_value());
    CHECK(out.rerun->head_sha == kPrHead);
    CHECK(out.rerun->repository == "o/r");
    CHECK(out.rerun->number == 7);
  }

  TEST_CASE("cancel: the author alone cannot lift a maintainer's request, nor can someone without write access") {
    Scenario s;
    s.set_permission("max", "write");
    s.set_permission(kAuthor, "write");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", "max", "COLLABORATOR", 900));
    auto out = handle_issue_comment(*s.ctx, comment_payload("/human-review cancel", kAuthor, "COLLABORATOR", 901));
    CHECK(human_review_required(*s.audit, "o/r", 7));
    CHECK_FALSE(out.rerun.has_value());
    handle_issue_comment(*s.ctx, comment_payload("/human-review cancel", "mallory", "NONE", 902));
    CHECK(human_review_required(*s.audit, "o/r", 7));
    auto replies = s.replies();
    REQUIRE(replies.size() == 3);
    CHECK(std::string(replies[1]).find("@max asked for a human review") != std::string::npos);
    CHECK(std::string(replies[2]).find("Sorry @mallory") == 0);
  }

  TEST_CASE("cancel: an author with write access may withdraw their own request") {
    Scenario s;
    s.set_permission(kAuthor, "write");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "COLLABORATOR", 900));
    handle_issue_comment(*s.ctx, comment_payload("/human-review cancel", kAuthor, "COLLABORATOR", 901));
    CHECK_FALSE(human_review_required(*s.audit, "o/r", 7));
  }

  TEST_CASE("an author without write access cannot cancel even their own request") {
    Scenario s;
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR", 900));
    handle_issue_comment(*s.ctx, comment_payload("/human-review cancel", kAuthor, "CONTRIBUTOR", 901));
    CHECK(human_review_required(*s.audit, "o/r", 7));
  }

  TEST_CASE("without CODEOWNERS the reply says so and no reviewers are requested") {
    Scenario s;
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    CHECK(s.review_requests().empty());
    CHECK(std::string(s.replies()[0]).find("no CODEOWNERS") != std::string::npos);
  }

  TEST_CASE("an unreadable CODEOWNERS does not stop the override; the reply says so") {
    Scenario s;
    s.ctx->options.codeowners = [](const github::PullInfo&) -> std::optional<std::string> {
      throw Error(Error::Code::io, "mirror unavailable");
    };
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    CHECK(human_review_required(*s.audit, "o/r", 7));
    CHECK(s.gate() == "action_required");
    CHECK(std::string(s.replies()[0]).find("could not read CODEOWNERS") != std::string::npos);
  }

  TEST_CASE("dry-run records the override and would-be calls but posts nothing") {
    Scenario s(Mode::dry_run);
    s.set_codeowners("* @lead\n");
    auto out = handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    CHECK(human_review_required(*s.audit, "o/r", 7));
    CHECK_FALSE(out.calls.empty());
    for (const auto& r : s.fake.requests()) CHECK(r.method == "GET");
    auto kinds = action_kinds(s);
    CHECK(contains(kinds, "would_comment"));
    CHECK(contains(kinds, "would_check_run"));
  }

  TEST_CASE("shadow mode replies but never labels, dismisses, gates or requests reviewers") {
    Scenario s(Mode::shadow);
    s.set_codeowners("* @lead\n");
    handle_issue_comment(*s.ctx, comment_payload("/human-review", kAuthor, "CONTRIBUTOR"));
    CHECK(human_review_required(*s.audit, "o/r", 7));
    CHECK(s.replies().size() == 1);
    CHECK(s.fake.requests("POST", "/repos/o/r/check-runs").empty());
    CHECK(s.fake.requests("POST", "/repos/o/r/issues/7/labels").empty());
    CHECK(s.review_requests().empty());
  }

  TEST_CASE("a retried job does not record the override or reply twice") {
    Scenario s;
    auto p = comment_payload("/human-review", kAuthor, "CONTRIBUTOR");
    handle_issue_comment(*s.ctx, p);
    handle_issue_comment(*s.ctx, p);
    CHECK(s.audit->history("o/r", 7).overrides.size() == 1);
    CHECK(s.replies().size() == 1);
  }
}

TEST_SUITE("commands::review_and_feedback") {
  TEST_CASE("/review by a maintainer asks for a re-review of the current head, at most once per interval") {
    Scenario s;
    s.set_permission("max", "maintain");
    auto t = std::chrono::system_clock::now();
    s.ctx->options.now = [&] { return t; };
    s.set_head(kHead2);
    auto out = handle_issue_comment(*s.ctx, comment_payload("/review", "max", "COLLABORATOR", 900));
    REQUIRE(out.rerun.has_value());
    CHECK(out.rerun->head_sha == kHead2);
    CHECK(out.rerun->requested_by == "max");
    CHECK(s.reactions_posted().size() == 1);  // acknowledged with a reaction, no reply
    CHECK(s.replies().empty());

    t += std::chrono::seconds(60);
    out = handle_issue_comment(*s.ctx, comment_payload("/review", "max", "COLLABORATOR", 901));
    CHECK_FALSE(out.rerun.has_value());
    REQUIRE(s.replies().size() == 1);
    CHECK(std::string(s.replies()[0]).find("ask again after") != std::string::npos);

    t += std::chrono::seconds(300);
    out = handle_issue_comment(*s.ctx, comment_payload("/review", "max", "COLLABORATOR", 902));
    CHECK(out.rerun.has_value());
  }

  TEST_CASE("/review from the author without write access is refused") {
    Scenario s;
    auto out = handle_issue_comment(*s.ctx, comment_payload("/review", kAuthor, "FIRST_TIME_CONTRIBUTOR"));
    CHECK_FALSE(out.rerun.has_value());
    CHECK(contains(action_kinds(s), "command_refused"));
  }

  TEST_CASE("/feedback records a verdict on a finding the bot reported, with its rule") {
    Scenario s;
    s.set_permission("max", "write");
    s.record_finding("0123456789abcdef", "logic/null-deref");
    handle_issue_comment(*s.ctx, comment_payload(
        "/feedback unhelpful 0123456789abcdef generated file\n/feedback helpful 0123456789abcdef", "max", "MEMBER"));
    auto h = s.audit->history("o/r", 7);
    REQUIRE(h.feedback.size() == 2);
    CHECK(h.feedback[0].record.rule == "logic/null-deref");
    CHECK_FALSE(h.feedback[0].record.helpful);
    CHECK(h.feedback[1].record.helpful);
    CHECK(h.feedback[0].record.actor == "max");
    CHECK(contains(action_kinds(s), "feedback_reason"));
    CHECK(s.replies().empty());
  }

  TEST_CASE("/feedback on an unknown finding id records nothing and says so") {
    Scenario s;
    s.set_permission("max", "write");
    handle_issue_comment(*s.ctx, comment_payload("/feedback helpful ffffffffffffffff", "max", "MEMBER"));
    CHECK(s.audit->history("o/r", 7).feedback.empty());
    REQUIRE(s.replies().size() == 1);
    CHECK(std::string(s.replies()[0]).find("I reported no finding") != std::string::npos);
  }

  TEST_CASE("/feedback from someone without write access is refused") {
    Scenario s;
    s.record_finding("0123456789abcdef", "logic/x");
    handle_issue_comment(*s.ctx, comment_payload("/feedback unhelpful 0123456789abcdef", "mallory", "NONE"));
    CHECK(s.audit->history("o/r", 7).feedback.empty());
    CHECK(contains(action_kinds(s), "command_refused"));
  }

  TEST_CASE("an unknown command addressed to the bot gets the help once") {
    Scenario s;
    handle_issue_comment(*s.ctx, comment_payload("/reviewer please\n@reviewer-test /frobnicate", "anyone", "NONE"));
    REQUIRE(s.replies().size() == 1);
    CHECK(std::string(s.replies()[0]).find("I understand these commands") != std::string::npos);
  }

  TEST_CASE("reactions on the bot's inline comments become feedback from people with write access, once") {
    Scenario s;
    s.set_permission("max", "write");
    s.set_permission("reader", "read");
    s.record_finding("0123456789abcdef", "logic/a");
    s.add_bot_inline_comment(31, "0123456789abcdef",
                             {{{"content", "-1"}, {"user", {{"login", "max"}, {"type", "User"}}}},
                              {{"content", "+1"}, {"user", {{"login", "reader"}, {"type", "User"}}}},
                              {{"content", "heart"}, {"user", {{"login", "max"}, {"type", "User"}}}},
                              {{"content", "+1"}, {"user", {{"login", "other[bot]"}, {"type", "Bot"}}}}});
    s.add_bot_inline_comment(32, "fedcba9876543210", {});  // unknown finding, no reactions: not fetched
    github::PullInfo pr;
    pr.pr.repository = "o/r";
    pr.pr.number = 7;
    pr.pr.author = kAuthor;
    pr.pr.head_sha = kPrHead;
    pr.pr.base_ref = "main";
    pr.base_tip_sha = kPrBase;
    pr.state = "open";
    CHECK(collect_reactions(*s.ctx, pr) == 1);
    CHECK(collect_reactions(*s.ctx, pr) == 0);
    auto h = s.audit->history("o/r", 7);
    REQUIRE(h.feedback.size() == 1);
    CHECK(h.feedback[0].record.actor == "max");
    CHECK_FALSE(h.feedback[0].record.helpful);
    CHECK(h.feedback[0].record.comment_id == "reaction:31");
    CHECK(s.fake.requests("GET", "/repos/o/r/pulls/comments/32/reactions").empty());
  }
}

TEST_SUITE("commands::loops") {
  TEST_CASE("comments by bots, this one included, and edited comments never trigger anything") {
    Scenario s;
    auto own = comment_payload("/human-review\n/review", kBot, "NONE");
    CHECK(handle_issue_comment(*s.ctx, own).ignored);
    auto other = comment_payload("/human-review", "dependabot[bot]", "NONE");
    CHECK(handle_issue_comment(*s.ctx, other).ignored);
    auto via_app = comment_payload("/human-review", "alice", "OWNER");
    via_app["comment"]["performed_via_github_app"] = {{"id", 1}, {"slug", "some-app"}};
    CHECK(handle_issue_comment(*s.ctx, via_app).ignored);
    auto typed_bot = comment_payload("/human-review", "renovate", "NONE");
    typed_bot["comment"]["user"]["type"] = "Bot";
    CHECK(handle_issue_comment(*s.ctx, typed_bot).ignored);
    auto edited = comment_payload("/human-review", kAuthor, "CONTRIBUTOR");
    edited["action"] = "edited";
    CHECK(handle_issue_comment(*s.ctx, edited).ignored);
    auto on_issue = comment_payload("/human-review", kAuthor, "CONTRIBUTOR");
    on_issue["issue"].erase("pull_request");
    CHECK(handle_issue_comment(*s.ctx, on_issue).ignored);
    CHECK(s.fake.requests().empty());
    CHECK_FALSE(human_review_required(*s.audit, "o/r", 7));
  }

  TEST_CASE("the bot's own help reply, fed back as a comment, is ignored") {
    Scenario s;
    handle_issue_comment(*s.ctx, comment_payload("/reviewer", "anyone", "NONE"));
    REQUIRE(s.replies().size() == 1);
    s.fake.clear_requests();
    auto echo = comment_payload(s.replies()[0], kBot, "NONE", 901);
    CHECK(handle_issue_comment(*s.ctx, echo).ignored);
    CHECK(s.fake.requests().empty());
  }
}
