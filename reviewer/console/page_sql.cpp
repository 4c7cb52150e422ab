// `/sql?q=…`: the read-only SQL console for the documented views (and
// tables), results as a table; `/sql.csv?q=…` the same rows as CSV. The
// statement runs in the request's read-only session (audit/readonly_session.h):
// writes, ATTACH, PRAGMAs that change anything and functions off the list
// are refused, and the refusal is shown.
#include <sstream>

#include <fmt/format.h>

#include "reviewer/console/html.h"
#include "reviewer/console/pages.h"
#include "reviewer/core/error.h"

namespace reviewer::console {

namespace {

constexpr std::size_t kShownRows = 1000;
constexpr std::size_t kSqlCsvRows = 100000;
constexpr std::size_t kMaxSql = 16 * 1024;

constexpr const char* kViews[] = {
    "v_change_evidence", "v_merged_prs",           "v_check_results", "v_merged_with_failing_checks",
    "v_merged_before_checks_completed", "v_decisions", "v_bot_approvals", "v_human_approvals", "v_overrides",
    "v_revert_rate",     "v_review_latency",       "v_review_latency_summary", "v_finding_helpfulness"};

std::string statement(const Params& p) {
  p.only({"q"});
  std::string q = p.get("q");
  if (q.size() > kMaxSql) throw BadRequest(fmt::format("the statement is longer than {} bytes", kMaxSql));
  return q;
}

std::string results(const audit::QueryTable& t) {
  std::string out = "<table class=\"results\"><tr>";
  for (const auto& c : t.columns) out += fmt::format("<th>{}</th>", escape(c));
  out += "</tr>";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (const auto& cell : row) {
      out += cell.type == 5 ? "<td class=\"null\">NULL</td>" : fmt::format("<td>{}</td>", escape(cell.text));
    }
    out += "</tr>";
  }
  out += "</table>";
  if (t.too_large) {
    out += fmt::format("<p class=\"note\">{} row{} shown: the result holds more than {} MiB of text, and the "
                       "console keeps no more; select fewer or shorter columns (substr), or fewer rows.</p>",
                       t.rows.size(), t.rows.size() == 1 ? "" : "s", audit::kMaxResultBytes >> 20);
    return out;
  }
  out += fmt::format("<p>{} row{}{}.</p>", t.rows.size(), t.rows.size() == 1 ? "" : "s",
                     t.truncated ? fmt::format(" shown (the first {}; the CSV holds up to {})", kShownRows, kSqlCsvRows)
                                 : "");
  return out;
}

}  // namespace

HttpAnswer sql_page(PageContext& c) {
  const std::string q = statement(c.params);
  std::string main =
      "<p>One read-only statement (SELECT or WITH) over the audit log. The documented views "
      "(audit/README.md):</p><ul class=\"views\">";
  for (const char* v : kViews) {
    main += fmt::format("<li><a href=\"/sql{}\">{}</a></li>",
                        escape(query_string({{"q", fmt::format("SELECT * FROM {} LIMIT 100", v)}})), v);
  }
  main += fmt::format(
      "</ul><form method=\"get\" action=\"/sql\" class=\"sql\"><textarea name=\"q\" rows=\"6\" cols=\"100\" "
      "spellcheck=\"false\">{}</textarea><button type=\"submit\">Run</button></form>",
      escape(q));
  if (!q.empty()) {
    try {
      const auto table = c.session().user_query(q, kShownRows);
      main += fmt::format("<p><a href=\"/sql.csv{}\" download>Download as CSV</a></p>",
                          escape(query_string({{"q", q}})));
      main += results(table);
    } catch (const Error& e) {
      if (e.code() != Error::Code::usage && e.code() != Error::Code::timeout) throw;
      main += fmt::format("<p class=\"error\">Refused: {}</p>", escape(e.what()));
      return html_answer(400, page({"SQL", c.user, false}, main));
    }
  }
  return html_answer(200, page({"SQL", c.user, false}, main));
}

HttpAnswer sql_csv(PageContext& c) {
  const std::string q = statement(c.params);
  if (q.empty()) throw BadRequest("q is required: the statement to run");
  audit::QueryTable table;
  try {
    table = c.session().user_query(q, kSqlCsvRows);
  } catch (const Error& e) {
    if (e.code() != Error::Code::usage && e.code() != Error::Code::timeout) throw;
    throw BadRequest(fmt::format("refused: {}", e.what()));
  }
  if (table.too_large) {
    throw BadRequest(fmt::format("more than {} MiB of text: narrow the statement", audit::kMaxResultBytes >> 20));
  }
  if (table.truncated) throw BadRequest(fmt::format("more than {} rows: narrow the statement", kSqlCsvRows));
  std::ostringstream out;
  audit::write_table(table, audit::Format::csv, out);
  HttpAnswer a{200, out.str(), "text/csv; charset=utf-8", false, {}};
  a.headers.emplace_back("Content-Disposition", "attachment; filename=\"query.csv\"");
  return a;
}

}  // namespace reviewer::console
