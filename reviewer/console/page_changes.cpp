// `/changes` and `/changes.csv`: every reviewed or merged change matching
// the filter, newest first; the CSV holds exactly the rows the filter
// selects (every page of them), in the same order.
#include <sstream>

#include <fmt/format.h>

#include "audit/console_queries.h"
#include "reviewer/console/html.h"
#include "reviewer/console/pages.h"

namespace reviewer::console {

namespace {

constexpr std::int64_t kPageSize = 50;
// A CSV past this many rows is refused: each row reads its change's
// evidence; the SQL page exports v_change_evidence whole.
constexpr std::int64_t kCsvRows = 10000;

std::string cell(const std::vector<audit::Cell>& row, std::string_view column) {
  const auto& columns = audit::change_columns();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return row[i].text;
  }
  return "";
}

std::string change_link(const std::vector<audit::Cell>& row) {
  const std::string repo = cell(row, "repository"), pr = cell(row, "pr_number"), run = cell(row, "run_id");
  if (!run.empty()) {
    return fmt::format("<a href=\"/change{}\">{} (local run {})</a>", escape(query_string({{"repo", repo}, {"run", run}})),
                       escape(repo), escape(run.substr(0, 12)));
  }
  return fmt::format("<a href=\"/change{}\">{} #{}</a>", escape(query_string({{"repo", repo}, {"pr", pr}})),
                     escape(repo), escape(pr));
}

std::string checks_text(const std::vector<audit::Cell>& row) {
  const std::string total = cell(row, "checks_total");
  if (total.empty()) return "";
  if (total == "0") return "none";
  return fmt::format("{} failed, {} pending of {}", cell(row, "checks_failed"), cell(row, "checks_pending"), total);
}

std::string reverted_text(const std::vector<audit::Cell>& row) {
  if (cell(row, "reverted") != "1") return cell(row, "merged_at").empty() ? "" : "no";
  return "by #" + cell(row, "reverted_by_pr");
}

}  // namespace

HttpAnswer changes_page(PageContext& c) {
  c.params.only({"since", "until", "repo", "approver", "decision", "reverted", "checks", "page"});
  const FilterForm form = FilterForm::parse(c.params);
  const std::int64_t page_number = integer_param("page", c.params.get("page"), 1, 1'000'000, 1);
  const auto rows = audit::console_changes(c.log(), form.filter(), (page_number - 1) * kPageSize, kPageSize);

  std::string main = filter_form(c, form, "/changes", true, "");
  main += fmt::format("<p><a href=\"/changes.csv{}\" download>Download these changes as CSV</a> (every page; "
                      "at most {} rows).</p>",
                      escape(query_string(form.pairs())), kCsvRows);
  main +=
      "<table class=\"changes\"><tr><th>change</th><th>title</th><th>author</th><th>last decision</th>"
      "<th>merged</th><th>merged by</th><th>approved by</th><th>reverted</th><th>checks</th><th>overrides</th></tr>";
  for (const auto& row : rows.rows) {
    main += fmt::format(
        "<tr><td>{}</td><td class=\"title\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>",
        change_link(row), escape(cell(row, "title")), escape(cell(row, "author")), escape(cell(row, "decision")),
        escape(cell(row, "merged_at")), escape(cell(row, "merged_by")), escape(cell(row, "approval")),
        escape(reverted_text(row)), escape(checks_text(row)), escape(cell(row, "overrides")));
  }
  main += "</table>";
  if (rows.rows.empty()) main += "<p class=\"empty\">No change matches.</p>";
  auto pairs = form.pairs();
  std::string pager;
  if (page_number > 1) {
    auto p = pairs;
    p.emplace_back("page", std::to_string(page_number - 1));
    pager += fmt::format("<a href=\"/changes{}\">← newer</a>", escape(query_string(p)));
  }
  pager += fmt::format("<span>page {}</span>", page_number);
  if (rows.truncated) {
    auto p = pairs;
    p.emplace_back("page", std::to_string(page_number + 1));
    pager += fmt::format("<a href=\"/changes{}\">older →</a>", escape(query_string(p)));
  }
  main += fmt::format("<nav class=\"pager\">{}</nav>", pager);
  return html_answer(200, page({"Changes", c.user, false}, main));
}

HttpAnswer changes_csv(PageContext& c) {
  c.params.only(kFilterNames);
  const FilterForm form = FilterForm::parse(c.params);
  const auto rows = audit::console_changes(c.log(), form.filter(), 0, kCsvRows);
  if (rows.truncated) {
    throw BadRequest(fmt::format("more than {} changes match: narrow the filter, or export v_change_evidence from "
                                 "the SQL page",
                                 kCsvRows));
  }
  std::ostringstream out;
  audit::write_table(rows, audit::Format::csv, out);
  HttpAnswer a{200, out.str(), "text/csv; charset=utf-8", false, {}};
  a.headers.emplace_back("Content-Disposition", "attachment; filename=\"changes.csv\"");
  return a;
}

}  // namespace reviewer::console
