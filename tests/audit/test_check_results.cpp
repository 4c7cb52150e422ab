// Test results as audit evidence (schema 006, table check_results) and the
// views over them, on both backends.
#include <doctest/doctest.h>

#include "audit/change_evidence.h"
#include "audit/log_reader.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

// A LogReader that, before each read, records SQLite's plan of it.
class PlanOfEach final : public audit::LogReader {
 public:
  explicit PlanOfEach(audit::LogReader& inner) : inner_(inner) {}
  std::vector<std::pair<std::string, std::string>> plans;  // statement, its plan's steps

  void each(std::string_view sql, const std::vector<audit::Value>& params,
            const std::function<void(const audit::LogRow&)>& row) override {
    std::string steps;
    inner_.each("EXPLAIN QUERY PLAN " + std::string(sql), params, [&](const audit::LogRow& r) {
      steps += std::get<std::string>(r.values[3]) + "\n";
    });
    plans.emplace_back(std::string(sql), steps);
    inner_.each(sql, params, row);
  }
  std::vector<audit::TableLayout> chained_tables() override { return inner_.chained_tables(); }
  std::vector<std::string> column_names(const std::string& table) override { return inner_.column_names(table); }
  int schema_version() override { return inner_.schema_version(); }
  std::string structure_problem(const std::vector<audit::TableLayout>& tables) override {
    return inner_.structure_problem(tables);
  }
  std::string where() const override { return inner_.where(); }
  Backend backend() const override { return inner_.backend(); }

 private:
  audit::LogReader& inner_;
};

const std::string kChecksRepo = "octo/widgets";

audit::CheckResultRecord check_row(std::int64_t pr, const std::string& head, const std::string& source,
                               const std::string& name, const std::string& result, const std::string& completed_at,
                               const std::string& observed_at, const std::string& trigger = "merged") {
  return {kChecksRepo, pr, head, source, name, source == "status" ? "ci-bot" : "github-actions", result,
          "https://ci.example.com/" + name, completed_at, observed_at, trigger};
}

// PR 1: merged by the bot's approval with a failed test. PR 2: merged by a
// person while build was still running and coverage pending; lint failed
// first and passed on a later observation. PR 3: merged, no checks. PR 4:
// a failing check, never merged.
void checks_scenario(audit::AuditStore& s) {
  s.record_pull_request({kChecksRepo, 1, "Old title", "alice", "main", "h1", false, "2026-02-01T08:00:00Z"});
  s.record_pr_event({kChecksRepo, 1, "opened", "alice", "h1", "", 0, "", "2026-02-01T08:00:00Z"});
  s.record_pull_request({kChecksRepo, 1, "Add the widget cache", "alice", "main", "h1", false, "2026-02-01T09:00:00Z"});
  auto run = test::sample_review("run-1", 0, 1);
  run.pr.repository = kChecksRepo;
  run.pr.head_sha = "h1";
  run.mode = Mode::active;
  run.decision.kind = DecisionKind::approve;
  s.record_review(run);
  s.record_override({kChecksRepo, 1, "human_review", "alice", "c1", "2026-02-01T09:30:00Z"});
  s.record_override({kChecksRepo, 1, "cancel", "alice", "c2", "2026-02-01T09:40:00Z"});
  s.record_check_results({check_row(0, "h1", "check_suite", "GitHub Actions", "failure", "2026-02-01T11:10:00Z",
                                "2026-02-01T11:10:05Z", "check_suite"),
                          check_row(1, "h1", "check_run", "build", "success", "2026-02-01T11:00:00Z",
                                "2026-02-01T12:00:01Z"),
                          check_row(1, "h1", "check_run", "test", "failure", "2026-02-01T11:10:00Z",
                                "2026-02-01T12:00:01Z")});
  s.record_pr_event({kChecksRepo, 1, "merged", "alice", "h1", "m1", 0, "", "2026-02-01T12:00:00Z"});

  s.record_pr_event({kChecksRepo, 2, "approved", "lead", "h2", "", 0, "", "2026-02-02T11:00:00Z"});
  s.record_check_results({check_row(2, "h2", "check_run", "lint", "failure", "2026-02-02T10:00:00Z",
                                "2026-02-02T10:00:05Z", "check_suite")});
  s.record_check_results({check_row(2, "h2", "check_run", "build", "in_progress", "", "2026-02-02T12:00:01Z"),
                          check_row(2, "h2", "check_run", "lint", "success", "2026-02-02T11:30:00Z",
                                "2026-02-02T12:00:01Z"),
                          check_row(2, "h2", "status", "ci/coverage", "pending", "", "2026-02-02T12:00:01Z")});
  s.record_pr_event({kChecksRepo, 2, "merged", "bob", "h2", "m2", 0, "", "2026-02-02T12:00:00Z"});
  s.record_check_results({check_row(2, "h2", "check_run", "build", "success", "2026-02-02T12:20:00Z",
                                "2026-02-02T12:20:05Z", "check_suite")});

  s.record_pr_event({kChecksRepo, 3, "merged", "carol", "h3", "m3", 0, "", "2026-02-03T12:00:00Z"});
  s.record_check_results({check_row(4, "h4", "check_run", "test", "failure", "2026-02-04T10:00:00Z",
                                "2026-02-04T10:00:05Z", "check_suite")});
}

}  // namespace

