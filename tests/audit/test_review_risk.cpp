// The revert risk in the audit log (schema 005, table review_risk).
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"
#include "support/fixtures.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;
using nlohmann::json;

namespace {

// sample_review with two findings is five rows (the run, each agent and its
// one finding); the risk adds a sixth, written last.
ReviewResult risky_review(const std::string& run_id) {
  ReviewResult r = test::sample_review(run_id, 2);
  r.risk = test::sample_risk();
  r.decision.kind = DecisionKind::needs_human;
  return r;
}

}  // namespace

TEST_SUITE("audit review_risk") {
  TEST_CASE("a run's risk is one chained row with every field") {
    test::on_each_backend("risk", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
      store->record_review(risky_review("run-risk"));
      CHECK(store->row_count() == 5 + 1);
      const test::LogAuditor auditor(at);
      auto j = test::query_rows(auditor.url(), "SELECT * FROM review_risk");
      REQUIRE(j.size() == 1);
      const json& k = j[0];
      CHECK(k["run_id"] == "run-risk");
      CHECK(k["probability_micro"] == 421300);
      CHECK(k["threshold_micro"] == 250000);
      CHECK(k["threshold_source"] == "approve_share 0.60 of 3412 past changes");
      CHECK(k["above_threshold"] == 1);
      CHECK(k["model"] == "repository");
      CHECK(k["model_version"] == "lr-1");
      CHECK(k["explanation"] == "first change by @mallory to src/[x].c <b>; reverted 3 times");
      json features = json::parse(k["features"].get<std::string>());
      REQUIRE(features.size() == 7);  // all of them, in the agent's order
      CHECK(features[0] == json({{"name", "nf"}, {"value", 12.0}, {"contribution", 0.4}}));
      CHECK(features[6] == json({{"name", "ndev"}, {"value", 2.0}, {"contribution", 0.05}}));
      CHECK(k["indexed_commit"] == std::string(40, 'd'));
      CHECK(k["indexed_commits"] == 3412);
      CHECK(k["labelled_positives"] == 56);
      CHECK(k["note"] == "");
      CHECK(k["row_hash"].get<std::string>().size() == 64);
      auto v = audit::verify_location(at);
      CHECK(v.ok);
      CHECK(v.rows == 6);
    });
  }

  TEST_CASE("a run without a risk writes no risk row and verifies") {
    test::on_each_backend("no-risk", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
      store->record_review(test::sample_review("run-plain", 2));
      CHECK(store->row_count() == 5);
      const test::LogAuditor auditor(at);
      CHECK(test::query_rows(auditor.url(), "SELECT * FROM review_risk").empty());
      auto d = test::query_rows(auditor.url(), "SELECT risk_probability, risk_above_threshold FROM v_decisions");
      REQUIRE(d.size() == 1);
      CHECK(d[0]["risk_probability"].is_null());
      CHECK(d[0]["risk_above_threshold"].is_null());
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("risk rows are append-only, and an edited one is named by verify") {
    test::on_each_backend("risk-tamper", [](const std::string& at) {
      {
        auto store = AuditStore::open_location(at);
        store->record_review(risky_review("run-1"));
        store->record_review(risky_review("run-2"));
      }
      CHECK_THROWS_AS(test::log_exec(at, "UPDATE review_risk SET above_threshold = 0"), Error);
      CHECK_THROWS_AS(test::log_exec(at, "DELETE FROM review_risk"), Error);
      CHECK(audit::verify_location(at).ok);
      // What someone hiding a risky approval would change: the estimate.
      test::tamper(at, "UPDATE review_risk SET probability_micro = 10000, above_threshold = 0 WHERE run_id = 'run-2'");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.first_bad_table == "review_risk");
      CHECK(r.first_bad_seq == 12);  // run-2's rows are seq 7..12, the risk last
      CHECK(r.message.find("review_risk row seq 12 does not match its row_hash: the row was edited") !=
            std::string::npos);
    });
  }

  TEST_CASE("verify notices a dropped append-only trigger on review_risk") {
    test::on_each_backend("risk-trigger", [](const std::string& at) {
      AuditStore::open_location(at)->record_review(risky_review("run-1"));
      test::log_exec(at, storage::is_postgres_url(at) ? "DROP TRIGGER review_risk_no_delete ON review_risk"
                                                      : "DROP TRIGGER review_risk_no_delete");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.message.find("review_risk_no_delete is missing") != std::string::npos);
    });
  }

  TEST_CASE("a probability that is not a finite number is stored as NULL and verifies") {
    test::on_each_backend("risk-nan", [](const std::string& at) {
      ReviewResult r = risky_review("run-nan");
      r.risk->probability = std::nan("");
      r.risk->threshold = INFINITY;
      AuditStore::open_location(at)->record_review(r);
      const test::LogAuditor auditor(at);
      auto j = test::query_rows(auditor.url(), "SELECT probability_micro, threshold_micro FROM review_risk");
      REQUIRE(j.size() == 1);
      CHECK(j[0]["probability_micro"].is_null());
      CHECK(j[0]["threshold_micro"].is_null());
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("v_decisions and v_merged_prs show the probability as a fraction") {
    test::on_each_backend("risk-views", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
      ReviewResult r = risky_review("run-v");
      store->record_review(r);
      audit::PrEventRecord merged;
      merged.repository = r.pr.repository;
      merged.pr_number = r.pr.number;
      merged.kind = "merged";
      merged.head_sha = r.pr.head_sha;
      merged.merge_sha = std::string(40, 'e');
      store->record_pr_event(merged);
      const test::LogAuditor auditor(at);
      auto d = test::query_rows(auditor.url(),
                                "SELECT run_id, decision, risk_probability, risk_above_threshold FROM v_decisions");
      CHECK(d == json::parse(R"([{"run_id": "run-v", "decision": "needs_human", "risk_probability": 0.4213,
                                  "risk_above_threshold": 1}])"));
      auto m = test::query_rows(auditor.url(), "SELECT bot_run_id, reverted, risk_probability FROM v_merged_prs");
      CHECK(m == json::parse(R"([{"bot_run_id": "run-v", "reverted": 0, "risk_probability": 0.4213}])"));
    });
  }

  TEST_CASE("an export carries the risk rows with their chain columns") {
    test::on_each_backend("risk-export", [](const std::string& at) {
      AuditStore::open_location(at)->record_review(risky_review("run-x"));
      std::ostringstream out;
      audit::export_location(at, "2000-01-01", "2999-12-31", audit::Format::json, out);
      auto j = json::parse(out.str());
      REQUIRE(j["tables"]["review_risk"].size() == 1);
      CHECK(j["tables"]["review_risk"][0]["probability_micro"] == 421300);
      CHECK(j["tables"]["review_risk"][0].contains("row_hash"));
    });
  }
}
