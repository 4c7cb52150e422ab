#include "reviewer/console/charts.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "reviewer/core/utc_time.h"

namespace reviewer::console {

namespace {

using std::chrono::sys_days;

std::optional<sys_days> day_of(std::string_view day) {
  if (day.size() < 10) return std::nullopt;
  const auto t = parse_utc_iso8601(std::string(day.substr(0, 10)) + "T00:00:00Z");
  if (!t) return std::nullopt;
  return std::chrono::floor<std::chrono::days>(*t);
}

std::string day_text(sys_days d) {
  const std::chrono::year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

Latency latency(const std::vector<double>& hours) {
  return {hours.size(), percentile(hours, 0.5), percentile(hours, 0.75)};
}

nlohmann::json week_chart(const char* id, const char* title, const WeekSeries& w,
                          const std::vector<std::string>& order) {
  nlohmann::json datasets = nlohmann::json::array();
  for (const auto& name : order) {
    if (auto it = w.series.find(name); it != w.series.end()) datasets.push_back({{"label", name}, {"data", it->second}});
  }
  for (const auto& [name, data] : w.series) {
    if (std::find(order.begin(), order.end(), name) == order.end()) {
      datasets.push_back({{"label", name}, {"data", data}});
    }
  }
  return {{"id", id}, {"kind", "stacked"}, {"title", title}, {"labels", w.weeks}, {"datasets", datasets}};
}

nlohmann::json rounded(double v) { return std::round(v * 100) / 100; }

nlohmann::json hours(const std::optional<double>& v) { return v ? rounded(*v) : nlohmann::json(nullptr); }

}  // namespace

std::string week_of(std::string_view day) {
  const auto d = day_of(day);
  if (!d) return "";
  const std::chrono::weekday wd{*d};
  return day_text(*d - (wd - std::chrono::Monday));
}

std::string days_before(std::string_view day, int days) {
  const auto d = day_of(day);
  return d ? day_text(*d - std::chrono::days(days)) : "";
}

WeekSeries weekly(const std::vector<audit::DayCount>& days) {
  // A log's rows fall on few distinct days: count per (day, series) first,
  // then find each day's week once.
  std::map<std::pair<std::string, std::string>, std::int64_t> per_day;
  for (const auto& d : days) per_day[{d.day.substr(0, 10), d.label}] += d.count;
  std::map<std::string, std::optional<sys_days>> monday;
  for (const auto& [key, n] : per_day) monday.try_emplace(key.first, day_of(week_of(key.first)));
  WeekSeries w;
  std::optional<sys_days> first, last;
  for (const auto& [day, m] : monday) {
    if (!m) continue;
    if (!first || *m < *first) first = m;
    if (!last || *m > *last) last = m;
  }
  if (!first) return w;
  for (auto d = *first; d <= *last; d += std::chrono::days(7)) w.weeks.push_back(day_text(d));
  for (const auto& [key, n] : per_day) {
    const auto& m = monday[key.first];
    if (!m) continue;
    auto& series = w.series[key.second];
    series.resize(w.weeks.size());
    series[static_cast<std::size_t>((*m - *first).count() / 7)] += n;
  }
  return w;
}

Rate wilson(std::int64_t k, std::int64_t n) {
  Rate r{n, k, 0, 0, 0};
  if (n <= 0) return r;
  constexpr double z = 1.96;
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn;
  const double denom = 1 + z * z / nn;
  const double center = (p + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
  r.rate = p;
  r.low = std::max(0.0, center - half);
  r.high = std::min(1.0, center + half);
  return r;
}

std::optional<double> percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  // The value a full sort puts at that rank, without sorting the rest.
  const auto at = values.begin() + static_cast<std::ptrdiff_t>(std::clamp<std::size_t>(rank, 1, values.size()) - 1);
  std::nth_element(values.begin(), at, values.end());
  return *at;
}

namespace {

// The label a merge counts under in the merged chart: bot, person,
// bot+person, none (anything else counts as none).
constexpr std::size_t kBot = 0, kPerson = 1, kBoth = 2, kNoApproval = 3;
bool by_bot(std::size_t label) { return label == kBot || label == kBoth; }
bool by_person(std::size_t label) { return label == kPerson || label == kBoth; }

}  // namespace

template <class Hours>
void FigureCounter::tally(std::size_t label, bool reverted, const Hours& hours) {
  const auto add = [&](std::vector<double>& v, Span span) {
    const auto h = hours(span);
    if (h && *h >= 0) v.push_back(*h);
  };
  ++merged_;
  if (by_bot(label)) {
    ++bot_n_;
    bot_k_ += reverted;
    add(bot_approval_, Span::to_bot_approval);
    add(bot_merge_, Span::to_merge);
  }
  if (by_person(label)) {
    ++person_n_;
    person_k_ += reverted;
    add(person_approval_, Span::to_person_approval);
    add(person_merge_, Span::to_merge);
  }
}

void FigureCounter::add(const audit::MergedChange& m) {
  const std::size_t label = m.approval == "bot"         ? kBot
                            : m.approval == "human"     ? kPerson
                            : m.approval == "bot+human" ? kBoth
                                                        : kNoApproval;
  ++per_day_[m.merged_at.substr(0, 10)][label];
  const auto opened = m.opened_at.empty() ? std::nullopt : parse_utc_iso8601(m.opened_at);
  tally(label, m.reverted, [&](Span span) -> std::optional<double> {
    const auto& to = span == Span::to_merge            ? m.merged_at
                     : span == Span::to_bot_approval   ? m.bot_approved_at
                                                       : m.person_approved_at;
    if (!opened || to.empty()) return std::nullopt;
    const auto t = parse_utc_iso8601(to);
    if (!t) return std::nullopt;
    return std::chrono::duration<double>(*t - *opened).count() / 3600.0;
  });
}

void FigureCounter::add(const audit::CompactMerge& m, const audit::MergedChange* odd) {
  using Approval = audit::CompactMerge::Approval;
  constexpr auto kNone = audit::CompactMerge::kNone;
  const std::size_t label = m.approval == Approval::bot         ? kBot
                            : m.approval == Approval::human     ? kPerson
                            : m.approval == Approval::bot_human ? kBoth
                                                                : kNoApproval;
  // The full computation's day is the text's first ten characters; a plain
  // time's text is its seconds' (compact_merge.h).
  if (odd) {
    ++per_day_[odd->merged_at.substr(0, 10)][label];
  } else {
    const std::chrono::sys_seconds at{std::chrono::seconds(m.merged_at)};
    ++per_day_number_[std::chrono::floor<std::chrono::days>(at).time_since_epoch().count()][label];
  }
  tally(label, m.reverted, [&](Span span) -> std::optional<double> {
    const auto to = span == Span::to_merge            ? m.merged_at
                    : span == Span::to_bot_approval   ? m.bot_approved_at
                                                      : m.person_approved_at;
    if (m.opened_at == kNone || to == kNone) return std::nullopt;
    // As add(MergedChange): seconds as a double, then hours.
    return std::chrono::duration<double>(std::chrono::seconds(to - m.opened_at)).count() / 3600.0;
  });
}

OverviewFigures FigureCounter::finish(const audit::OverviewRows& rows) {
  constexpr std::array<const char*, 4> kLabels{"bot", "person", "bot+person", "none"};
  OverviewFigures f;
  for (const auto& [day, counts] : per_day_number_) {
    auto& to = per_day_[day_text(sys_days(std::chrono::days(day)))];
    for (std::size_t i = 0; i < counts.size(); ++i) to[i] += counts[i];
  }
  per_day_number_.clear();
  std::vector<audit::DayCount> merged_days;
  for (const auto& [day, counts] : per_day_) {
    for (std::size_t i = 0; i < kLabels.size(); ++i) {
      if (counts[i] > 0) merged_days.push_back({day, kLabels[i], counts[i]});
    }
  }
  f.merged_total = merged_;
  f.merged = weekly(merged_days);
  f.decisions = weekly(rows.decisions);
  auto overrides = rows.overrides;
  for (auto& o : overrides) o.label = "/human-review";
  f.overrides = weekly(overrides);
  for (const auto& d : rows.decisions) f.runs_total += d.count;
  for (const auto& o : rows.overrides) f.overrides_total += o.count;
  f.bot = wilson(bot_k_, bot_n_);
  f.person = wilson(person_k_, person_n_);
  f.bot_to_approval = latency(bot_approval_);
  f.person_to_approval = latency(person_approval_);
  f.bot_to_merge = latency(bot_merge_);
  f.person_to_merge = latency(person_merge_);
  f.noisy_rules = rows.noisy_rules;
  f.effective_rules = rows.effective_rules;
  return f;
}

OverviewFigures overview_figures(const audit::OverviewRows& rows) {
  FigureCounter counter;
  for (const auto& m : rows.merged) counter.add(m);
  return counter.finish(rows);
}

nlohmann::json chart_data(const OverviewFigures& f) {
  nlohmann::json charts = nlohmann::json::array();
  if (!f.merged.weeks.empty()) {
    charts.push_back(week_chart("merged", "Changes merged per week, by approval", f.merged,
                                {"bot", "person", "bot+person", "none"}));
  }
  if (!f.decisions.weeks.empty()) {
    charts.push_back(week_chart("decisions", "Review decisions per week", f.decisions,
                                {"approve", "comment", "request_changes", "needs_human"}));
  }
  if (f.bot.n + f.person.n > 0) {
    charts.push_back({{"id", "revert-rate"},
                      {"kind", "interval"},
                      {"title", "Revert rate (%), with its 95% interval"},
                      {"labels", {"bot-approved", "person-approved"}},
                      {"datasets",
                       {{{"label", "revert rate"}, {"data", {rounded(f.bot.rate * 100), rounded(f.person.rate * 100)}}},
                        {{"label", "95% interval"},
                         {"data",
                          {{rounded(f.bot.low * 100), rounded(f.bot.high * 100)},
                           {rounded(f.person.low * 100), rounded(f.person.high * 100)}}}}}}});
  }
  if (f.bot_to_merge.n + f.person_to_merge.n > 0) {
    charts.push_back(
        {{"id", "latency"},
         {"kind", "grouped"},
         {"title", "Hours from opening to approval and to merge"},
         {"labels", {"opened → approval", "opened → merge"}},
         {"datasets",
          {{{"label", "bot: median"}, {"data", {hours(f.bot_to_approval.median_hours), hours(f.bot_to_merge.median_hours)}}},
           {{"label", "bot: p75"}, {"data", {hours(f.bot_to_approval.p75_hours), hours(f.bot_to_merge.p75_hours)}}},
           {{"label", "person: median"},
            {"data", {hours(f.person_to_approval.median_hours), hours(f.person_to_merge.median_hours)}}},
           {{"label", "person: p75"},
            {"data", {hours(f.person_to_approval.p75_hours), hours(f.person_to_merge.p75_hours)}}}}}});
  }
  if (!f.overrides.weeks.empty()) {
    charts.push_back(week_chart("overrides", "/human-review requests per week", f.overrides, {"/human-review"}));
  }
  auto rule_chart = [&](const char* id, const char* title, const char* label,
                        const std::vector<audit::RuleCount>& rules) {
    if (rules.empty()) return;
    nlohmann::json labels = nlohmann::json::array(), data = nlohmann::json::array();
    for (const auto& r : rules) {
      labels.push_back(r.rule);
      data.push_back(r.count);
    }
    charts.push_back({{"id", id}, {"kind", "horizontal"}, {"title", title}, {"labels", labels},
                      {"datasets", {{{"label", label}, {"data", data}}}}});
  };
  rule_chart("noisy-rules", "Noisiest rules (unhelpful votes)", "unhelpful votes", f.noisy_rules);
  rule_chart("effective-rules", "Most effective rules (fired on changes later reverted)", "reverted changes",
             f.effective_rules);
  return {{"charts", charts}};
}

}  // namespace reviewer::console
