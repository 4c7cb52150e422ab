// What the pages show: hostile titles as text on every page that shows
// titles, the CSV exactly the listed rows, the overview's figures, and a
// change page that names a row edited in the database.
#include <algorithm>
#include <filesystem>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_fixtures.h"
#include "audit/verify.h"
#include "console_fixture.h"
#include "reviewer/console/html.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

// Neither hostile title appears as markup; both appear escaped.
void check_escaped(const std::string& body) {
  CHECK(body.find("<script>alert") == std::string::npos);
  CHECK(body.find("<img src=x") == std::string::npos);
  CHECK(body.find("onerror=alert(1)>") == std::string::npos);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_SUITE("console::pages") {
  TEST_CASE("hostile titles render as text on every page that shows titles") {
    Console c(test::console_options(test::console_log(test::scratch_dir("escape")).string()));
    const std::string script = escape(test::kScriptTitle), img = escape(test::kImgTitle);
    CHECK(script == "&lt;script&gt;alert(1)&lt;/script&gt;");
    CHECK(img == "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    for (const char* page : {"/changes", "/change?repo=acme/web&pr=1", "/change?repo=acme/web&pr=2",
                             "/sql?q=SELECT+title+FROM+review_runs", "/changes?repo=acme/web"}) {
      CAPTURE(page);
      const auto a = test::get(c, page);
      REQUIRE(a.status == 200);
      check_escaped(a.body);
    }
    const auto list = test::get(c, "/changes").body;
    CHECK(list.find(script) != std::string::npos);
    CHECK(list.find(img) != std::string::npos);
    CHECK(list.find("Local &lt;b&gt;change&lt;/b&gt;") != std::string::npos);
    CHECK(test::get(c, "/change?repo=acme/web&pr=1").body.find(script) != std::string::npos);
    CHECK(test::get(c, "/change?repo=acme/web&pr=2").body.find(img) != std::string::npos);
    // A check's javascript: URL is text, never a link.
    const auto two = test::get(c, "/change?repo=acme/web&pr=2").body;
    CHECK(two.find("href=\"javascript:") == std::string::npos);
    CHECK(test::get(c, "/change?repo=acme/web&pr=1").body.find("href=\"https://ci.example/build/1\"") !=
          std::string::npos);
  }

  TEST_CASE("the escaping function and the chart data's JSON cannot be broken out of") {
    CHECK(escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    CHECK(escape("ok\x01\x7f\xff") == "ok\xef\xbf\xbd");
    CHECK(script_json({{"t", test::kScriptTitle + " & </script><!--"}}) ==
          "{\"t\":\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 \\u003c/script\\u003e\\u003c!--\"}");
    CHECK(external_link("javascript:alert(1)", "x") == "x");
    CHECK(external_link("https://a.example/\"onmouseover=1", "x") == "x");
    CHECK(external_link("https://a.example/p?q=1&r=2", "<b>") ==
          "<a href=\"https://a.example/p?q=1&amp;r=2\" rel=\"noopener noreferrer\">&lt;b&gt;</a>");
  }

  TEST_CASE("the CSV holds exactly the rows the filter lists, in the same order") {
    Console c(test::console_options(test::console_log(test::scratch_dir("csv")).string()));
    for (const std::string filter : {"", "?repo=acme/web", "?approver=person", "?reverted=yes", "?checks=failed",
                                     "?decision=approve", "?since=2026-01-08&until=2026-01-12"}) {
      CAPTURE(filter);
      const auto page = test::get(c, "/changes" + filter);
      const auto csv = test::get(c, "/changes.csv" + filter);
      REQUIRE(page.status == 200);
      REQUIRE(csv.status == 200);
      CHECK(csv.content_type.starts_with("text/csv"));
      const auto rows = test::parse_csv(csv.body);
      REQUIRE(!rows.empty());
      CHECK(rows[0][0] == "repository");
      CHECK(count(page.body, "<tr>") - 1 == rows.size() - 1);  // one header row each
      std::size_t at = 0;
      for (std::size_t i = 1; i < rows.size(); ++i) {
        // The CSV's title (a formula-looking one gains a quote) appears in the
        // table after the previous row's.
        std::string title = rows[i][3];
        if (title.starts_with("'")) title.erase(0, 1);
        at = page.body.find("<td class=\"title\">" + escape(title) + "</td>", at);
        CHECK(at != std::string::npos);
      }
    }
    // A formula-looking title is quoted so that a spreadsheet shows it as text.
    const auto all = test::parse_csv(test::get(c, "/changes.csv").body);
    CHECK(std::count_if(all.begin(), all.end(), [](const std::vector<std::string>& row) {
            return row.size() > 3 && row[3] == "'" + test::kFormulaTitle;
          }) == 1);
    CHECK(test::parse_csv(test::get(c, "/changes.csv").body).size() == 1 + 6);
    CHECK(test::parse_csv(test::get(c, "/changes.csv?repo=acme/web").body).size() == 1 + 3);
    CHECK(test::parse_csv(test::get(c, "/changes.csv?reverted=yes").body).size() == 1 + 1);
    CHECK(test::parse_csv(test::get(c, "/changes.csv?checks=failed").body).size() == 1 + 1);
    CHECK(test::parse_csv(test::get(c, "/changes.csv?approver=bot").body).size() == 1 + 1);
    CHECK(test::parse_csv(test::get(c, "/changes.csv?approver=person").body).size() == 1 + 3);
  }

  TEST_CASE("query parameters outside their sets are answered 400 naming the parameter") {
    Console c(test::console_options(test::console_log(test::scratch_dir("params")).string()));
    for (const auto& [target, says] : std::vector<std::pair<std::string, std::string>>{
             {"/changes?approver=robot", "approver 'robot' is not one of"},
             {"/changes?since=2026-02-30", "since '2026-02-30' is not a day"},
             {"/changes?since=2026-02-01&until=2026-01-01", "is before since"},
             {"/changes?page=0", "page '0' is not a whole number"},
             {"/changes?colour=red", "unknown query parameter 'colour'"},
             {"/changes?repo=%zz", "broken %-escape"},
             {"/changes?repo=%ff", "not valid UTF-8"},
             {"/change?repo=acme/web", "give exactly one of pr"},
             {"/change?repo=acme/web&pr=x", "pr 'x' is not a whole number"},
             {"/sample?n=0", "n '0' is not a whole number"},
             {"/sample?n=5&seed=-1", "seed '-1' is not a whole number"},
             {"/sample/pack.tar?n=5", "seed is required"}}) {
      CAPTURE(target);
      const auto a = test::get(c, target);
      CHECK(a.status == 400);
      CHECK(a.body.find(escape(says)) != std::string::npos);
    }
  }

  TEST_CASE("the overview counts merges by approval, revert rates with intervals, latencies and rules") {
    Console c(test::console_options(test::console_log(test::scratch_dir("overview")).string()));
    const auto a = test::get(c, "/");
    REQUIRE(a.status == 200);
    CHECK(a.body.find("4 changes merged, 5 review runs, 1 <code>/human-review</code> requests") != std::string::npos);
    // bot-approved: web#1 (not reverted); person-approved: web#2 (reverted), web#3, api#1.
    CHECK(a.body.find("<tr><th>bot-approved</th><td>1</td><td>0</td><td>0.0%</td>") != std::string::npos);
    CHECK(a.body.find("<tr><th>person-approved</th><td>3</td><td>1</td><td>33.3%</td><td>6.1% – 79.2%</td>") !=
          std::string::npos);
    for (const char* chart : {"merged", "decisions", "revert-rate", "latency", "overrides", "noisy-rules",
                              "effective-rules"}) {
      CHECK(a.body.find(std::string("id=\"chart-") + chart + "\"") != std::string::npos);
    }
    CHECK(a.body.find("<script type=\"application/json\" id=\"console-charts\">") != std::string::npos);
    CHECK(a.body.find("<script src=\"/static/chart.js\"></script>") != std::string::npos);
    CHECK(count(a.body, "<script") == 3);  // Chart.js, console.js and the data: no inline code
    const auto web = test::get(c, "/?repo=acme/web&since=2026-01-06").body;
    CHECK(web.find("2 changes merged, 1 review runs, 0 ") != std::string::npos);
  }

  TEST_CASE("the overview defaults to the 90 days up to the latest activity, and follows every append") {
    const auto path = test::console_log(test::scratch_dir("overview-days"));
    Console c(test::console_options(path.string()));
    const auto recent = test::get(c, "/").body;
    CHECK(recent.find("value=\"2025-10-17\"") != std::string::npos);  // 2026-01-14 minus 89 days
    CHECK(recent.find("value=\"2026-01-14\"") != std::string::npos);
    CHECK(test::get(c, "/?period=all").body.find("4 changes merged") != std::string::npos);
    CHECK(test::get(c, "/?period=some").status == 400);
    // Cached by chain head: a new row is seen at once.
    audit::AuditStore::open(path)->record_pr_event(
        {"acme/api", 2, "merged", "erin", std::string(40, '5'), std::string(40, 'e'), 0, "", "2026-01-14T12:00:00Z"});
    CHECK(test::get(c, "/").body.find("5 changes merged") != std::string::npos);
    CHECK(test::get(c, "/?period=all").body.find("5 changes merged") != std::string::npos);
  }

  TEST_CASE("a row edited in the database shows as failed verification on its change's page") {
    const auto dir = test::scratch_dir("tamper");
    const auto path = test::console_log(dir);
    Console c(test::console_options(path.string()));
    const auto clean = test::get(c, "/change?repo=acme/web&pr=2").body;
    CHECK(clean.find("rows of this change verify against the hash chain") != std::string::npos);
    CHECK(clean.find("fails verification") == std::string::npos);

    test::tamper(path, "UPDATE pr_events SET actor = 'mallory' WHERE repository = 'acme/web' AND pr_number = 2 "
                       "AND kind = 'approved'");
    const auto edited = test::get(c, "/change?repo=acme/web&pr=2").body;
    CHECK(edited.find("1 of ") != std::string::npos);
    CHECK(edited.find("FAIL verification") != std::string::npos);
    CHECK(edited.find("✗ fails verification: edited: the row no longer hashes to its row_hash") != std::string::npos);
    CHECK(edited.find("Approved</strong> by mallory") != std::string::npos);
    // The other changes' rows still verify.
    CHECK(test::get(c, "/change?repo=acme/api&pr=1").body.find("fails verification") == std::string::npos);

    // An edit re-hashed by someone who knows the scheme: the edited row
    // hashes again, and the next row's link to it fails. That row is
    // acme/api #1's (see the fixture): the edited row itself must fail.
    auto db = test::raw_open(path);
    const auto seq = test::scalar(db, "SELECT seq FROM pr_events WHERE repository = 'acme/web' AND pr_number = 2 "
                                      "AND kind = 'approved'");
    REQUIRE(test::scalar(db, fmt::format("SELECT count(*) FROM deliveries WHERE seq = {} AND repository = 'acme/api'",
                                         seq + 1)) == 1);
    test::rehash_range(path, seq, seq);
    const auto rehashed = test::get(c, "/change?repo=acme/web&pr=2").body;
    CHECK(rehashed.find("rows of this change verify against the hash chain") == std::string::npos);
    CHECK(rehashed.find("1 of ") != std::string::npos);
    CHECK(rehashed.find("✗ fails verification: row " + std::to_string(seq + 1) + " after it does not chain to it") !=
          std::string::npos);
    CHECK(rehashed.find("Approved</strong> by mallory") != std::string::npos);
    CHECK(test::get(c, "/change?repo=acme/api&pr=1").body.find("prev_hash is not the row_hash of row " +
                                                                std::to_string(seq)) != std::string::npos);
    // The evidence pack's manifest says so as well (n=4: every merged change).
    const auto pack = test::untar(test::get(c, "/sample/pack.tar?n=4&seed=1").body);
    REQUIRE(!pack.empty());
    int web2 = 0;
    const auto manifest = nlohmann::json::parse(pack.back().second);
    for (const auto& f : manifest["files"]) {
      if (f.value("repository", "") != "acme/web" || f.value("pr_number", 0) != 2) continue;
      ++web2;
      CHECK(f["rows_failing_verification"] == 1);
    }
    CHECK(web2 == 1);
  }

  TEST_CASE("a change's row whose successor was removed fails; the log's newest row is named as checked back only") {
    const auto path = test::console_log(test::scratch_dir("successor"));
    Console c(test::console_options(path.string()));
    auto db = test::raw_open(path);
    const auto newest = audit::checkpoint(path).rows;
    const auto local = test::get(c, "/change?repo=local/tool&run=localrun1").body;
    CHECK(local.find("rows of this change verify against the hash chain") != std::string::npos);
    CHECK(local.find("Row " + std::to_string(newest) + " is the newest row of the log: checked against its own hash "
                     "and its link back only") != std::string::npos);
    CHECK(test::get(c, "/change?repo=acme/web&pr=2").body.find("newest row") == std::string::npos);

    const auto seq = test::scalar(db, "SELECT seq FROM pr_events WHERE repository = 'acme/web' AND pr_number = 2 "
                                      "AND kind = 'approved'");
    test::tamper(path, fmt::format("DELETE FROM deliveries WHERE seq = {}", seq + 1));
    const auto removed = test::get(c, "/change?repo=acme/web&pr=2").body;
    CHECK(removed.find("✗ fails verification: row " + std::to_string(seq + 1) + " after it is missing from the log") !=
          std::string::npos);
  }

  TEST_CASE("a local run has a page of its own, and an unknown change is 404") {
    Console c(test::console_options(test::console_log(test::scratch_dir("local")).string()));
    const auto a = test::get(c, "/change?repo=local/tool&run=localrun1");
    CHECK(a.status == 200);
    CHECK(a.body.find("Review run</strong> <code>localrun1</code>") != std::string::npos);
    CHECK(test::get(c, "/change?repo=acme/web&pr=99").status == 404);
  }
}

}  // namespace reviewer::console
