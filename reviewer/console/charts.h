// The overview's figures from the rows console_queries.h reads: weekly
// series, revert rates with 95% Wilson score intervals, latency medians
// and 75th percentiles, and the Chart.js data the page embeds (read by
// static/console.js).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/compact_merge.h"
#include "audit/console_queries.h"

namespace reviewer::console {

// The Monday (YYYY-MM-DD) of the ISO week holding `day` (YYYY-MM-DD…);
// "" when `day` is not a date.
std::string week_of(std::string_view day);

// The day `days` days before `day` (YYYY-MM-DD…), as YYYY-MM-DD; "" when
// `day` is not a date.
std::string days_before(std::string_view day, int days);

// Counts per week and series, every week from the first to the last
// present (weeks without rows count 0).
struct WeekSeries {
  std::vector<std::string> weeks;
  std::map<std::string, std::vector<std::int64_t>> series;  // series name -> count per week
};
WeekSeries weekly(const std::vector<audit::DayCount>& days);

// k of n, with the 95% Wilson score interval (z = 1.96); all 0 when n is 0.
struct Rate {
  std::int64_t n = 0, k = 0;
  double rate = 0, low = 0, high = 0;
};
Rate wilson(std::int64_t k, std::int64_t n);

// Nearest-rank percentile (`q` in (0, 1]) of `values`; nullopt when empty.
std::optional<double> percentile(std::vector<double> values, double q);

struct Latency {
  std::size_t n = 0;
  std::optional<double> median_hours, p75_hours;
};

struct OverviewFigures {
  WeekSeries merged;     // per approval: bot, person, bot+person, none
  WeekSeries decisions;  // per decision
  WeekSeries overrides;  // one series, "/human-review"
  Rate bot, person;      // revert rate of bot-approved / person-approved merges
  // Time from opening to the approval, and to the merge, for bot- and
  // person-approved merges (bot+person counts in both, as the revert rate).
  Latency bot_to_approval, person_to_approval, bot_to_merge, person_to_merge;
  std::vector<audit::RuleCount> noisy_rules, effective_rules;
  std::int64_t merged_total = 0, runs_total = 0, overrides_total = 0;
};
OverviewFigures overview_figures(const audit::OverviewRows& rows);

// overview_figures in two steps, for merges that are not in one vector:
// the overview's summary hands its merges out one by one rather than
// copying ~100,000 of them for a request (LiveOverview::figures).
class FigureCounter {
 public:
  void add(const audit::MergedChange& m);
  // The same for a merge as the overview's summary keeps it (`odd`: its
  // original row, when kept): its times already parsed.
  void add(const audit::CompactMerge& m, const audit::MergedChange* odd);
  // The figures of the merges added and of `rest`'s other rows (its
  // `merged` is not read).
  OverviewFigures finish(const audit::OverviewRows& rest);

 private:
  // The times from opening a merge counts.
  enum class Span { to_bot_approval, to_person_approval, to_merge };
  // Counts a merge of `label` (bot, person, bot+person, none) in the rates
  // and, through `hours` (nullopt: no such time), the latencies.
  // (A template, defined in charts.cpp, its only user: no indirect call
  // per merge.)
  template <class Hours>
  void tally(std::size_t label, bool reverted, const Hours& hours);

  // Merges per day and approval (bot, person, bot+person, none), counted
  // here: the all-time overview has ~100,000 merges on a few hundred days.
  // Compact merges with plain times count by day number (days since the
  // epoch) instead, and join these in finish().
  std::unordered_map<std::string, std::array<std::int64_t, 4>> per_day_;
  std::unordered_map<std::int64_t, std::array<std::int64_t, 4>> per_day_number_;
  std::int64_t merged_ = 0, bot_n_ = 0, bot_k_ = 0, person_n_ = 0, person_k_ = 0;
  std::vector<double> bot_approval_, person_approval_, bot_merge_, person_merge_;  // hours
};

// {"charts": [{id, kind, title, labels, datasets: [{label, data}], ...}]}
// for static/console.js; one entry per canvas of the page.
nlohmann::json chart_data(const OverviewFigures& f);

}  // namespace reviewer::console
