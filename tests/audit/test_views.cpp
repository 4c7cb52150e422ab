#include <doctest/doctest.h>

#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/query.h"
#include "audit/store.h"
#include "audit_fixtures.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using nlohmann::json;

namespace {

const std::string kRepo = "octo/widgets";

ReviewResult run(const std::string& id, std::int64_t pr, DecisionKind d, const std::string& at,
                 const std::string& mode = "active") {
  auto r = test::sample_review(id, 2, pr);
  r.decision.kind = d;
  r.started_at = at;
  r.duration_ms = 60000;
  r.mode = *parse_mode(mode);
  r.pr.head_sha = "head" + std::to_string(pr);
  return r;
}

audit::PrEventRecord event(std::int64_t pr, const std::string& kind, const std::string& at,
                           const std::string& actor = "dev") {
  return {kRepo, pr, kind, actor, "head" + std::to_string(pr), kind == "merged" ? "merge" + std::to_string(pr) : "",
          0, "", at};
}

// A month of a small repository: two PRs approved by the bot, three by
// people, one of each reverted later.
void scenario(const std::string& at) {
  auto s = audit::AuditStore::open_location(at);
  s->record_pr_event(event(1, "opened", "2026-01-05T10:00:00Z"));
  s->record_review(run("r1", 1, DecisionKind::approve, "2026-01-05T10:05:00Z"));
  s->record_action({"r1", kRepo, 1, "review_approve", "9001", 200, "", "2026-01-05T10:06:01Z"});
  s->record_pr_event(event(1, "merged", "2026-01-05T11:00:00Z"));

  s->record_pr_event(event(2, "opened", "2026-01-06T10:00:00Z"));
  s->record_pr_event(event(2, "ready_for_review", "2026-01-06T12:00:00Z"));
  s->record_review(run("r2", 2, DecisionKind::comment, "2026-01-06T12:10:00Z"));
  s->record_override({kRepo, 2, "human_review", "alice", "c-77", "2026-01-06T12:30:00Z"});
  s->record_pr_event(event(2, "approved", "2026-01-06T13:00:00Z", "lead"));
  s->record_pr_event(event(2, "merged", "2026-01-06T14:00:00Z"));

  s->record_review(run("r3", 3, DecisionKind::approve, "2026-01-07T10:00:00Z"));
  s->record_pr_event(event(3, "merged", "2026-01-07T11:00:00Z"));
  s->record_review(run("r4", 4, DecisionKind::needs_human, "2026-01-08T10:00:00Z"));
  s->record_pr_event(event(4, "approved", "2026-01-08T12:00:00Z", "lead"));
  s->record_pr_event(event(4, "merged", "2026-01-08T13:00:00Z"));
  s->record_review(run("r7", 7, DecisionKind::approve, "2026-01-09T10:00:00Z", "dry-run"));
  s->record_pr_event(event(7, "approved", "2026-01-09T11:00:00Z", "bob"));
  s->record_pr_event(event(7, "merged", "2026-01-09T12:00:00Z"));

  s->link_reverts(kRepo, 5, "Oops", "Reverts octo/widgets#3", "2026-01-20T10:00:00Z");
  s->link_reverts(kRepo, 6, "Oops", "Reverts #4", "2026-01-21T10:00:00Z");

  s->record_feedback({kRepo, 1, "f1", "test/rule-0", "x", true, "", "2026-01-05T12:00:00Z"});
  s->record_feedback({kRepo, 1, "f1", "test/rule-0", "y", false, "", "2026-01-05T12:00:00Z"});
  s->record_feedback({kRepo, 1, "f9", "orphan/rule", "x", true, "", "2026-01-05T12:00:00Z"});
}

// Runs `body` on each backend over scenario(), passing where an auditor
// reads the log.
void on_scenario(const std::string& label, const std::function<void(const std::string& reader)>& body) {
  test::on_each_backend(label, [&](const std::string& at) {
    scenario(at);
    const test::LogAuditor auditor(at);
    body(auditor.url());
  });
}

}  // namespace

