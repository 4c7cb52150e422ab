// The console over PostgreSQL: the same pages from the same rows as over
// SQLite (the console's SQL is the dialect both share), as a read-only
// auditor role; a role that can reach the server's files is refused.
#include <algorithm>

#include <doctest/doctest.h>

#include "audit/readonly_session.h"
#include "audit/render.h"
#include "console_fixture.h"
#include "reviewer/console/html.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"
#include "support/postgres.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

// "" when equal, else both texts from just before their first difference.
std::string difference(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  if (i == a.size() && i == b.size()) return "";
  const std::size_t from = i > 80 ? i - 80 : 0;
  return "postgres: " + a.substr(from, 240) + "\nsqlite:   " + b.substr(from, 240);
}

}  // namespace

TEST_SUITE("console::postgres") {
  TEST_CASE("every page reads the same from PostgreSQL as from SQLite") {
    auto s = test::PgSchema::create("console");
    if (!s) return;
    test::write_console_log(*audit::AuditStore::open_url(s->url()));
    const test::PgAuditor auditor(*s);
    const std::string& url = auditor.url();

    CHECK_THROWS_WITH_AS(audit::open_read_only_session(s->url(), std::chrono::seconds(5)),
                         doctest::Contains("refuses to run as role 'postgres'"), Error);
    Console pg(test::console_options(url));
    Console lite(test::console_options(test::console_log(test::scratch_dir("pg-twin")).string()));
    for (const char* page : {"/", "/?repo=acme/web&since=2026-01-06", "/changes", "/changes?approver=person",
                             "/changes?reverted=yes", "/changes?checks=failed", "/changes?checks=passed",
                             "/changes?decision=needs_human", "/change?repo=acme/web&pr=2",
                             "/change?repo=local/tool&run=localrun1", "/sample?n=3&seed=9", "/changes.csv",
                             "/sql?q=SELECT+repository,+pr_number,+approval+FROM+v_merged_prs+ORDER+BY+1,2"}) {
      CAPTURE(page);
      const auto a = test::get(pg, page), b = test::get(lite, page);
      CHECK(a.status == 200);
      CHECK(a.status == b.status);
      if (std::string(page).starts_with("/change?")) {
        // Row numbers and hashes differ (recorded_at), the story does not.
        CHECK(a.body.find("rows of this change verify against the hash chain") != std::string::npos);
        CHECK(a.body.find("fails verification") == std::string::npos);
        // The local run holds the log's newest row, which no later row checks.
        CHECK((a.body.find("is the newest row of the log") != std::string::npos) ==
              std::string(page).ends_with("localrun1"));
        continue;
      }
      CHECK(difference(a.body, b.body) == "");
    }
    const auto refused = test::get(pg, "/sql?q=" + url_encode("SELECT pg_read_file('/etc/passwd')"));
    CHECK(refused.status == 400);
    const auto write = test::get(pg, "/sql?q=" + url_encode("DELETE FROM findings"));
    CHECK(write.status == 400);
    CHECK(write.body.find("Refused") != std::string::npos);
    CHECK(test::log_scalar(s->url(), "SELECT count(*) FROM findings") == "4");
  }

  TEST_CASE("on PostgreSQL too, the SQL page refuses transaction control and cuts a result past 16 MiB of text") {
    auto s = test::PgSchema::create("console_sql_limits");
    if (!s) return;
    test::write_console_log(*audit::AuditStore::open_url(s->url()));
    const test::PgAuditor auditor(*s);
    Console pg(test::console_options(auditor.url()));
    // DECLARE takes a query only: a syntax error, refused with the reason.
    for (const char* sql : {"COMMIT", "END", "ROLLBACK", "BEGIN", "SAVEPOINT s", "RELEASE SAVEPOINT s"}) {
      CAPTURE(sql);
      const auto a = test::get(pg, "/sql?q=" + url_encode(sql));
      CHECK(a.status == 400);
      CHECK(a.body.find("Refused: audit query:") != std::string::npos);
    }
    const std::string wide = "SELECT lpad(i::text, 100000) AS cell FROM generate_series(1, 1000) AS i";
    const auto cut = test::get(pg, "/sql?q=" + url_encode(wide));
    CHECK(cut.status == 200);
    CHECK(cut.body.find("167 rows shown: the result holds more than 16 MiB of text") != std::string::npos);
    const auto csv = test::get(pg, "/sql.csv?q=" + url_encode(wide));
    CHECK(csv.status == 400);
    CHECK(csv.body.find("more than 16 MiB of text") != std::string::npos);
    // Fetched in batches: a result of exactly one batch, and one just past it, whole.
    auto session = audit::open_read_only_session(auditor.url(), std::chrono::seconds(5));
    CHECK(session->user_query("SELECT i FROM generate_series(1, 64) AS i", 64).rows.size() == 64);
    CHECK_FALSE(session->user_query("SELECT i FROM generate_series(1, 64) AS i", 64).truncated);
    const auto past = session->user_query("SELECT i FROM generate_series(1, 65) AS i", 64);
    CHECK(past.rows.size() == 64);
    CHECK(past.truncated);
    CHECK(session->user_query("SELECT i FROM generate_series(1, 200) AS i", 1000).rows.size() == 200);
  }

  TEST_CASE("a finished session's connection serves the next one, with a new snapshot; not after an auditor's SQL") {
    auto s = test::PgSchema::create("console_reuse");
    if (!s) return;
    auto store = audit::AuditStore::open_url(s->url());
    test::write_console_log(*store);
    const test::PgAuditor auditor(*s);
    const audit::ReadOnlySessions logs(auditor.url(), std::chrono::seconds(5));
    const auto scalar = [](audit::ReadOnlySession& session, const std::string& sql) {
      std::string out;
      session.log().each(sql, {}, [&](const audit::LogRow& r) { out = audit::cell_of(r.values[0]).text; });
      return out;
    };
    std::string first, overrides;
    {
      auto session = logs.open();
      first = scalar(*session, "SELECT pg_backend_pid()");
      overrides = scalar(*session, "SELECT count(*) FROM overrides");
    }
    store->record_override({"acme/web", 2, "human_review", "zed", "c-late", "2026-03-01T00:00:00Z"});
    std::string beside_pid;
    {
      auto session = logs.open();
      CHECK(scalar(*session, "SELECT pg_backend_pid()") == first);
      // A snapshot of its own: the override appended since.
      CHECK(scalar(*session, "SELECT count(*) FROM overrides") == std::to_string(std::stoi(overrides) + 1));
      CHECK(scalar(*session, "SHOW transaction_read_only") == "on");
      CHECK(scalar(*session, "SHOW statement_timeout") == "5s");
      CHECK(scalar(*session, "SHOW max_parallel_workers_per_gather") == "0");
      // Two sessions at once never share one.
      auto beside = logs.open();
      beside_pid = scalar(*beside, "SELECT pg_backend_pid()");
      CHECK(beside_pid != first);
      CHECK(session->user_query("SELECT count(*) FROM overrides", 10).rows.size() == 1);
    }
    // The one that ran the auditor's SQL was closed; the one beside it is reused.
    auto next = logs.open(), after = logs.open();
    CHECK(scalar(*next, "SELECT pg_backend_pid()") == beside_pid);
    CHECK(scalar(*after, "SELECT pg_backend_pid()") != first);
    CHECK(scalar(*after, "SELECT pg_backend_pid()") != beside_pid);
  }

  TEST_CASE("a full pool keeps the connection just returned and closes the one idle longest") {
    auto s = test::PgSchema::create("console_pool");
    if (!s) return;
    test::write_console_log(*audit::AuditStore::open_url(s->url()));
    const test::PgAuditor auditor(*s);
    const audit::ReadOnlySessions logs(auditor.url(), std::chrono::seconds(5));
    const auto pid = [](audit::ReadOnlySession& session) {
      std::string out;
      session.log().each("SELECT pg_backend_pid()", {}, [&](const audit::LogRow& r) { out = audit::cell_of(r.values[0]).text; });
      return out;
    };
    // One more session at once than the pool keeps (6), ended in order.
    std::vector<std::unique_ptr<audit::ReadOnlySession>> open;
    std::vector<std::string> pids;
    for (int i = 0; i < 7; ++i) {
      open.push_back(logs.open());
      pids.push_back(pid(*open.back()));
    }
    for (auto& session : open) session.reset();
    // The last one returned serves the next request; the first was closed.
    std::vector<std::unique_ptr<audit::ReadOnlySession>> again;
    std::vector<std::string> reused;
    for (int i = 0; i < 7; ++i) {
      again.push_back(logs.open());
      reused.push_back(pid(*again.back()));
    }
    CHECK(reused.front() == pids.back());
    CHECK(std::find(reused.begin(), reused.end(), pids.front()) == reused.end());
    for (int i = 1; i < 7; ++i) CHECK(std::find(reused.begin(), reused.end(), pids[static_cast<std::size_t>(i)]) != reused.end());
  }

  TEST_CASE("a kept connection is checked again before an auditor's SQL: a role granted file access since is refused") {
    auto s = test::PgSchema::create("console_regrant");
    if (!s) return;
    auto store = audit::AuditStore::open_url(s->url());
    test::write_console_log(*store);
    const test::PgAuditor auditor(*s);
    const audit::ReadOnlySessions logs(auditor.url(), std::chrono::seconds(5));
    {
      auto session = logs.open();
      CHECK(session->user_query("SELECT count(*) FROM overrides", 10).rows.size() == 1);
    }
    { auto session = logs.open(); }  // connected, checked, kept
    auto admin = storage::PgConnection::open(s->url(), "test database");
    admin.exec("GRANT pg_read_server_files TO " + auditor.role());
    auto session = logs.open();
    CHECK_THROWS_WITH_AS(session->user_query("SELECT count(*) FROM overrides", 10),
                         doctest::Contains("refuses to run as role"), Error);
    admin.exec("REVOKE pg_read_server_files FROM " + auditor.role());
  }

  TEST_CASE("the console's reads start no parallel workers; an auditor's own query may") {
    auto s = test::PgSchema::create("console_parallel");
    if (!s) return;
    test::write_console_log(*audit::AuditStore::open_url(s->url()));
    const test::PgAuditor auditor(*s);
    // A planner that takes a parallel plan whenever it can: even the few
    // rows of this log then plan a Gather (as the 100,000-change log's
    // look-ups of the rows before a change's rows did at the defaults).
    storage::PgConnection::open(s->url(), "test database")
        .exec("ALTER ROLE " + auditor.role() +
              " SET parallel_setup_cost = 0; ALTER ROLE " + auditor.role() +
              " SET parallel_tuple_cost = 0; ALTER ROLE " + auditor.role() +
              " SET min_parallel_table_scan_size = 0; ALTER ROLE " + auditor.role() +
              " SET min_parallel_index_scan_size = 0");
    auto session = audit::open_read_only_session(auditor.url(), std::chrono::seconds(5));
    std::string plan;
    session->log().each(
        "EXPLAIN SELECT seq, row_hash FROM pr_events WHERE seq IN (1, 2, 3) UNION ALL "
        "SELECT seq, row_hash FROM review_runs WHERE seq IN (1, 2, 3)",
        {}, [&](const audit::LogRow& r) { plan += std::get<std::string>(r.values[0]) + "\n"; });
    CAPTURE(plan);
    CHECK(plan.find("Append") != std::string::npos);
    CHECK(plan.find("Gather") == std::string::npos);

    // An auditor's query on the SQL page runs under the server's setting
    // (EXPLAIN cannot run in its cursor: the setting itself is read).
    const auto own = session->user_query("SELECT current_setting('max_parallel_workers_per_gather')", 1);
    REQUIRE(own.rows.size() == 1);
    CHECK(own.rows[0][0].text == test::log_scalar(auditor.url(), "SHOW max_parallel_workers_per_gather"));
    CHECK(own.rows[0][0].text != "0");
  }
}

}  // namespace reviewer::console
