// The SQL page's limits: no statement ends the request's snapshot, and no
// statement holds more memory than a bounded string and a bounded result.
#include <sys/resource.h>

#include <doctest/doctest.h>

#include "audit/pack.h"
#include "audit/readonly_session.h"
#include "console_fixture.h"
#include "reviewer/console/html.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

// The process's peak resident set so far, in bytes.
std::size_t peak_rss() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::size_t>(u.ru_maxrss) * 1024;
}

}  // namespace

TEST_SUITE("console::sql") {
  TEST_CASE("transaction control is refused on the SQL page: the request's snapshot cannot be ended") {
    const auto path = test::console_log(test::scratch_dir("sql-transactions"));
    Console c(test::console_options(path.string()));
    for (const char* sql : {"COMMIT", "END", "ROLLBACK", "BEGIN", "BEGIN IMMEDIATE", "SAVEPOINT s", "RELEASE s",
                            "ROLLBACK TO s", "commit;"}) {
      CAPTURE(sql);
      const auto a = test::get(c, "/sql?q=" + url_encode(sql));
      CHECK(a.status == 400);
      CHECK(a.body.find("Refused: audit query: transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is "
                        "refused") != std::string::npos);
    }
    // The session's own transaction is still open: the console's reads
    // that follow see the one snapshot.
    auto session = audit::open_read_only_session(path.string(), std::chrono::seconds(5));
    CHECK_THROWS_WITH_AS(session->user_query("COMMIT", 10), doctest::Contains("transaction control"), Error);
    CHECK_THROWS_WITH_AS(session->user_query("BEGIN", 10), doctest::Contains("transaction control"), Error);
    CHECK(session->user_query("SELECT count(*) FROM review_runs", 10).rows.at(0).at(0).text == "5");
    CHECK(test::get(c, "/sql?q=" + url_encode("SELECT 1")).status == 200);
  }

  TEST_CASE("a statement that builds a huge string is refused, and a result past 16 MiB of text is cut") {
    const auto path = test::console_log(test::scratch_dir("sql-memory"));
    Console c(test::console_options(path.string()));
    const auto before = peak_rss();
    // 200 MB of spaces, then 800 MB of x: past the string limit, SQLite's
    // printf() gives NULL, and the rest is NULL.
    const auto huge = test::get(c, "/sql?q=" + url_encode("select length(replace(printf('%200000000d',1),' ','xxxx'))"));
    CHECK(huge.status == 200);
    CHECK(huge.body.find("<td class=\"null\">NULL</td>") != std::string::npos);
    // 100 MB of spaces fit; 400 MB of x do not: replace() fails.
    const auto large = test::get(c, "/sql?q=" + url_encode("select length(replace(printf('%100000000d',1),' ','xxxx'))"));
    CHECK(large.status == 400);
    CHECK(large.body.find("string or blob too big") != std::string::npos);
    CHECK(peak_rss() - before < (512u << 20));

    // 1,000 rows of 100,000 bytes: the first 167 fit in 16 MiB.
    const std::string wide =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
        "SELECT printf('%100000d', i) AS cell FROM n";
    const auto cut = test::get(c, "/sql?q=" + url_encode(wide));
    CHECK(cut.status == 200);
    CHECK(cut.body.find("167 rows shown: the result holds more than 16 MiB of text") != std::string::npos);
    const auto csv = test::get(c, "/sql.csv?q=" + url_encode(wide));
    CHECK(csv.status == 400);
    CHECK(csv.body.find("more than 16 MiB of text") != std::string::npos);
    CHECK(peak_rss() - before < (512u << 20));

    // The limit leaves room for unpack()'s largest text.
    auto session = audit::open_read_only_session(path.string(), std::chrono::seconds(10));
    const auto packed = audit::pack_text(std::string(audit::kMaxUnpacked, 'a'));
    const auto t = session->user_query("SELECT length(unpack('" + packed + "'))", 1);
    CHECK(t.rows.at(0).at(0).text == std::to_string(audit::kMaxUnpacked));
    CHECK_FALSE(t.truncated);
  }
}

}  // namespace reviewer::console
