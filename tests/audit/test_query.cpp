#include <doctest/doctest.h>

#include <functional>
#include <sstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;
using reviewer::audit::Format;

namespace {

// Runs `body` on each backend with two runs recorded, passing the log's
// location (the owner's) and where an auditor reads it.
void with_runs(const std::string& label,
               const std::function<void(const std::string& at, const std::string& reader)>& body) {
  test::on_each_backend(label, [&](const std::string& at) {
    auto store = AuditStore::open_location(at);
    store->record_review(test::sample_review("run-1", 2, 7));
    store->record_review(test::sample_review("run-2", 1, 8));
    const test::LogAuditor auditor(at);
    body(at, auditor.url());
  });
}

std::string run_query(const std::string& reader, const std::string& sql, Format f) {
  std::ostringstream out;
  audit::query_location(reader, sql, f, out);
  return out.str();
}

bool on_postgres(const std::string& at) { return storage::is_postgres_url(at); }

}  // namespace

TEST_SUITE("audit::query") {
  TEST_CASE("formats are parsed by name") {
    CHECK(audit::parse_format("table") == Format::table);
    CHECK(audit::parse_format("csv") == Format::csv);
    CHECK(audit::parse_format("json") == Format::json);
    CHECK_FALSE(audit::parse_format("xml"));
  }

  TEST_CASE("a select is printed as JSON objects with typed values") {
    with_runs("json", [](const std::string&, const std::string& reader) {
      auto out = run_query(reader, "SELECT run_id, pr_number, NULL AS missing FROM review_runs ORDER BY seq",
                           Format::json);
      auto j = nlohmann::json::parse(out);
      REQUIRE(j.size() == 2);
      CHECK(j[0]["run_id"] == "run-1");
      CHECK(j[0]["pr_number"] == 7);
      CHECK(j[0]["missing"].is_null());
      CHECK(j[1]["pr_number"] == 8);
    });
  }

  TEST_CASE("an empty result is an empty JSON array and a CSV header") {
    with_runs("empty", [](const std::string&, const std::string& reader) {
      CHECK(nlohmann::json::parse(run_query(reader, "SELECT run_id FROM review_runs WHERE 1 = 0", Format::json))
                .empty());
      CHECK(run_query(reader, "SELECT run_id FROM review_runs WHERE 1 = 0", Format::csv) == "run_id\r\n");
    });
  }

  TEST_CASE("CSV quotes separators and defuses spreadsheet formulas") {
    with_runs("csv", [](const std::string&, const std::string& reader) {
      auto out = run_query(reader, "SELECT 'a,b' AS x, 'say \"hi\"' AS y, '=HYPERLINK(1)' AS z, -5 AS n", Format::csv);
      CHECK(out == "x,y,z,n\r\n\"a,b\",\"say \"\"hi\"\"\",'=HYPERLINK(1),-5\r\n");
    });
  }

  TEST_CASE("the table format aligns columns and escapes control characters") {
    with_runs("table", [](const std::string& at, const std::string& reader) {
      const char* chr = on_postgres(at) ? "chr" : "char";
      auto out = run_query(reader, fmt::format("SELECT 'a' || {0}(27) || '[31m' || {0}(10) AS t, 12345 AS n", chr),
                           Format::table);
      CHECK(out.find('\x1b') == std::string::npos);
      CHECK(out.find("a\\x1b[31m\\n") != std::string::npos);
      CHECK(out.find("(1 row)") != std::string::npos);
      auto runs = run_query(reader, "SELECT run_id, pr_number FROM review_runs ORDER BY seq", Format::table);
      CHECK(runs.find("run_id  pr_number\n------  ---------\nrun-1           7\n") == 0);
    });
  }

  TEST_CASE("auditor views can be queried") {
    with_runs("views", [](const std::string&, const std::string& reader) {
      auto j = nlohmann::json::parse(run_query(reader, "SELECT * FROM v_decisions ORDER BY run_id", Format::json));
      REQUIRE(j.size() == 2);
      CHECK(j[0]["findings"] == 2);
      CHECK(j[0]["agents_ok"] == 2);
      CHECK(j[0]["decision"] == "comment");
    });
  }

  TEST_CASE("every kind of write through a query is refused and nothing changes") {
    with_runs("writes", [](const std::string& at, const std::string& reader) {
      auto before = audit::checkpoint_location(at);
      std::vector<std::string> attempts = {
          "INSERT INTO overrides (seq) VALUES (99)",
          "UPDATE review_runs SET decision = 'approve'",
          "DELETE FROM findings",
          "DROP TABLE findings",
          "CREATE TABLE x (a INTEGER)",
          "CREATE TEMP TABLE x (a INTEGER)",
          "ALTER TABLE findings ADD COLUMN x INTEGER",
          "SELECT 1; DELETE FROM findings",
          "WITH x AS (SELECT 1) DELETE FROM findings",
      };
      if (on_postgres(at)) {
        for (const char* sql : {"DROP TRIGGER findings_no_delete ON findings", "VACUUM", "REINDEX TABLE findings",
                                "INSERT INTO schema_meta VALUES ('views_sha256', 'x') ON CONFLICT (key) DO UPDATE "
                                "SET value = 'x'"}) {
          attempts.emplace_back(sql);
        }
      } else {
        for (const char* sql : {"DROP TRIGGER findings_no_delete", "PRAGMA query_only = 0",
                                "PRAGMA journal_mode = DELETE", "PRAGMA writable_schema = 1", "VACUUM", "REINDEX",
                                "ANALYZE", "REPLACE INTO schema_meta VALUES ('views_sha256', 'x')"}) {
          attempts.emplace_back(sql);
        }
      }
      for (const auto& sql : attempts) {
        CAPTURE(sql);
        std::ostringstream out;
        CHECK_THROWS_AS(audit::query_location(reader, sql, Format::table, out), Error);
      }
      if (!on_postgres(at)) {
        auto victim = test::scratch_dir("attach") / "other.db";
        std::ostringstream out;
        std::string attach = "ATTACH '" + victim.string() + "' AS evil";
        CHECK_THROWS_WITH_AS(audit::query_location(reader, attach, Format::table, out), doctest::Contains("read-only"),
                             Error);
        CHECK_FALSE(std::filesystem::exists(victim));
      }
      auto after = audit::verify_location(at);
      CHECK(after.ok);
      CHECK(after.rows == before.rows);
      CHECK(after.head_hash == before.head_hash);
    });
  }

  // SQLite only: PostgreSQL's functions are held back by the auditor role
  // (test_postgres.cpp: "audit query refuses a role granted EXECUTE ...").
  TEST_CASE("only listed SQL functions run: fts3_tokenizer, load_extension and allocation bombs are refused") {
    const auto path = (test::scratch_dir("functions") / "audit.db").string();
    AuditStore::open(path)->record_review(test::sample_review("run-1", 2, 7));
    AuditStore::open(path)->record_review(test::sample_review("run-2", 1, 8));
    for (std::string sql : {"SELECT fts3_tokenizer('simple')", "SELECT hex(fts3_tokenizer('porter'))",
                            "SELECT fts3_tokenizer('x', x'0000000000000000')", "SELECT load_extension('/tmp/x.so')",
                            "SELECT zeroblob(1000000000)", "SELECT length(randomblob(1000000000))",
                            "SELECT sqlite_compileoption_get(0)", "SELECT run_id FROM review_runs WHERE "
                                                                  "sqlite_compileoption_used('ENABLE_FTS3')"}) {
      CAPTURE(sql);
      std::ostringstream out;
      CHECK_THROWS_WITH_AS(audit::query(path, sql, Format::json, out),
                           doctest::Contains("is not on the read-only list (audit/README.md); refused"), Error);
      CHECK(out.str().empty());
    }
    std::ostringstream out;
    CHECK_THROWS_WITH_AS(audit::query(path, "SELECT fts3_tokenizer('simple')", Format::json, out),
                         "audit query: the SQL function fts3_tokenizer is not on the read-only list "
                         "(audit/README.md); refused",
                         Error);
    // What auditors write keeps working: aggregates, dates, JSON, windows, unpack().
    auto j = nlohmann::json::parse(run_query(
        path,
        "SELECT count(*) AS n, max(seq) > 0 AS m, json_object('a', 1) AS o, date('2026-01-02') AS d, "
        "upper(substr('abc', 1, 1)) AS u, unpack(NULL) AS p, row_number() OVER () AS r FROM review_runs "
        "GROUP BY decision",
        Format::json));
    REQUIRE(j.size() == 1);
    CHECK(j[0]["n"] == 2);
    CHECK(j[0]["o"] == "{\"a\":1}");
    CHECK(j[0]["d"] == "2026-01-02");
    CHECK(j[0]["u"] == "A");
  }

  TEST_CASE("bad SQL gives a clear error") {
    with_runs("bad-sql", [](const std::string&, const std::string& reader) {
      std::ostringstream out;
      CHECK_THROWS_WITH_AS(audit::query_location(reader, "SELEC 1", Format::json, out),
                           doctest::Contains("syntax error"), Error);
      CHECK_THROWS_WITH_AS(audit::query_location(reader, "", Format::json, out),
                           doctest::Contains("no SQL statement"), Error);
      CHECK_THROWS_WITH_AS(audit::query_location(reader, " -- nothing\n", Format::json, out),
                           doctest::Contains("no SQL statement"), Error);
      CHECK(out.str().empty());
    });
  }

  TEST_CASE("a missing file is an error and is not created") {
    std::ostringstream out;
    auto missing = test::scratch_dir("nofile") / "none.db";
    CHECK_THROWS_WITH_AS(audit::query(missing, "SELECT 1", Format::json, out), doctest::Contains("does not exist"),
                         Error);
    CHECK_FALSE(std::filesystem::exists(missing));
  }

  TEST_CASE("a runaway query is stopped at its deadline") {
    with_runs("runaway", [](const std::string&, const std::string& reader) {
      std::ostringstream out;
      audit::QueryOptions opt;
      opt.timeout_ms = 200;
      CHECK_THROWS_WITH_AS(
          audit::query_location(reader,
                                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
                                Format::json, out, opt),
          doctest::Contains("longer than 200 ms"), Error);
    });
  }
}

