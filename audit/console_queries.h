// The auditor console's reads (`reviewer audit serve`, reviewer/console/):
// the SQL of audit/console/*.sql run through a LogReader, so the same
// queries serve SQLite and PostgreSQL. Everything here reads; the rows
// come back as the queries return them, and the console aggregates,
// renders and draws.
//
// Errors: reviewer::Error from the database (a missing view on a log this
// build never migrated, a timeout).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/log_reader.h"
#include "audit/query.h"

namespace reviewer::audit {

// Which changes a page is about. Every field is validated by the caller
// (the console answers 400 otherwise); '' means any.
struct ConsoleFilter {
  std::string since = "0000-01-01T00:00:00Z";  // first second of the period (YYYY-MM-DDTHH:MM:SSZ)
  std::string until = "9999-12-31T23:59:59Z";  // last second, inclusive
  std::vector<std::string> repositories;       // empty: all
  std::string approver;  // bot (alone or with a person) | person (alone or with the bot) | none
  std::string decision;  // approve | comment | request_changes | needs_human (the latest run's)
  std::string reverted;  // yes | no
  std::string checks;    // failed | pending | passed | none
};

// Every repository named by a review run or a pull request event, sorted
// by bytes.
std::vector<std::string> console_repositories(LogReader& log);

// The time of the newest pull request event or review run ("" for an
// empty log): where the overview's default period ends.
std::string console_latest_activity(LogReader& log);

// One merge of the overview's period (overview_merged.sql).
struct MergedChange {
  std::string merged_at;
  std::string approval;  // bot | human | bot+human | none (v_merged_prs)
  bool reverted = false;
  std::string opened_at, person_approved_at, bot_approved_at;  // "" when none
};

struct DayCount {
  std::string day;    // YYYY-MM-DD
  std::string label;  // the decision (decisions); "" (overrides)
  std::int64_t count = 0;
};

struct RuleCount {
  std::string rule;
  std::int64_t count = 0;  // unhelpful votes, or reverted changes it fired on
  std::int64_t other = 0;  // helpful votes (noisy rules); 0 otherwise
};

struct OverviewRows {
  std::vector<MergedChange> merged;
  std::vector<DayCount> decisions;
  std::vector<DayCount> overrides;
  std::vector<RuleCount> noisy_rules;      // most unhelpful votes first
  std::vector<RuleCount> effective_rules;  // fired on the most later-reverted changes first
};

// How the overview reads its merges; both give the same rows (in no set
// order). indexed: overview_merged.sql, a few covering-index probes per
// merge (migration 008). via_view: overview_merged_view.sql, the same over
// v_merged_prs (table rows read per merge, about twice the time), kept as
// the reference the tests and console_bench hold `indexed` to.
enum class MergedPlan { indexed, via_view };

// The overview's rows for the filter's period and repositories (the
// other filter fields are not used).
OverviewRows console_overview(LogReader& log, const ConsoleFilter& f, MergedPlan plan = MergedPlan::indexed);

// A change: a pull request (run_id "") or a local run (pr_number 0).
struct ChangeKey {
  std::string repository;
  std::int64_t pr_number = 0;
  std::string run_id;
};

// For the overview's summary (overview_summary.h), the rows behind
// console_overview of some pull requests (`prs`; null: every one), all
// time, in no set order:
// - every merge of those pull requests, as console_overview gives it
//   (overview_merged.sql), with its pull request;
// - each rule that fired on a run of one of them that is reverted, with
//   the run's start (overview_effective_rules_by_pr.sql): what
//   overview_effective_rules.sql counts.
void each_overview_merge(LogReader& log, const std::vector<ChangeKey>* prs,
                         const std::function<void(const ChangeKey&, MergedChange)>& row);
void each_reverted_rule_run(LogReader& log, const std::vector<ChangeKey>* prs,
                            const std::function<void(const ChangeKey&, std::string rule, std::string started_at)>& row);

// The text of audit/console/`name` as this build embeds it; throws
// Error(internal) for a name it does not hold.
std::string_view console_sql(std::string_view name);

// The Changes page's columns, in order (the CSV's header).
const std::vector<std::string>& change_columns();

// The changes matching `f`, newest first: `limit` rows from `offset`,
// as change_columns(). `limit` + 1 are read so `truncated` says whether
// more follow.
QueryTable console_changes(LogReader& log, const ConsoleFilter& f, std::int64_t offset, std::int64_t limit);

// The sample's population (sample_population.sql): merged pull requests in
// the filter's period, repositories and approver type, sorted by
// (repository bytes, pr_number), each once.
std::vector<ChangeKey> sample_population(LogReader& log, const ConsoleFilter& f);

}  // namespace reviewer::audit
