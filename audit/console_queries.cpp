#include "audit/console_queries.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "audit/embedded_sql.h"
#include "audit/render.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

std::string_view console_sql(std::string_view name) {
  for (const auto& [file, text] : embedded_console_queries()) {
    if (file == name) return text;
  }
  throw Error(Error::Code::internal, fmt::format("audit/console/{} is not in this build", name));
}

namespace {

// The query `name` with `{repos COLUMN}` turned into the repository filter
// and `{prs ALIAS}` into the pull request filter (1 = 1 when `prs` is
// null), their parameters appended to `params`.
std::string console_query(std::string_view name, const ConsoleFilter& f, std::vector<Value>& params,
                          const std::vector<ChangeKey>* prs = nullptr) {
  std::string sql(console_sql(name));
  for (auto at = sql.find("{repos "); at != std::string::npos; at = sql.find("{repos ", at)) {
    const auto end = sql.find('}', at);
    const std::string column = sql.substr(at + 7, end - at - 7);
    std::string in;
    for (const auto& repo : f.repositories) {
      params.emplace_back(repo);
      in += fmt::format("{}?{}", in.empty() ? "" : ", ", params.size());
    }
    const std::string clause = in.empty() ? "1 = 1" : fmt::format("{} IN ({})", column, in);
    sql.replace(at, end + 1 - at, clause);
    at += clause.size();
  }
  for (auto at = sql.find("{prs "); at != std::string::npos; at = sql.find("{prs ", at)) {
    const auto end = sql.find('}', at);
    const std::string alias = sql.substr(at + 5, end - at - 5);
    // One term per repository, `repository = ? AND pr_number IN (...)`:
    // SQLite probes an index per term of the OR, where a row-value IN list
    // of (repository, pr_number) pairs scanned the whole index.
    std::string clause = prs ? "" : "1 = 1";
    if (prs) {
      std::map<std::string_view, std::vector<std::int64_t>> by_repo;
      for (const auto& k : *prs) by_repo[k.repository].push_back(k.pr_number);
      for (const auto& [repo, numbers] : by_repo) {
        params.emplace_back(std::string(repo));
        std::string in;
        for (const auto n : numbers) {
          params.emplace_back(n);
          in += fmt::format("{}?{}", in.empty() ? "" : ", ", params.size());
        }
        clause += fmt::format("{}({}.repository = ?{} AND {}.pr_number IN ({}))", clause.empty() ? "" : " OR ",
                              alias, params.size() - numbers.size(), alias, in);
      }
      clause = clause.empty() ? "1 = 0" : "(" + clause + ")";
    }
    sql.replace(at, end + 1 - at, clause);
    at += clause.size();
  }
  return sql;
}

std::string text_of(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  return "";
}

// Integers come as integers, and as decimal text where PostgreSQL widens
// them (numeric sums).
std::int64_t int_of(const Value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  std::int64_t out = 0;
  if (const auto* s = std::get_if<std::string>(&v)) std::from_chars(s->data(), s->data() + s->size(), out);
  return out;
}

// A row of overview_merged.sql (and of the queries with its columns).
MergedChange merged_change(const LogRow& r) {
  return {text_of(r.values[0]), text_of(r.values[1]), int_of(r.values[2]) != 0, text_of(r.values[3]),
          text_of(r.values[4]), text_of(r.values[5])};
}

std::vector<DayCount> day_counts(LogReader& log, std::string_view name, const ConsoleFilter& f, bool labelled) {
  std::vector<Value> params{f.since, f.until};
  const std::string sql = console_query(name, f, params);
  std::vector<DayCount> out;
  log.each(sql, params, [&](const LogRow& r) {
    out.push_back({text_of(r.values[0]), labelled ? text_of(r.values[1]) : "", int_of(r.values.back())});
  });
  return out;
}

std::vector<RuleCount> rule_counts(LogReader& log, std::string_view name, const ConsoleFilter& f) {
  std::vector<Value> params{f.since, f.until};
  const std::string sql = console_query(name, f, params);
  std::vector<RuleCount> out;
  log.each(sql, params, [&](const LogRow& r) {
    out.push_back({text_of(r.values[0]), int_of(r.values[1]), r.values.size() > 2 ? int_of(r.values[2]) : 0});
  });
  return out;
}

}  // namespace

