#include <doctest/doctest.h>

#include "reviewer/pipeline/policy.h"
#include "support/fixtures.h"

using namespace reviewer;

namespace {

struct Case {
  PullRequest pr;
  Diff diff;
  SizeStats size;
  std::vector<AgentReport> agents;
  Guidance guidance = load_guidance();

  Case() {
    diff.files.push_back(test::file_with_counts("src/a.cpp", 3));
    size.label = "XS";
    for (auto n : {"intent", "safety", "logic", "size"}) {
      agents.push_back({n, AgentStatus::ok, 1, {}, "", std::nullopt});
    }
  }
  void add(const char* agent, Severity s, const char* rule) {
    for (auto& a : agents) {
      if (a.name == agent) a.findings.push_back({"", rule, s, "src/a.cpp", 1, 1, "m", "", ""});
    }
  }
  Decision decide() const { return reviewer::decide({pr, diff, size, agents, guidance}); }
};

}  // namespace

TEST_SUITE("pipeline::policy") {
  TEST_CASE("rule 1: a failed or timed-out agent means needs_human, before anything else") {
    Case c;
    c.add("safety", Severity::critical, "safety/secret/x");
    c.agents[2].status = AgentStatus::failed;
    c.agents[2].error = "boom";
    auto d = c.decide();
    CHECK(d.kind == DecisionKind::needs_human);
    REQUIRE(d.reasons.size() == 1);
    CHECK(d.reasons[0] == "agent 'logic' failed: boom");

    Case t;
    t.agents[0].status = AgentStatus::timed_out;
    t.agents[0].error = "no answer within 10 ms";
    CHECK(t.decide().kind == DecisionKind::needs_human);
    CHECK(t.decide().reasons[0] == "agent 'intent' timed out (no answer within 10 ms)");
  }

  TEST_CASE("rule 2: an error or critical finding requests changes") {
    for (auto s : {Severity::error, Severity::critical}) {
      Case c;
      c.add("safety", s, "safety/code/eval");
      c.pr.human_review_override = true;  // rule 2 comes before rule 3
      c.pr.draft = true;
      auto d = c.decide();
      CHECK(d.kind == DecisionKind::request_changes);
      CHECK(d.reasons[0] == "1 blocking finding (error or critical): safety/code/eval");
    }
  }

  TEST_CASE("rule 3: an active /human-review override means needs_human") {
    Case c;
    c.pr.human_review_override = true;
    c.add("logic", Severity::warning, "logic/todo");
    auto d = c.decide();
    CHECK(d.kind == DecisionKind::needs_human);
    CHECK(d.reasons[0] == "a /human-review override is active on this pull request");
  }

  TEST_CASE("rule 4: size above the limit, a protected path or a draft means needs_human") {
    Case big;
    big.size.above_auto_approve_limit = true;
    big.size.label = "XL";
    CHECK(big.decide().kind == DecisionKind::needs_human);
    CHECK(big.decide().reasons[0].find("above the auto-approve limit") != std::string::npos);

    Case prot;
    prot.diff.files.push_back(test::file_with_counts(".github/workflows/ci.yml", 1));
    CHECK(prot.decide().kind == DecisionKind::needs_human);
    CHECK(prot.decide().reasons[0] == "touches protected path: .github/workflows/ci.yml");

    Case renamed_away;  // moving a protected file out is still touching it
    auto f = test::file_with_counts("ci-old.yml", 0);
    f.old_path = ".github/workflows/ci.yml";
    f.kind = ChangeKind::renamed;
    renamed_away.diff.files.push_back(f);
    CHECK(renamed_away.decide().kind == DecisionKind::needs_human);

    Case draft;
    draft.pr.draft = true;
    CHECK(draft.decide().kind == DecisionKind::needs_human);
    CHECK(draft.decide().reasons[0] == "the pull request is a draft");

    Case all;
    all.size.above_auto_approve_limit = true;
    all.pr.draft = true;
    CHECK(all.decide().reasons.size() == 2);
  }

  TEST_CASE("rule 4b: a revert risk above the threshold means needs_human, with the reasons in words") {
    Case risky;
    AgentReport history{"history", AgentStatus::ok, 1, {}, ""};
    history.risk = Risk{};
    history.risk->probability = 0.41;
    history.risk->threshold = 0.2;
    history.risk->above_threshold = true;
    history.risk->model = "repository";
    history.risk->explanation = "first change by this author to src/a.cpp";
    risky.agents.push_back(history);
    auto d = risky.decide();
    CHECK(d.kind == DecisionKind::needs_human);
    CHECK(d.reasons[0] ==
          "revert risk 41% is above the repository's threshold of 20% (repository model): first change by this "
          "author to src/a.cpp");

    Case calm;  // the same risk below its threshold approves
    history.risk->probability = 0.1;
    history.risk->above_threshold = false;
    calm.agents.push_back(history);
    CHECK(calm.decide().kind == DecisionKind::approve);

    Case blocked;  // a blocking finding still comes first
    blocked.agents.push_back(risky.agents.back());
    blocked.add("logic", Severity::error, "logic/x");
    CHECK(blocked.decide().kind == DecisionKind::request_changes);

    Case warned;  // and a risky change with warnings is still not a mere comment
    warned.agents.push_back(risky.agents.back());
    warned.add("intent", Severity::warning, "intent/vague-title");
    CHECK(warned.decide().kind == DecisionKind::needs_human);
  }

  TEST_CASE("an empty change is commented on, never approved") {
    Case c;
    c.diff.files.clear();
    auto d = c.decide();
    CHECK(d.kind == DecisionKind::comment);
    CHECK(d.reasons[0] == "empty change: nothing to review");
  }

  TEST_CASE("rule 5: warnings mean comment") {
    Case c;
    c.add("intent", Severity::warning, "intent/vague-title");
    c.add("logic", Severity::info, "logic/note");
    auto d = c.decide();
    CHECK(d.kind == DecisionKind::comment);
    CHECK(d.reasons[0] == "1 warning: intent/vague-title");
  }

  TEST_CASE("rule 6: otherwise approve; info findings do not block") {
    Case c;
    c.add("logic", Severity::info, "logic/note");
    auto d = c.decide();
    CHECK(d.kind == DecisionKind::approve);
  }

  TEST_CASE("long lists of rules are summarized") {
    Case c;
    for (int i = 0; i < 8; ++i) c.add("logic", Severity::error, "logic/x");
    CHECK(c.decide().reasons[0] ==
          "8 blocking findings (error or critical): logic/x, logic/x, logic/x, logic/x, logic/x and 3 more");
  }
}

