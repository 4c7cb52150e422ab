// The overview summary's tests' helpers (test_console_overview_summary.cpp,
// test_console_summary_cache.cpp): `reviewer demo`'s history with batches of
// rows appended on top, and the comparison of a summary's rows with a fresh
// full computation (console_overview) for several filters.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "audit/audit_fixtures.h"
#include "audit/overview_summary.h"
#include "audit/store.h"
#include "reviewer/cli/demo_history.h"
#include "reviewer/console/charts.h"
#include "support/testutil.h"

namespace reviewer::console::summary_test {

inline constexpr const char* kRepos[] = {"acme/payments", "acme/web", "acme/infra"};

struct OldMerge {
  std::string repo, head, at;
  std::int64_t pr = 0;
};

// Batch `b` of rows on top of the log read through `log`: each kind of row
// that can change an older merge's figures, and new merges.
inline void append_batch(audit::AuditStore& s, audit::LogReader& log, int b) {
  std::vector<OldMerge> old;
  log.each("SELECT repository, pr_number, head_sha, at FROM pr_events WHERE kind = 'merged' AND pr_number % 7 = ?1 "
           "ORDER BY seq LIMIT 14",
           {std::int64_t{b % 7}}, [&](const audit::LogRow& r) {
             old.push_back({std::get<std::string>(r.values[0]), std::get<std::string>(r.values[2]),
                            std::get<std::string>(r.values[3]), std::get<std::int64_t>(r.values[1])});
           });
  REQUIRE(old.size() >= 10);
  const std::string late = fmt::format("2026-{:02}-15T12:00:00Z", 4 + b % 8);  // after the demo's nine months
  for (std::size_t i = 0; i < old.size(); ++i) {
    const auto& m = old[i];
    const std::string id = fmt::format("summary-{}-{}", b, i);
    switch (i % 9) {
      case 0:  // a person approves after the merge
        s.record_pr_event({m.repo, m.pr, "approved", "zed", m.head, "", 0, "", late});
        break;
      case 1:  // a shadow run on the merged head after the merge: no longer the bot's approval
        s.record_review(test::webhook_run(id, m.repo, m.pr, m.head, late, DecisionKind::comment, Mode::shadow, 0));
        break;
      case 2:  // an active approve on the merged head after the merge: now the bot's
        s.record_review(test::webhook_run(id, m.repo, m.pr, m.head, late, DecisionKind::approve, Mode::active, 0));
        break;
      case 3:  // merged a second time
        s.record_pr_event({m.repo, m.pr, "merged", "zed", m.head, std::string(40, 'f'), 0, "", late});
        break;
      case 4:  // reverted, then a run with findings on it, in the demo's months
        s.record_pr_event({m.repo, m.pr, "reverted", "", m.head, "", 9999, "", late});
        s.record_review(test::webhook_run(id, m.repo, m.pr, m.head, m.at, DecisionKind::comment, Mode::active, 3));
        break;
      case 5:  // a /human-review request and a vote on the merge's day
        s.record_override({m.repo, m.pr, "human_review", "zed", id, m.at});
        s.record_feedback({m.repo, m.pr, "f" + id, fmt::format("test/rule-{}", b), "zed", false, id, m.at});
        break;
      case 6:  // a failing check after the merge (not an overview figure: must change nothing)
        s.record_check_results({{m.repo, m.pr, m.head, "check_run", "test", "github-actions", "failure",
                                 "https://ci.example.com/x", late, late, "check_suite"}});
        break;
      case 7:  // an earlier active approve on another head: the first bot approval
        s.record_review(test::webhook_run(id, m.repo, m.pr, std::string(40, 'e'), "2025-06-01T00:00:00Z",
                                    DecisionKind::approve, Mode::active, 0));
        break;
      default:  // reverted again
        s.record_pr_event({m.repo, m.pr, "reverted", "", m.head, "", 9998, "", late});
        break;
    }
  }
  // New changes: opened, reviewed, approved, merged, one of them later reverted.
  for (int i = 0; i < 5; ++i) {
    const std::string repo = kRepos[i % 3];
    const std::int64_t pr = 70000 + b * 10 + i;
    const std::string head = fmt::format("{:040}", pr), at = fmt::format("2025-1{}-{:02}T08:00:00Z", i % 3, 1 + b % 28);
    s.record_pr_event({repo, pr, "opened", "yan", head, "", 0, "", at});
    s.record_review(test::webhook_run(fmt::format("summary-new-{}-{}", b, i), repo, pr, head, at,
                                i % 2 ? DecisionKind::approve : DecisionKind::comment, Mode::active, i % 2 ? 0 : 2));
    if (i % 2 == 0) s.record_pr_event({repo, pr, "approved", "xia", head, "", 0, "", at});
    s.record_pr_event({repo, pr, "merged", "yan", head, std::string(40, 'a'), 0, "", at});
    if (i == 4) s.record_pr_event({repo, pr, "reverted", "", head, "", 9997, "", late});
  }
}

inline std::vector<audit::ConsoleFilter> summary_filters(const std::string& merged_at) {
  std::vector<audit::ConsoleFilter> out(8);
  out[1].since = "2025-10-01T00:00:00Z";  // a quarter
  out[1].until = "2025-12-31T23:59:59Z";
  out[2].repositories = {"acme/web"};
  out[3] = out[1];
  out[3].repositories = {"acme/infra", "acme/payments"};
  out[4].since = out[4].until = merged_at;  // one second
  out[5].since = "2030-01-01T00:00:00Z";    // nothing
  // A repository the log never named, alone and beside one it did (the
  // summary looked its id up as 4294967295 and wrote past its flags).
  out[6].repositories = {"nosuch/repo"};
  out[7].repositories = {"nosuch/repo", "acme/web"};
  return out;
}

// Every figure of `o` as text, rows the SQL leaves unordered sorted.
inline std::string described(const audit::OverviewRows& o) {
  std::vector<std::string> merged, days;
  for (const auto& m : o.merged) {
    merged.push_back(fmt::format("{}|{}|{}|{}|{}|{}", m.merged_at, m.approval, m.reverted ? 1 : 0, m.opened_at,
                                 m.person_approved_at, m.bot_approved_at));
  }
  for (const auto& d : o.decisions) days.push_back(fmt::format("decisions {} {} {}", d.day, d.label, d.count));
  for (const auto& d : o.overrides) days.push_back(fmt::format("overrides {} {}", d.day, d.count));
  std::sort(merged.begin(), merged.end());
  std::sort(days.begin(), days.end());
  std::string out = fmt::format("{} merges\n", merged.size());
  for (const auto& m : merged) out += m + "\n";
  for (const auto& d : days) out += d + "\n";
  for (const auto& r : o.noisy_rules) out += fmt::format("noisy {} {} {}\n", r.rule, r.count, r.other);
  for (const auto& r : o.effective_rules) out += fmt::format("effective {} {}\n", r.rule, r.count);
  return out + chart_data(overview_figures(o)).dump();
}

// Every figure the overview page shows, as text.
inline std::string described(const OverviewFigures& f) {
  const auto latency = [](const Latency& l) {
    return fmt::format("{} {} {}", l.n, l.median_hours.value_or(-1), l.p75_hours.value_or(-1));
  };
  std::string out = fmt::format("{} merged, {} runs, {} overrides\n", f.merged_total, f.runs_total, f.overrides_total);
  for (const auto* r : {&f.bot, &f.person}) out += fmt::format("rate {} {} {} {} {}\n", r->n, r->k, r->rate, r->low, r->high);
  for (const auto* l : {&f.bot_to_approval, &f.person_to_approval, &f.bot_to_merge, &f.person_to_merge}) {
    out += "latency " + latency(*l) + "\n";
  }
  for (const auto& r : f.noisy_rules) out += fmt::format("noisy {} {} {}\n", r.rule, r.count, r.other);
  for (const auto& r : f.effective_rules) out += fmt::format("effective {} {}\n", r.rule, r.count);
  return out + chart_data(f).dump();
}

// The figures counted from the summary's compact merges in place (what
// LiveOverview::figures shows), not from a copy of its rows.
inline std::string described_in_place(const audit::OverviewSummary& summary, const audit::ConsoleFilter& f) {
  FigureCounter counter;
  const auto rest =
      summary.rows(f, [&](const audit::CompactMerge& m, const audit::MergedChange* odd) { counter.add(m, odd); });
  CHECK(rest.merged.empty());
  return described(counter.finish(rest));
}

// Brings `summary` to the log's head and compares it with console_overview
// for every filter; returns how many filters differed (the CHECKs are left
// to the caller through `expect_equal`).
inline int compare_summary(audit::OverviewSummary& summary, audit::LogReader& log, bool expect_equal,
                    audit::OverviewSummary::Update expected_update, audit::LogReader* second = nullptr) {
  const auto tables = log.chained_tables();
  const auto update = summary.update(log, tables, audit::read_head(log, tables), {}, second);
  if (expect_equal) CHECK(update == expected_update);
  std::string merged_at;
  log.each("SELECT at FROM pr_events WHERE kind = 'merged' ORDER BY seq LIMIT 1 OFFSET 30", {},
           [&](const audit::LogRow& r) { merged_at = std::get<std::string>(r.values[0]); });
  int differ = 0;
  for (const auto& f : summary_filters(merged_at)) {
    CAPTURE(f.since);
    CAPTURE(f.until);
    CAPTURE(f.repositories.size());
    const auto full_rows = audit::console_overview(log, f);
    const auto full = described(full_rows);
    const auto kept = described(summary.rows(f));
    const auto full_figures = described(overview_figures(full_rows));
    const auto in_place = described_in_place(summary, f);
    if (expect_equal) {
      CHECK(kept == full);
      CHECK(in_place == full_figures);
    }
    differ += kept != full || in_place != full_figures;
  }
  return differ;
}

// The whole scenario over one log: the summary built, then batches
// appended, each compared; `open` opens a read-only session, `store` the
// writer. Returns the differences the summary that ignores older merges had.
template <typename OpenSession, typename OpenStore>
inline int run_batches(OpenSession open, OpenStore store, int batches) {
  audit::OverviewSummary summary, careless(audit::OverviewSummary::Reread::new_merges_only);
  using U = audit::OverviewSummary::Update;
  // Built through two sessions at one head: half of the reads through each.
  compare_summary(summary, open()->log(), true, U::rebuilt, &open()->log());
  CHECK(summary.last_readers() == 2);
  compare_summary(careless, open()->log(), false, U::rebuilt);
  CHECK(careless.last_readers() == 1);
  int careless_differ = 0;
  for (int b = 0; b < batches; ++b) {
    CAPTURE(b);
    {
      auto s = store();
      append_batch(*s, open()->log(), b);
    }
    compare_summary(summary, open()->log(), true, U::appended);
    CHECK(summary.last_prs() >= 10);  // the older merges the batch touched were read again
    careless_differ += compare_summary(careless, open()->log(), false, U::appended);
  }
  compare_summary(summary, open()->log(), true, U::unchanged);
  return careless_differ;
}

inline void copy_log(const std::filesystem::path& from, const std::filesystem::path& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(to.string() + suffix);
    if (std::filesystem::exists(from.string() + suffix)) {
      std::filesystem::copy_file(from.string() + suffix, to.string() + suffix);
    }
  }
}

// `reviewer demo`'s history of `changes` pull requests in a scratch folder.
inline std::filesystem::path demo_log(const std::string& name, int changes) {
  const auto path = test::scratch_dir(name) / "audit.db";
  DemoHistory h;
  h.changes = changes;
  write_demo_history(*audit::AuditStore::open(path), h);
  return path;
}

}  // namespace reviewer::console::summary_test
