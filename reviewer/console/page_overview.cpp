// `/`: the overview of a period and repositories, as charts (drawn by
// static/console.js from the JSON block) and the figures behind them.
#include <optional>

#include <fmt/format.h>

#include "reviewer/console/charts.h"
#include "reviewer/console/html.h"
#include "reviewer/console/pages.h"

namespace reviewer::console {

namespace {

// The default period: this many days up to the log's latest activity.
constexpr int kRecentDays = 90;

std::string percent(double v) { return fmt::format("{:.1f}%", v * 100); }

std::string hours_text(const std::optional<double>& h) { return h ? fmt::format("{:.1f} h", *h) : "—"; }

std::string rate_row(const char* label, const Rate& r) {
  return fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td></tr>", label, r.n, r.k,
                     percent(r.rate), percent(r.low), percent(r.high));
}

std::string latency_row(const char* label, const Latency& approval, const Latency& merge) {
  return fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", label,
                     approval.n, hours_text(approval.median_hours), hours_text(approval.p75_hours),
                     hours_text(merge.median_hours), hours_text(merge.p75_hours));
}

std::string rule_table(const char* caption, const char* what, const std::vector<audit::RuleCount>& rules,
                       bool votes) {
  if (rules.empty()) return fmt::format("<p class=\"empty\">{}: none in this period.</p>", caption);
  std::string out = fmt::format("<table><caption>{}</caption><tr><th>rule</th><th>{}</th>{}</tr>", caption, what,
                                votes ? "<th>helpful votes</th>" : "");
  for (const auto& r : rules) {
    out += fmt::format("<tr><td>{}</td><td>{}</td>{}</tr>", escape(r.rule), r.count,
                       votes ? fmt::format("<td>{}</td>", r.other) : "");
  }
  return out + "</table>";
}

}  // namespace

HttpAnswer overview_page(PageContext& c) {
  std::vector<std::string_view> names(kFilterNames.begin(), kFilterNames.end());
  names.push_back("period");
  c.params.only(names);
  FilterForm form = FilterForm::parse(c.params);
  const bool all_time = c.params.get("period") == "all";
  if (!all_time && c.params.get("period") != "") throw BadRequest("period is 'all' or absent");
  // Without dates, the quarter up to the log's latest activity: the period
  // an auditor usually samples, and a bounded amount of work.
  const bool recent = form.since.empty() && form.until.empty() && !all_time;
  if (recent) {
    const std::string latest = audit::console_latest_activity(c.log());
    if (!latest.empty()) {
      form.since = days_before(latest, kRecentDays - 1);
      form.until = latest.substr(0, 10);
    }
  }
  const auto filter = form.filter();
  OverviewFigures figures;
  if (c.live) {
    audit::ChainHead head;
    figures = c.live->figures(c.session(), filter, head);
  } else {
    const auto head = audit::read_head(c.log(), c.log().chained_tables());
    std::string key = fmt::format("{} {} {} {}", head.seq, head.hash, filter.since, filter.until);
    for (const auto& r : filter.repositories) key += fmt::format(" {}:{}", r.size(), r);
    auto rows = c.overviews.find(key);
    if (!rows) {
      rows = audit::console_overview(c.log(), filter);
      c.overviews.put(key, *rows);
    }
    figures = overview_figures(*rows);
  }
  const auto charts = chart_data(figures);

  std::string main = filter_form(
      c, form, "/", false,
      fmt::format("<label class=\"check\"><input type=\"checkbox\" name=\"period\" value=\"all\"{}> all time</label>",
                  all_time ? " checked" : ""));
  if (recent && !form.since.empty()) {
    main += fmt::format("<p class=\"note\">The {} days up to the latest activity in the log. "
                        "<a href=\"/?period=all\">All time</a>.</p>",
                        kRecentDays);
  }
  main += fmt::format(
      "<p class=\"totals\">{} changes merged, {} review runs, {} <code>/human-review</code> requests in this "
      "period. <a href=\"/changes{}\">List the changes</a>.</p>",
      figures.merged_total, figures.runs_total, figures.overrides_total, escape(query_string(form.pairs())));
  main += "<div class=\"charts\">";
  for (const auto& chart : charts["charts"]) {
    const std::string id = chart["id"];
    main += fmt::format("<figure><figcaption>{}</figcaption><canvas id=\"chart-{}\" data-chart=\"{}\" "
                        "role=\"img\" aria-label=\"{}\"></canvas></figure>",
                        escape(chart["title"].get<std::string>()), escape(id), escape(id),
                        escape(chart["title"].get<std::string>()));
  }
  if (charts["charts"].empty()) main += "<p class=\"empty\">Nothing was recorded in this period.</p>";
  main += "</div>";
  main += fmt::format(
      "<table><caption>Revert rate by approval (a change both approved counts in both rows; 95% Wilson score "
      "interval)</caption><tr><th></th><th>merged</th><th>reverted</th><th>rate</th><th>95% interval</th></tr>"
      "{}{}</table>",
      rate_row("bot-approved", figures.bot), rate_row("person-approved", figures.person));
  main += fmt::format(
      "<table><caption>Time from opening (nearest-rank median and 75th percentile)</caption><tr><th></th>"
      "<th>changes</th><th>to approval: median</th><th>p75</th><th>to merge: median</th><th>p75</th></tr>{}{}"
      "</table>",
      latency_row("bot-approved", figures.bot_to_approval, figures.bot_to_merge),
      latency_row("person-approved", figures.person_to_approval, figures.person_to_merge));
  main += rule_table("Noisiest rules", "unhelpful votes", figures.noisy_rules, true);
  main += rule_table("Most effective rules", "later-reverted changes it fired on", figures.effective_rules, false);
  main += fmt::format("<script type=\"application/json\" id=\"console-charts\">{}</script>", script_json(charts));
  return html_answer(200, page({"Overview", c.user, true}, main));
}

}  // namespace reviewer::console