TEST_SUITE("audit views") {
  TEST_CASE("merged PRs say who or what approved them and whether they were reverted") {
    on_scenario("views-0", [](const std::string& reader) {
      auto j = test::query_rows(reader,
                                "SELECT pr_number, approval, reverted, reverted_by_pr, bot_decision, human_approvers "
                                "FROM v_merged_prs ORDER BY pr_number");
      REQUIRE(j.size() == 5);
      CHECK(j[0] == json({{"pr_number", 1}, {"approval", "bot"}, {"reverted", 0}, {"reverted_by_pr", nullptr},
                          {"bot_decision", "approve"}, {"human_approvers", nullptr}}));
      CHECK(j[1]["approval"] == "human");
      CHECK(j[1]["human_approvers"] == "lead");
      CHECK(j[2]["approval"] == "bot");
      CHECK(j[2]["reverted"] == 1);
      CHECK(j[2]["reverted_by_pr"] == 5);
      CHECK(j[3]["approval"] == "human");
      CHECK(j[3]["reverted_by_pr"] == 6);
      // A dry-run "approve" is not an approval: a person approved PR 7.
      CHECK(j[4]["approval"] == "human");
      CHECK(j[4]["bot_decision"] == "approve");
    });
  }

  TEST_CASE("the revert rate compares bot-approved and human-approved merges per month") {
    on_scenario("views-1", [](const std::string& reader) {
      auto j = test::query_rows(reader, "SELECT * FROM v_revert_rate ORDER BY approval");
      REQUIRE(j.size() == 2);
      CHECK(j[0] == json({{"period", "2026-01"}, {"approval", "bot"}, {"merged", 2}, {"reverted", 1},
                          {"revert_rate", 0.5}}));
      CHECK(j[1] == json({{"period", "2026-01"}, {"approval", "human"}, {"merged", 3}, {"reverted", 1},
                          {"revert_rate", 0.3333}}));
    });
  }

  TEST_CASE("latency runs from ready-for-review (else opened) to first decision and approval") {
    on_scenario("views-2", [](const std::string& reader) {
      auto j = test::query_rows(reader,
                                "SELECT pr_number, start_at, first_decision_at, approved_at, seconds_to_first_decision, "
                                "seconds_to_approval FROM v_review_latency ORDER BY pr_number");
      REQUIRE(j.size() == 2);
      CHECK(j[0]["start_at"] == "2026-01-05T10:00:00Z");
      CHECK(j[0]["first_decision_at"] == "2026-01-05T10:06:00Z");
      CHECK(j[0]["seconds_to_first_decision"] == 360);
      CHECK(j[0]["seconds_to_approval"] == 360);
      CHECK(j[1]["start_at"] == "2026-01-06T12:00:00Z");
      CHECK(j[1]["seconds_to_first_decision"] == 660);
      CHECK(j[1]["seconds_to_approval"] == 3600);
      auto s = test::query_rows(reader, "SELECT * FROM v_review_latency_summary ORDER BY metric");
      REQUIRE(s.size() == 2);
      CHECK(s[0] == json({{"metric", "approval"}, {"prs", 2}, {"median_seconds", 360}, {"p90_seconds", 3600}}));
      CHECK(s[1] == json({{"metric", "first_decision"}, {"prs", 2}, {"median_seconds", 360}, {"p90_seconds", 660}}));
    });
  }

  TEST_CASE("bot approvals carry their evidence and whether the approval was posted") {
    on_scenario("views-3", [](const std::string& reader) {
      auto j = test::query_rows(reader,
                                "SELECT run_id, approval_counted, approval_posted, agents, findings FROM v_bot_approvals "
                                "ORDER BY run_id");
      REQUIRE(j.size() == 3);
      CHECK(j[0]["run_id"] == "r1");
      CHECK(j[0]["approval_counted"] == 1);
      CHECK(j[0]["approval_posted"] == 1);
      auto agents = json::parse(j[0]["agents"].get<std::string>());
      REQUIRE(agents.size() == 2);
      CHECK(agents[0]["status"] == "ok");
      CHECK(json::parse(j[0]["findings"].get<std::string>()).size() == 2);
      CHECK(j[1]["approval_posted"] == 0);
      CHECK(j[2]["run_id"] == "r7");
      CHECK(j[2]["approval_counted"] == 0);  // dry-run
    });
  }

  TEST_CASE("human approvals, overrides and decisions are listed") {
    on_scenario("views-4", [](const std::string& reader) {
      auto h = test::query_rows(
          reader, "SELECT pr_number, approver, bot_decision, bot_run_id FROM v_human_approvals ORDER BY pr_number");
      REQUIRE(h.size() == 3);
      CHECK(h[0] == json({{"pr_number", 2}, {"approver", "lead"}, {"bot_decision", "comment"}, {"bot_run_id", "r2"}}));
      auto o = test::query_rows(reader, "SELECT * FROM v_overrides");
      REQUIRE(o.size() == 1);
      CHECK(o[0]["actor"] == "alice");
      CHECK(o[0]["kind"] == "human_review");
      CHECK(o[0]["bot_decision_before"] == "comment");
      auto d = test::query_rows(reader, "SELECT run_id, decision, agents_ok, agents_failed, findings, max_severity_rank "
                                      "FROM v_decisions WHERE run_id = 'r4'");
      REQUIRE(d.size() == 1);
      CHECK(d[0] == json({{"run_id", "r4"}, {"decision", "needs_human"}, {"agents_ok", 2}, {"agents_failed", 0},
                          {"findings", 2}, {"max_severity_rank", 2}}));
    });
  }

  TEST_CASE("finding helpfulness counts votes per rule, including rules without findings") {
    on_scenario("views-5", [](const std::string& reader) {
      auto j = test::query_rows(reader, "SELECT * FROM v_finding_helpfulness ORDER BY rule");
      REQUIRE(j.size() == 3);
      CHECK(j[0] == json({{"rule", "orphan/rule"}, {"findings", 0}, {"distinct_findings", 0}, {"helpful", 1},
                          {"not_helpful", 0}, {"helpful_ratio", 1.0}}));
      CHECK(j[1]["rule"] == "test/rule-0");
      CHECK(j[1]["findings"] == 5);
      CHECK(j[1]["helpful"] == 1);
      CHECK(j[1]["not_helpful"] == 1);
      CHECK(j[1]["helpful_ratio"] == 0.5);
      CHECK(j[2]["rule"] == "test/rule-1");
      CHECK(j[2]["helpful_ratio"].is_null());
    });
  }

  TEST_CASE("every shipped auditor query runs against a populated log") {
    on_scenario("views-6", [](const std::string& reader) {
      int n = 0;
      for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(REVIEWER_SOURCE_DIR) / "audit" / "queries")) {
        if (entry.path().extension() != ".sql") continue;
        CAPTURE(entry.path());
        std::ostringstream out;
        CHECK_NOTHROW(audit::query_location(reader, test::read_text(entry.path()), audit::Format::json, out));
        ++n;
      }
      CHECK(n >= 4);
    });
  }
}