TEST_SUITE("audit check results") {
  TEST_CASE("check results are chained and append-only, and an unchanged check is recorded once") {
    test::on_each_backend("checks", [](const std::string& at) {
      auto s = audit::AuditStore::open_location(at);
      auto a = check_row(5, std::string(40, 'a'), "check_run", "build", "success", "2026-02-01T11:00:00Z",
                     "2026-02-01T11:00:05Z");
      auto b = check_row(5, std::string(40, 'a'), "status", "ci/coverage", "pending", "", "2026-02-01T11:00:05Z");
      CHECK(s->record_check_results({a, b}) == 2);
      // A retried job or a redelivery: the same observations, later.
      a.observed_at = b.observed_at = "2026-02-01T11:05:00Z";
      CHECK(s->record_check_results({a, b}) == 0);
      // The status completed; the same row twice in one call counts once.
      b.result = "success";
      b.completed_at = "2026-02-01T11:04:00Z";
      CHECK(s->record_check_results({a, b, b}) == 1);
      // The same check seen for another PR, or by another trigger, is its own row.
      a.pr_number = 0;
      CHECK(s->record_check_results({a}) == 1);
      a.trigger = "check_suite";
      CHECK(s->record_check_results({a}) == 1);
      CHECK(test::log_scalar(at, "SELECT count(*) FROM check_results") == "5");
      CHECK(test::log_scalar(at, "SELECT result FROM v_check_results WHERE name = 'ci/coverage'") == "success");
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("UPDATE and DELETE of a check result are rejected, and an edit breaks the chain") {
    test::on_each_backend("checks-tamper", [](const std::string& at) {
      audit::AuditStore::open_location(at)->record_check_results(
          {check_row(1, "h1", "check_run", "test", "failure", "2026-02-01T11:10:00Z", "2026-02-01T11:10:05Z")});
      CHECK_THROWS(test::log_exec(at, "UPDATE check_results SET result = 'success'"));
      CHECK_THROWS(test::log_exec(at, "DELETE FROM check_results"));
      CHECK(audit::verify_location(at).ok);
      test::tamper(at, "UPDATE check_results SET result = 'success'");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.first_bad_table == "check_results");
    });
  }

  TEST_CASE("the views name merged PRs with failing checks and checks not completed at merge time") {
    test::on_each_backend("check-views", [](const std::string& at) {
      checks_scenario(*audit::AuditStore::open_location(at));
      auto q = [&](const std::string& sql) { return test::log_scalar(at, sql); };
      // The latest observation of each check wins: lint passed later.
      CHECK(q("SELECT count(*) FROM v_check_results WHERE head_sha = 'h2'") == "3");
      CHECK(q("SELECT failed FROM v_check_results WHERE head_sha = 'h2' AND name = 'lint'") == "0");
      CHECK(q("SELECT completed FROM v_check_results WHERE head_sha = 'h2' AND name = 'ci/coverage'") == "0");
      CHECK(q("SELECT failed FROM v_check_results WHERE head_sha = 'h1' AND name = 'test'") == "1");

      CHECK(q("SELECT count(*) FROM v_merged_with_failing_checks") == "1");
      CHECK(q("SELECT pr_number FROM v_merged_with_failing_checks") == "1");
      CHECK(q("SELECT failing_count FROM v_merged_with_failing_checks") == "2");  // the suite (PR 0 row) and test
      CHECK(q("SELECT failing FROM v_merged_with_failing_checks") == "GitHub Actions, test");
      CHECK(q("SELECT approval FROM v_merged_with_failing_checks") == "bot");

      CHECK(q("SELECT count(*) FROM v_merged_before_checks_completed") == "1");
      CHECK(q("SELECT pr_number FROM v_merged_before_checks_completed") == "2");
      CHECK(q("SELECT pending_count FROM v_merged_before_checks_completed") == "2");
      CHECK(q("SELECT pending FROM v_merged_before_checks_completed") == "build, ci/coverage");
      CHECK(q("SELECT approval FROM v_merged_before_checks_completed") == "human");

      CHECK(q("SELECT count(*) FROM v_change_evidence") == "3");
      CHECK(q("SELECT title FROM v_change_evidence WHERE pr_number = 1") == "Add the widget cache");
      CHECK(q("SELECT author FROM v_change_evidence WHERE pr_number = 1") == "alice");
      CHECK(q("SELECT opened_at FROM v_change_evidence WHERE pr_number = 1") == "2026-02-01T08:00:00Z");
      CHECK(q("SELECT bot_run_id FROM v_change_evidence WHERE pr_number = 1") == "run-1");
      CHECK(q("SELECT checks_total || '/' || checks_failed || '/' || checks_pending || '/' || overrides "
              "FROM v_change_evidence WHERE pr_number = 1") == "3/2/0/1");
      CHECK(q("SELECT checks_total || '/' || checks_failed || '/' || checks_pending || '/' || overrides "
              "FROM v_change_evidence WHERE pr_number = 2") == "3/0/2/0");
      CHECK(q("SELECT checks_total || '/' || reverted || '/' || approval FROM v_change_evidence "
              "WHERE pr_number = 3") == "0/0/none");
      CHECK(q("SELECT count(*) FROM v_change_evidence WHERE title IS NULL AND opened_at IS NULL") == "2");
    });
  }

  TEST_CASE("every read of a change's page is an index search, never a table scan") {
    auto path = test::scratch_dir("change-plan") / "audit.db";
    checks_scenario(*audit::AuditStore::open(path));
    auto db = test::raw_open(path);
    const auto inner = audit::sqlite_reader(db);
    PlanOfEach log(*inner);
    const auto evidence = audit::change_evidence(log, {kChecksRepo, 1, ""});
    CHECK(!evidence.rows.empty());
    // Every chained table that names a change, then the deliveries and the
    // rows before the change's rows.
    CHECK(log.plans.size() >= 13);
    for (const auto& [sql, steps] : log.plans) {
      CAPTURE(sql);
      CAPTURE(steps);
      CHECK(steps.find("SCAN") == std::string::npos);
      CHECK(steps.find("SEARCH") != std::string::npos);
    }
  }

  TEST_CASE("one change's evidence and one head's checks are index lookups, never a table scan") {
    auto path = test::scratch_dir("checks-plan") / "audit.db";
    checks_scenario(*audit::AuditStore::open(path));
    auto db = test::raw_open(path);
    for (const char* sql : {"SELECT * FROM v_change_evidence WHERE repository = 'o/r' AND pr_number = 7",
                            "SELECT * FROM v_merged_prs WHERE repository = 'o/r' AND pr_number = 7",
                            "SELECT * FROM v_check_results WHERE repository = 'o/r' AND head_sha = 'h'"}) {
      CAPTURE(sql);
      auto plan = db.prepare(std::string("EXPLAIN QUERY PLAN ") + sql);
      std::string steps;
      while (plan.step()) steps += plan.column_text(3) + "\n";
      CAPTURE(steps);
      CHECK(steps.find("SCAN") == std::string::npos);
      CHECK(steps.find("SEARCH") != std::string::npos);
    }
  }
}
