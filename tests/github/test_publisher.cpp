#include <doctest/doctest.h>

#include <map>

#include "github_fixture.h"
#include "reviewer/github/publisher.h"

using namespace reviewer;
using namespace reviewer::github;
using namespace reviewer::test;

namespace {

struct MemLedger : PublishLedger {
  std::map<std::string, std::int64_t> posted;
  bool crash_on_record = false;
  bool review_posted(const std::string& repo, std::int64_t n, const std::string& head,
                     const std::string& event) override {
    return posted.count(repo + "#" + std::to_string(n) + "@" + head + ":" + event) > 0;
  }
  void record_review(const std::string& repo, std::int64_t n, const std::string& head, std::int64_t id,
                     const std::string& event) override {
    if (crash_on_record) throw std::runtime_error("simulated crash before the audit row was written");
    posted[repo + "#" + std::to_string(n) + "@" + head + ":" + event] = id;
  }
};

struct Env {
  FakeGitHub fake;
  std::unique_ptr<RestClient> client;
  PublishTarget target;
  Env(const std::string& head = kHead) {
    fake.accept_token("tok");
    fake.set_pull_head("o/r", 7, head);
    client = std::make_unique<RestClient>(fake_options(fake, token_credentials("tok")));
    target.owner = "o";
    target.repo = "r";
    target.number = 7;
  }
  Publisher publisher(PublishLedger* ledger = nullptr, bool app = true) {
    PublisherOptions o;
    o.bot_login = "reviewer-test[bot]";
    o.app = app;
    o.ledger = ledger;
    return Publisher(client.get(), o);
  }
  std::size_t posted_reviews() { return fake.requests("POST", "/repos/o/r/pulls/7/reviews").size(); }
};

std::size_t count_mutations(const std::vector<Recorded>& rs) {
  std::size_t n = 0;
  for (const auto& r : rs) n += r.method != "GET";
  return n;
}

}  // namespace

