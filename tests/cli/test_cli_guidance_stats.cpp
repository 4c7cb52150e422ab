#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "audit/store.h"
#include "cli_fixture.h"
#include "support/postgres.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

// One run with two findings; the noisy one got an unhelpful vote and its
// PR was reverted.
void record_votes(const std::string& location) {
  auto s = audit::AuditStore::open_location(location);
  ReviewResult r;
  r.run_id = "run-1";
  r.pr.repository = "o/r";
  r.pr.number = 3;
  AgentReport a;
  a.name = "logic";
  for (const char* rule : {"logic/quiet", "logic/noisy"}) {
    Finding f;
    f.id = std::string(rule) == "logic/quiet" ? "q" : "n";
    f.rule = rule;
    a.findings.push_back(f);
  }
  r.agents.push_back(a);
  s->record_review(r);
  s->record_feedback({"o/r", 3, "n", "logic/noisy", "ann", false, "c1", ""});
  s->record_pr_event({"o/r", 3, "reverted", "", "", "", 4, "", ""});
}

// `guidance stats --format json` over record_votes()' log, flags `where`.
void check_json_stats(const std::string& where) {
  auto json = reviewer_cli("guidance stats --format json " + where);
  CAPTURE(json.err);
  REQUIRE(json.rc == 0);
  auto rows = nlohmann::json::parse(json.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["rule"] == "logic/noisy");
  CHECK(rows[0]["unhelpful"] == 1);
  CHECK(rows[0]["reverted_prs"] == 1);
  CHECK(rows[1]["rule"] == "logic/quiet");
}

}  // namespace

TEST_SUITE("cli::guidance_stats") {
  TEST_CASE("guidance stats prints per-rule votes and reverts, noisiest first, as a table or JSON") {
    auto db = scratch_dir("cli-guidance-stats") / "audit.db";
    record_votes(db.string());
    check_json_stats("--db '" + db.string() + "'");
    auto table = reviewer_cli("guidance stats --audit-db '" + db.string() + "'");
    CHECK(table.rc == 0);
    CHECK(table.out.find("logic/noisy") < table.out.find("logic/quiet"));
    auto bad = reviewer_cli("guidance stats --db '" + db.string() + "' --format xml");
    CHECK(bad.rc == 1);
    CHECK(bad.err.find("unknown --format 'xml'") != std::string::npos);
  }

  TEST_CASE("guidance stats reads a PostgreSQL log with --database-url, as an auditor role") {
    auto bad = reviewer_cli("guidance stats --database-url 'sqlite:/tmp/x.db'");
    CHECK(bad.rc == 1);
    CHECK(bad.err.find("--database-url must be a postgresql:// URL") != std::string::npos);
    auto schema = PgSchema::create("cli-guidance-stats-pg");
    if (!schema) return;
    record_votes(schema->url());
    const PgAuditor auditor(*schema);
    check_json_stats("--database-url '" + auditor.url() + "'");
  }
}