TEST_SUITE("audit::export_range") {
  TEST_CASE("export writes the rows of a period from every table as JSON") {
    with_runs("export-json", [](const std::string& at, const std::string&) {
      std::ostringstream out;
      audit::export_location(at, "2000-01-01", "", Format::json, out);
      auto j = nlohmann::json::parse(out.str());
      CHECK(j["tables"]["review_runs"].size() == 2);
      CHECK(j["tables"]["findings"].size() == 3);
      CHECK(j["tables"]["agent_results"].size() == 4);
      CHECK(j["tables"]["pr_events"].empty());
      CHECK(j["tables"]["findings"][0].contains("row_hash"));
      CHECK(j["checkpoint"].get<std::string>().find("rows=9 ") != std::string::npos);
    });
  }

  TEST_CASE("rows outside the period are left out") {
    with_runs("export-range", [](const std::string& at, const std::string&) {
      std::ostringstream out;
      audit::export_location(at, "2000-01-01", "2000-12-31", Format::json, out);
      auto j = nlohmann::json::parse(out.str());
      CHECK(j["tables"]["review_runs"].empty());
      std::ostringstream csv;
      audit::export_location(at, "2000-01-01", "9999-12-31", Format::csv, csv);
      CHECK(csv.str().find("# table: review_runs\r\nseq,prev_hash,row_hash,recorded_at,run_id") != std::string::npos);
    });
  }

  TEST_CASE("malformed or reversed dates are usage errors") {
    with_runs("export-bad", [](const std::string& at, const std::string&) {
      std::ostringstream out;
      CHECK_THROWS_WITH_AS(audit::export_location(at, "last week", "", Format::json, out),
                           doctest::Contains("--since 'last week' is not a date"), Error);
      CHECK_THROWS_WITH_AS(audit::export_location(at, "2026-02-01", "2026-01-01", Format::json, out),
                           doctest::Contains("is before --since"), Error);
    });
  }
}