TEST_SUITE("pipeline::policy shadow") {
  TEST_CASE("findings of shadow rules never change the decision") {
    Case c;
    c.add("safety", Severity::critical, "safety/new-rule");
    c.agents[1].findings.back().shadow = true;
    CHECK(c.decide().kind == DecisionKind::approve);
  }
}

TEST_SUITE("pipeline::policy partial files") {
  TEST_CASE("a file reviewed only in part needs a human") {
    Case c;
    c.diff.files[0].truncated = true;
    auto d = c.decide();
    CHECK(d.kind == DecisionKind::needs_human);
    CHECK(d.reasons[0] == "too large to review in full: src/a.cpp");
  }

  TEST_CASE("an agent that reviewed part of a very large change can never approve") {
    Case c;
    c.agents[2].partial = "checked the first 2 of 9 files";
    auto d = c.decide();
    CHECK(d.kind == DecisionKind::needs_human);
    REQUIRE(d.reasons.size() == 1);
    CHECK(d.reasons[0] == "agent 'logic' reviewed part of the change: checked the first 2 of 9 files");
    // A blocking finding still asks for changes first; it never approves either.
    c.add("safety", Severity::critical, "safety/secret/x");
    CHECK(c.decide().kind == DecisionKind::request_changes);
  }
}
