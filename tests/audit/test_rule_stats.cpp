#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/rule_stats.h"
#include "audit/store.h"
#include "reviewer/core/error.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::audit;

namespace {

ReviewResult run_with(const std::string& run_id, std::int64_t pr, std::vector<std::pair<std::string, std::string>> findings) {
  ReviewResult r;
  r.run_id = run_id;
  r.pr.repository = "o/r";
  r.pr.number = pr;
  r.pr.head_sha = "1111111111111111111111111111111111111111";
  AgentReport a;
  a.name = "logic";
  for (const auto& [id, rule] : findings) {
    Finding f;
    f.id = id;
    f.rule = rule;
    f.severity = Severity::warning;
    a.findings.push_back(f);
  }
  r.agents.push_back(a);
  return r;
}

void vote(AuditStore& s, std::int64_t pr, const std::string& id, const std::string& rule, bool helpful, const std::string& who) {
  s.record_feedback({"o/r", pr, id, rule, who, helpful, "c", ""});
}

}  // namespace

TEST_SUITE("audit::rule_stats") {
  TEST_CASE("per rule: distinct findings, PRs, votes and later reverts, noisiest first") {
    test::on_each_backend("rule-stats", [](const std::string& at) {
      {
        auto s = AuditStore::open_location(at);
        // logic/noisy fires on PR 1 twice (same finding re-reported on a push) and on PR 2.
        s->record_review(run_with("a", 1, {{"n1", "logic/noisy"}, {"q1", "logic/quiet"}}));
        s->record_review(run_with("b", 1, {{"n1", "logic/noisy"}}));
        s->record_review(run_with("c", 2, {{"n2", "logic/noisy"}, {"g1", "logic/good"}}));
        vote(*s, 1, "n1", "logic/noisy", false, "ann");
        vote(*s, 2, "n2", "logic/noisy", false, "bob");
        vote(*s, 2, "n2", "logic/noisy", true, "cat");
        vote(*s, 2, "g1", "logic/good", true, "ann");
        vote(*s, 3, "x1", "logic/gone", false, "ann");  // feedback for a rule no longer in the log's findings
        s->record_pr_event({"o/r", 2, "reverted", "", "", "", 5, "", ""});
        auto trial = run_with("d", 4, {{"t1", "logic/trial"}});  // a rule in state: shadow
        trial.agents[0].findings[0].shadow = true;
        s->record_review(trial);
      }
      const test::LogAuditor auditor(at);
      std::ostringstream out;
      rule_stats(auditor.url(), Format::json, out);
      auto rows = nlohmann::json::parse(out.str());
      REQUIRE(rows.size() == 5);
      CHECK(rows[0]["rule"] == "logic/noisy");
      CHECK(rows[0]["fired"] == 2);
      CHECK(rows[0]["prs"] == 2);
      CHECK(rows[0]["helpful"] == 1);
      CHECK(rows[0]["unhelpful"] == 2);
      CHECK(rows[0]["reverted_prs"] == 1);
      CHECK(rows[1]["rule"] == "logic/gone");
      CHECK(rows[1]["fired"] == 0);
      CHECK(rows[2]["rule"] == "logic/quiet");   // no votes, fired once
      CHECK(rows[2]["helpful_ratio"].is_null());
      CHECK(rows[3]["rule"] == "logic/trial");   // only in shadow
      CHECK(rows[3]["fired"] == 0);
      CHECK(rows[3]["shadow_fired"] == 1);
      CHECK(rows[4]["rule"] == "logic/good");    // net helpful: last
      CHECK(rows[4]["helpful_ratio"] == 1.0);
      CHECK(rows[4]["reverted_prs"] == 1);

      std::ostringstream table;
      rule_stats(auditor.url(), Format::table, table);
      CHECK(table.str().find("rule") == 0);
      CHECK(table.str().find("(5 rows)") != std::string::npos);
    });
  }

  TEST_CASE("a missing database is a clear error") {
    std::ostringstream out;
    CHECK_THROWS_AS(rule_stats(test::scratch_dir("rule-stats-missing") / "none.db", Format::table, out), Error);
  }
}
