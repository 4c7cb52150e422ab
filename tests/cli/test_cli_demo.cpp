#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "audit/audit_fixtures.h"
#include "cli/cli_fixture.h"
#include "reviewer/core/sha256.h"

using namespace reviewer::test;
using nlohmann::json;

TEST_SUITE("cli::demo") {
  TEST_CASE("the demo reviews three sample pull requests and records them") {
    auto dir = scratch_dir("demo") / "d";
    auto r = reviewer_cli("demo --format json --dir '" + dir.string() + "'");
    REQUIRE(r.rc == 0);
    CHECK(r.err == "");
    std::vector<json> results;
    size_t pos = 0;
    while (pos < r.out.size()) {
      size_t end = r.out.find("\n}\n", pos);
      if (end == std::string::npos) break;
      results.push_back(json::parse(r.out.substr(pos, end + 3 - pos)));
      pos = end + 3;
    }
    REQUIRE(results.size() == 3);
    // 1: the clean fix is small; 2: the risky change; 3: the huge change
    // needs a human and comes with a split.
    CHECK(results[0]["size"]["label"] == "XS");
    CHECK(results[2]["decision"] == "needs_human");
    CHECK(results[2]["size"]["lines_added"].get<int>() >= 1500);
    CHECK(results[2]["size"]["areas"] == 6);
    bool split = false;
    for (const auto& a : results[2]["agents"]) {
      for (const auto& f : a["findings"]) split = split || f["rule"] == "size/split";
    }
    CHECK(split);

    std::string out;
    REQUIRE(run_command("sqlite3 '" + (dir / "audit.db").string() +
                            "' \"select count(*) from review_runs where trigger = 'demo'\"",
                        &out) == 0);
    CHECK(out == "3\n");
  }

  TEST_CASE("the demo's audit log holds months of verifiable history for the console, the same on every run") {
    auto root = scratch_dir("demo-history");
    auto r = reviewer_cli("demo --dir '" + (root / "a").string() + "'");
    REQUIRE(r.rc == 0);
    CHECK(r.err == "");
    const auto db = root / "a" / "audit.db";
    // The console line comes last, after the usual output.
    const std::string tokens = (root / "a" / "console-tokens").string();
    CHECK(r.out.find("Console:         reviewer audit serve --db " + db.string() + " --tokens " + tokens) !=
          std::string::npos);
    CHECK(r.out.find("Console:") > r.out.find("Try: reviewer review"));
    auto at = r.out.find("Console token:   ");
    REQUIRE(at != std::string::npos);
    const std::string token = r.out.substr(at + 17, 64);
    CHECK(read_text(tokens).find("\n" + reviewer::sha256_hex(token) + "\n") != std::string::npos);
    CHECK(read_text(tokens).find(token) == std::string::npos);  // only its hash is kept

    auto verify = reviewer_cli("audit verify --db '" + db.string() + "'");
    CHECK(verify.rc == 0);
    auto one = [&](const std::string& sql) { return query_rows(db, sql).at(0).begin().value(); };
    CHECK(one("SELECT count(*) FROM v_merged_prs") >= 300);
    CHECK(one("SELECT count(*) FROM v_merged_prs WHERE approval IN ('bot', 'bot+human')") >= 100);
    CHECK(one("SELECT count(*) FROM v_merged_prs WHERE approval = 'human'") >= 100);
    CHECK(one("SELECT count(*) FROM v_merged_prs WHERE approval = 'none'") > 0);
    // Bot-approved changes are reverted less often than people's, at 3-8%.
    const double bot = one("SELECT 1.0 * sum(reverted) / count(*) FROM v_merged_prs WHERE approval LIKE 'bot%'");
    const double person = one("SELECT 1.0 * sum(reverted) / count(*) FROM v_merged_prs WHERE approval = 'human'");
    CHECK(bot > 0.01);
    CHECK(bot < person);
    CHECK(person < 0.09);
    CHECK(one("SELECT count(*) FROM overrides WHERE kind = 'human_review'") > 0);
    CHECK(one("SELECT count(*) FROM v_merged_with_failing_checks") > 0);
    CHECK(one("SELECT count(*) FROM v_merged_before_checks_completed") > 0);
    CHECK(one("SELECT count(*) FROM v_change_evidence WHERE checks_total > 0") >= 300);
    CHECK(one("SELECT count(*) FROM pull_requests WHERE title = '<script>alert(1)</script>'") == 1);
    CHECK(one("SELECT count(*) FROM pull_requests WHERE title = '\"><img src=x onerror=alert(1)>'") == 1);
    CHECK(one("SELECT count(*) FROM feedback WHERE helpful = 1") > 0);
    CHECK(one("SELECT count(*) FROM feedback WHERE helpful = 0") > 0);
    CHECK(one("SELECT count(DISTINCT agent) FROM findings") >= 4);
    CHECK(one("SELECT count(*) FROM review_runs WHERE trigger = 'cli' AND mode = 'dry-run' AND pr_number = 0") > 0);
    CHECK(one("SELECT count(DISTINCT substr(merged_at, 1, 7)) FROM v_merged_prs") >= 8);

    // The same seed, the same history (the chain's recorded_at aside).
    REQUIRE(reviewer_cli("demo --format json --dir '" + (root / "b").string() + "'").rc == 0);
    const std::string evidence = "SELECT * FROM v_change_evidence ORDER BY repository, pr_number";
    CHECK(query_rows(db, evidence) == query_rows(root / "b" / "audit.db", evidence));
    CHECK_FALSE(std::filesystem::exists(root / "b" / "console-tokens"));  // JSON output stays the reviews alone
  }

  TEST_CASE("the demo refuses a directory that is not empty") {
    auto dir = scratch_dir("demo-full");
    write_text(dir / "keep.txt", "mine");
    auto r = reviewer_cli("demo --dir '" + dir.string() + "'");
    CHECK(r.rc == 1);
    CHECK(r.err.find("is not empty") != std::string::npos);
    CHECK(read_text(dir / "keep.txt") == "mine");
  }
}