std::vector<std::string> console_repositories(LogReader& log) {
  std::vector<std::string> out;
  log.each(console_sql("repositories.sql"), {}, [&](const LogRow& r) { out.push_back(text_of(r.values[0])); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string console_latest_activity(LogReader& log) {
  std::string latest;
  log.each(console_sql("latest_activity.sql"), {}, [&](const LogRow& r) { latest = text_of(r.values[0]); });
  return latest;
}

OverviewRows console_overview(LogReader& log, const ConsoleFilter& f, MergedPlan plan) {
  OverviewRows o;
  std::vector<Value> params{f.since, f.until};
  const std::string merged = console_query(
      plan == MergedPlan::via_view ? "overview_merged_view.sql" : "overview_merged.sql", f, params);
  log.each(merged, params, [&](const LogRow& r) { o.merged.push_back(merged_change(r)); });
  o.decisions = day_counts(log, "overview_decisions.sql", f, true);
  o.overrides = day_counts(log, "overview_overrides.sql", f, false);
  o.noisy_rules = rule_counts(log, "overview_noisy_rules.sql", f);
  o.effective_rules = rule_counts(log, "overview_effective_rules.sql", f);
  return o;
}

void each_overview_merge(LogReader& log, const std::vector<ChangeKey>* prs,
                         const std::function<void(const ChangeKey&, MergedChange)>& row) {
  const ConsoleFilter all;
  std::vector<Value> params{all.since, all.until};
  const std::string sql = console_query("overview_merged.sql", all, params, prs);
  log.each(sql, params, [&](const LogRow& r) { row({text_of(r.values[6]), int_of(r.values[7]), ""}, merged_change(r)); });
}

void each_reverted_rule_run(LogReader& log, const std::vector<ChangeKey>* prs,
                            const std::function<void(const ChangeKey&, std::string rule, std::string started_at)>& row) {
  std::vector<Value> params;
  // PostgreSQL hashes every run and finding for the join (~190 ms of CPU on
  // the 100,000-change log), where probing from each reverted pull request
  // takes ~70 ms; SQLite probes either way.
  const bool postgres = log.backend() == LogReader::Backend::postgres;
  const std::string sql = console_query(
      postgres ? "overview_effective_rules_by_pr_postgres.sql" : "overview_effective_rules_by_pr.sql", {}, params, prs);
  log.each(sql, params, [&](const LogRow& r) {
    row({text_of(r.values[0]), int_of(r.values[1]), ""}, text_of(r.values[2]), text_of(r.values[3]));
  });
}

const std::vector<std::string>& change_columns() {
  static const std::vector<std::string> columns = {
      "repository", "pr_number",  "run_id",   "title",          "author",        "opened_at",     "last_run_at",
      "runs",       "decision",   "mode",     "merged_at",      "merged_by",     "merge_sha",     "approval",
      "reverted",   "reverted_by_pr", "checks_total", "checks_failed", "checks_pending", "overrides"};
  return columns;
}

QueryTable console_changes(LogReader& log, const ConsoleFilter& f, std::int64_t offset, std::int64_t limit) {
  std::vector<Value> params{f.since, f.until, f.decision, f.approver, f.reverted, f.checks, limit + 1, offset};
  const std::string keys_sql = console_query("changes.sql", f, params);
  struct Key {
    ChangeKey key;
    Value last_seq;
  };
  std::vector<Key> keys;
  log.each(keys_sql, params, [&](const LogRow& r) {
    keys.push_back({{text_of(r.values[0]), int_of(r.values[1]), text_of(r.values[2])}, r.values[3]});
  });
  QueryTable t;
  t.columns = change_columns();
  t.truncated = static_cast<std::int64_t>(keys.size()) > limit;
  if (t.truncated) keys.pop_back();
  const auto& columns = change_columns();
  for (const auto& k : keys) {
    std::vector<Value> row(columns.size());
    auto set = [&](std::string_view column, const Value& v) {
      const auto at = std::find(columns.begin(), columns.end(), column) - columns.begin();
      row[static_cast<std::size_t>(at)] = v;
    };
    set("repository", k.key.repository);
    set("pr_number", k.key.pr_number);
    set("run_id", k.key.run_id);
    if (!std::holds_alternative<std::monostate>(k.last_seq)) {
      log.each(console_sql("change_run.sql"), {k.last_seq, k.key.repository, k.key.pr_number, k.key.run_id},
               [&](const LogRow& r) {
                 set("title", r.values[0]);
                 set("author", r.values[1]);
                 set("decision", r.values[2]);
                 set("mode", r.values[3]);
                 set("last_run_at", r.values[4]);
                 set("runs", int_of(r.values[5]));
               });
    }
    if (k.key.pr_number > 0) {
      // The merged change's evidence row; its title is the pull request's
      // latest, so it wins over the run's.
      static constexpr const char* kEvidence[] = {"title",          "author",        "opened_at",     "merged_at",
                                                  "merged_by",      "merge_sha",     "approval",      "reverted",
                                                  "reverted_by_pr", "checks_total",  "checks_failed", "checks_pending",
                                                  "overrides"};
      log.each(console_sql("change_row.sql"), {k.key.repository, k.key.pr_number}, [&](const LogRow& r) {
        for (std::size_t i = 0; i < std::size(kEvidence); ++i) {
          if (!std::holds_alternative<std::monostate>(r.values[i])) set(kEvidence[i], r.values[i]);
        }
      });
    }
    auto& cells = t.rows.emplace_back();
    for (const auto& v : row) cells.push_back(cell_of(v));
  }
  return t;
}

std::vector<ChangeKey> sample_population(LogReader& log, const ConsoleFilter& f) {
  std::vector<Value> params{f.since, f.until, f.approver};
  const std::string sql = console_query("sample_population.sql", f, params);
  std::vector<ChangeKey> out;
  log.each(sql, params, [&](const LogRow& r) { out.push_back({text_of(r.values[0]), int_of(r.values[1]), ""}); });
  std::sort(out.begin(), out.end(), [](const ChangeKey& a, const ChangeKey& b) {
    return a.repository != b.repository ? a.repository < b.repository : a.pr_number < b.pr_number;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const ChangeKey& a, const ChangeKey& b) {
                          return a.repository == b.repository && a.pr_number == b.pr_number;
                        }),
            out.end());
  return out;
}

}  // namespace reviewer::audit