TEST_SUITE("github::Publisher") {
  TEST_CASE("dry-run sends nothing and lists the calls active mode would make") {
    FakeGitHub fake;
    Publisher p(nullptr, PublisherOptions{});
    PublishTarget t{"o", "r", 7, true, false, ""};
    auto rep = p.publish(sample_result(kHead, DecisionKind::approve,
                                       {finding("r/a", Severity::warning, "src/app.cpp", 11)}),
                         t, Mode::dry_run);
    CHECK(fake.requests().empty());
    REQUIRE(rep.calls.size() == 3);
    CHECK(rep.calls[0].method == "POST");
    CHECK(rep.calls[0].path == "/repos/o/r/pulls/7/reviews");
    CHECK(rep.calls[0].body["event"] == "APPROVE");
    CHECK(rep.calls[0].body["comments"].size() == 1);
    CHECK(rep.calls[1].path == "/repos/o/r/issues/7/labels");
    CHECK(rep.calls[2].path == "/repos/o/r/check-runs");
    CHECK(rep.calls[2].body["conclusion"] == "success");
    CHECK(rep.would_approve);
  }

  TEST_CASE("shadow posts the review as a comment only: no approval, labels or check run") {
    Env env;
    env.target.auto_approve = true;
    auto rep = env.publisher().publish(sample_result(kHead, DecisionKind::approve,
                                                     {finding("r/a", Severity::warning, "src/app.cpp", 12)}),
                                       env.target, Mode::shadow);
    CHECK(rep.review_event == "COMMENT");
    CHECK(rep.would_approve);
    CHECK(count_mutations(env.fake.requests()) == 1);
    auto reviews = env.fake.reviews("o/r", 7);
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0]["state"] == "COMMENTED");
    CHECK(reviews[0]["body"].get<std::string>().find("approval is not posted") != std::string::npos);
    CHECK(env.fake.check_runs().empty());
    CHECK(env.fake.labels("o/r", 7).empty());
    CHECK(rep.check_conclusion.empty());
  }

  TEST_CASE("active mode approves only where auto-approve is enabled, labels and passes the gate") {
    Env env;
    env.target.auto_approve = true;
    auto rep = env.publisher().publish(sample_result(kHead, DecisionKind::approve), env.target, Mode::active);
    CHECK(rep.review_event == "APPROVE");
    CHECK_FALSE(rep.would_approve);
    auto reviews = env.fake.reviews("o/r", 7);
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0]["state"] == "APPROVED");
    CHECK(reviews[0]["commit_id"] == kHead);
    CHECK(has_marker_for(reviews[0]["body"], kHead));
    CHECK(env.fake.labels("o/r", 7) == std::vector<std::string>{"size/XS", "reviewer: approved"});
    auto runs = env.fake.check_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["name"] == "reviewer");
    CHECK(runs[0]["conclusion"] == "success");
    CHECK(runs[0]["head_sha"] == kHead);

    Env env2;
    auto rep2 = env2.publisher().publish(sample_result(kHead, DecisionKind::approve), env2.target, Mode::active);
    CHECK(rep2.review_event == "COMMENT");
    CHECK(rep2.would_approve);
    CHECK(env2.fake.check_runs()[0]["conclusion"] == "success");
  }

  TEST_CASE("request_changes requests changes and fails the gate; needs_human asks for action") {
    Env env;
    auto rep = env.publisher().publish(
        sample_result(kHead, DecisionKind::request_changes, {finding("r/x", Severity::error, "src/app.cpp", 41)}),
        env.target, Mode::active);
    CHECK(rep.review_event == "REQUEST_CHANGES");
    CHECK(env.fake.check_runs()[0]["conclusion"] == "failure");

    Env env2;
    env2.fake.set_labels("o/r", 7, {"bug", "size/L", "reviewer: approved"});
    env2.publisher().publish(sample_result(kHead, DecisionKind::needs_human), env2.target, Mode::active);
    CHECK(env2.fake.check_runs()[0]["conclusion"] == "action_required");
    CHECK(env2.fake.labels("o/r", 7) == std::vector<std::string>{"bug", "size/XS", "reviewer: needs-human"});
    CHECK(env2.fake.requests("DELETE", "/repos/o/r/issues/7/labels/").size() == 2);
  }

  TEST_CASE("a redelivery for the same head posts nothing twice") {
    Env env;
    auto p = env.publisher();
    auto r = sample_result(kHead, DecisionKind::comment, {finding("r/w", Severity::warning, "src/app.cpp", 11)});
    p.publish(r, env.target, Mode::active);
    auto before = env.fake.requests();
    r.run_id = "another-run";  // a redelivery gets a new run id
    auto rep = p.publish(r, env.target, Mode::active);
    CHECK(rep.review_already_posted);
    CHECK(env.posted_reviews() == 1);
    CHECK(env.fake.reviews("o/r", 7).size() == 1);
    CHECK(env.fake.requests("POST", "/repos/o/r/issues/7/labels").size() == 1);

    auto again = p.publish(r, env.target, Mode::active);  // same run id as the last: gate already done
    CHECK(again.review_already_posted);
    CHECK(env.fake.check_runs().size() == 2);  // the first run's gate, then the re-review's
  }

  TEST_CASE("a new outcome for the same head is posted, and /review's repost posts even the same one") {
    Env env;
    MemLedger ledger;
    auto p = env.publisher(&ledger);
    auto r = sample_result(kHead, DecisionKind::comment);
    p.publish(r, env.target, Mode::active);
    // The override was lifted: the same head is now approvable.
    env.target.auto_approve = true;
    auto approved = sample_result(kHead, DecisionKind::approve);
    approved.run_id = "after-cancel";
    auto rep = p.publish(approved, env.target, Mode::active);
    CHECK(!rep.review_already_posted);
    REQUIRE(env.fake.reviews("o/r", 7).size() == 2);
    CHECK(env.fake.reviews("o/r", 7)[1]["state"] == "APPROVED");
    // The same outcome again: nothing new, unless /review asked for it.
    approved.run_id = "redelivery";
    CHECK(p.publish(approved, env.target, Mode::active).review_already_posted);
    env.target.repost = true;
    approved.run_id = "slash-review";
    CHECK(!p.publish(approved, env.target, Mode::active).review_already_posted);
    CHECK(env.fake.reviews("o/r", 7).size() == 3);
  }

  TEST_CASE("a crash between posting and recording does not double-post after restart") {
    Env env;
    MemLedger ledger;
    ledger.crash_on_record = true;
    auto r = sample_result(kHead, DecisionKind::comment);
    CHECK_THROWS(env.publisher(&ledger).publish(r, env.target, Mode::active));
    CHECK(env.posted_reviews() == 1);

    ledger.crash_on_record = false;  // the restarted worker
    auto rep = env.publisher(&ledger).publish(r, env.target, Mode::active);
    CHECK(rep.review_already_posted);
    CHECK(env.posted_reviews() == 1);
    CHECK(ledger.review_posted("o/r", 7, kHead, "COMMENT"));
    CHECK(env.fake.check_runs().size() == 1);
  }

  TEST_CASE("the audit ledger alone also prevents a repost") {
    Env env;
    MemLedger ledger;
    ledger.posted["o/r#7@" + kHead + ":COMMENT"] = 1;
    auto rep = env.publisher(&ledger).publish(sample_result(kHead, DecisionKind::comment), env.target, Mode::shadow);
    CHECK(rep.review_already_posted);
    CHECK(env.posted_reviews() == 0);
  }

  TEST_CASE("a 502 after GitHub created the review is not followed by a second review") {
    Env env;
    env.fake.act_then_fail_next("POST", "/repos/o/r/pulls/7/reviews");
    auto rep = env.publisher().publish(sample_result(kHead, DecisionKind::comment), env.target, Mode::shadow);
    CHECK(env.posted_reviews() == 1);
    CHECK(env.fake.reviews("o/r", 7).size() == 1);
    CHECK(rep.review_id == env.fake.reviews("o/r", 7)[0]["id"]);
  }

  TEST_CASE("a 502 before GitHub acted is followed by one more attempt") {
    Env env;
    env.fake.fail_next("POST", "/repos/o/r/pulls/7/reviews", {502, {{"message", "Bad Gateway"}}, {}});
    env.publisher().publish(sample_result(kHead, DecisionKind::comment), env.target, Mode::shadow);
    CHECK(env.posted_reviews() == 2);
    CHECK(env.fake.reviews("o/r", 7).size() == 1);
  }

  TEST_CASE("a 422 on the anchors keeps the review and moves the comments into the summary") {
    Env env;
    env.fake.reject_anchor("src/app.cpp:11");
    auto rep = env.publisher().publish(
        sample_result(kHead, DecisionKind::comment, {finding("r/w", Severity::warning, "src/app.cpp", 11)}),
        env.target, Mode::shadow);
    auto reviews = env.fake.reviews("o/r", 7);
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0]["comments"].empty());
    CHECK(reviews[0]["body"].get<std::string>().find("Findings outside the diff") != std::string::npos);
    CHECK(reviews[0]["body"].get<std::string>().find("src/app.cpp:11") != std::string::npos);
    CHECK(rep.review_id > 0);
  }

  TEST_CASE("unplaceable findings are listed in the summary, never sent as comments") {
    Env env;
    env.publisher().publish(sample_result(kHead, DecisionKind::comment,
                                          {finding("r/in", Severity::warning, "gone.txt", 1),
                                           finding("r/out", Severity::warning, "src/app.cpp", 25)}),
                            env.target, Mode::shadow);
    auto post = env.fake.requests("POST", "/repos/o/r/pulls/7/reviews");
    REQUIRE(post.size() == 1);
    REQUIRE(post[0].body["comments"].size() == 1);
    CHECK(post[0].body["comments"][0]["side"] == "LEFT");
    CHECK(post[0].body["body"].get<std::string>().find("- src/app.cpp:25 ") != std::string::npos);
  }

  TEST_CASE("the bot's approval of an older head is dismissed when the new head is not approved") {
    Env env(kHead2);
    auto marker = review_marker("old", kHead);
    env.fake.add_review("o/r", 7, {{"user", {{"login", "reviewer-test[bot]"}}}, {"state", "APPROVED"},
                                   {"commit_id", kHead}, {"body", marker + "\nok"}});
    env.fake.add_review("o/r", 7, {{"user", {{"login", "alice"}}}, {"state", "APPROVED"},
                                   {"commit_id", kHead}, {"body", marker + "\nmine"}});
    auto rep = env.publisher().publish(sample_result(kHead2, DecisionKind::needs_human), env.target, Mode::active);
    REQUIRE(rep.dismissed_reviews.size() == 1);
    auto reviews = env.fake.reviews("o/r", 7);
    CHECK(reviews[0]["state"] == "DISMISSED");
    CHECK(reviews[1]["state"] == "APPROVED");  // a person's approval is theirs
    auto put = env.fake.requests("PUT", "/repos/o/r/pulls/7/reviews/");
    REQUIRE(put.size() == 1);
    CHECK(put[0].body["event"] == "DISMISS");
  }

  TEST_CASE("a person's review carrying our marker does not count as ours") {
    Env env;
    env.fake.add_review("o/r", 7, {{"user", {{"login", "mallory"}}}, {"state", "COMMENTED"},
                                   {"commit_id", kHead}, {"body", review_marker("x", kHead)}});
    auto rep = env.publisher().publish(sample_result(kHead, DecisionKind::comment), env.target, Mode::shadow);
    CHECK_FALSE(rep.review_already_posted);
    CHECK(env.posted_reviews() == 1);
  }

  TEST_CASE("mistyped fields in GitHub's answers read as empty instead of throwing") {
    Env env(kHead2);
    env.fake.add_review("o/r", 7, {{"id", "12"}, {"user", "reviewer-test[bot]"}, {"state", 5},
                                   {"commit_id", 7}, {"body", nullptr}});
    env.fake.add_review("o/r", 7, {{"user", {{"login", "reviewer-test[bot]"}}}, {"state", "APPROVED"},
                                   {"commit_id", kHead}, {"body", 42}});
    PublishReport rep;
    CHECK_NOTHROW(rep = env.publisher().publish(sample_result(kHead2, DecisionKind::needs_human), env.target,
                                                Mode::active));
    CHECK(rep.dismissed_reviews.empty());  // neither is a marked approval of ours
    CHECK(env.posted_reviews() == 1);
  }

  TEST_CASE("a head that moved on makes the review stale: nothing is posted") {
    Env env(kHead2);
    auto rep = env.publisher().publish(sample_result(kHead, DecisionKind::approve), env.target, Mode::active);
    CHECK(rep.stale);
    CHECK(count_mutations(env.fake.requests()) == 0);
  }

  TEST_CASE("annotations go out in batches of 50 and all arrive") {
    Env env;
    std::vector<Finding> many;
    for (int i = 0; i < 120; ++i) many.push_back(finding("r/" + std::to_string(i), Severity::info, "src/app.cpp", 11));
    env.publisher().publish(sample_result(kHead, DecisionKind::comment, many), env.target, Mode::active);
    auto runs = env.fake.check_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["annotations"].size() == 120);
    CHECK(env.fake.requests("POST", "/repos/o/r/check-runs")[0].body["output"]["annotations"].size() == 50);
    auto patches = env.fake.requests("PATCH", "/repos/o/r/check-runs/");
    REQUIRE(patches.size() == 2);
    CHECK(patches[1].body["output"]["annotations"].size() == 20);
    auto review = env.fake.requests("POST", "/repos/o/r/pulls/7/reviews")[0].body;
    CHECK(review["comments"].size() == 30);  // the inline cap; the rest are in the summary
  }

  TEST_CASE("start marks the gate in progress and publish completes that same run") {
    Env env;
    auto p = env.publisher();
    p.start(env.target, kHead, "run1", Mode::active);
    auto runs = env.fake.check_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["status"] == "in_progress");
    p.publish(sample_result(kHead, DecisionKind::request_changes), env.target, Mode::active);
    runs = env.fake.check_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["status"] == "completed");
    CHECK(runs[0]["conclusion"] == "failure");
    CHECK(p.start(env.target, kHead, "run2", Mode::shadow).calls.empty());
  }

  TEST_CASE("with a plain token the gate is a commit status") {
    Env env;
    auto p = env.publisher(nullptr, /*app=*/false);
    p.start(env.target, kHead, "run1", Mode::active);
    p.publish(sample_result(kHead, DecisionKind::needs_human), env.target, Mode::active);
    CHECK(env.fake.check_runs().empty());
    auto st = env.fake.statuses();
    REQUIRE(st.size() == 2);
    CHECK(st[0]["state"] == "pending");
    CHECK(st[1]["state"] == "pending");
    CHECK(st[1]["context"] == "reviewer");
    CHECK(st[1]["sha"] == kHead);
  }

  TEST_CASE("markers are recognised only at the start of a body") {
    CHECK(has_marker_for(review_marker("a", kHead) + "\ntext", kHead));
    CHECK_FALSE(has_marker_for(review_marker("a", kHead) + "\ntext", kHead2));
    CHECK_FALSE(has_marker_for("quoted: " + review_marker("a", kHead), kHead));
    CHECK_FALSE(has_marker_for("", kHead));
  }

  TEST_CASE("modes parse from their names") {
    CHECK(parse_mode("dry-run") == Mode::dry_run);
    CHECK(parse_mode("shadow") == Mode::shadow);
    CHECK(parse_mode("active") == Mode::active);
    CHECK_FALSE(parse_mode("Active"));
  }
}
