// The overview's two ways of reading its merges (audit/console_queries.h
// MergedPlan: over covering indexes, or over v_merged_prs as the console
// did first) give an auditor the same figures: on `reviewer demo`'s
// history of a couple of thousand changes with irregular rows on top (late
// approvals, runs after the merge, a merge delivered twice, second
// reverts, a merge with nothing before it), over SQLite and PostgreSQL.
#include <doctest/doctest.h>

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "audit/audit_fixtures.h"
#include "audit/readonly_session.h"
#include "audit/store.h"
#include "console_fixture.h"
#include "reviewer/cli/demo_history.h"
#include "reviewer/console/charts.h"
#include "support/postgres.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

struct Irregular {
  int merges = 0;  // merged events added
};

// Rows the demo never writes, on the first merges of each repository
// (read through `log`): each changes an older merge's row, or must not.
Irregular write_irregular(audit::AuditStore& s, audit::LogReader& log) {
  std::vector<std::tuple<std::string, std::int64_t, std::string, std::string>> merges;
  log.each("SELECT repository, pr_number, head_sha, at FROM pr_events WHERE kind = 'merged' AND pr_number <= 24 "
           "ORDER BY seq",
           {}, [&](const audit::LogRow& r) {
             merges.emplace_back(std::get<std::string>(r.values[0]), std::get<std::int64_t>(r.values[1]),
                                 std::get<std::string>(r.values[2]), std::get<std::string>(r.values[3]));
           });
  REQUIRE(merges.size() >= 12);
  Irregular n;
  const std::string late = "2027-01-01T00:00:00Z";  // after everything the demo wrote
  for (std::size_t i = 0; i < merges.size(); ++i) {
    const auto& [repo, pr, head, merged_at] = merges[i];
    const std::string id = fmt::format("irregular-{}", i);
    switch (i % 6) {
      case 0:  // a person approves after the merge
        s.record_pr_event({repo, pr, "approved", "zed", head, "", 0, "", late});
        break;
      case 1:  // a shadow run on the merged head after the merge: no longer the bot's approval
        s.record_review(test::webhook_run(id, repo, pr, head, late, DecisionKind::comment, Mode::shadow));
        break;
      case 2:  // an active approve on the merged head after the merge: now the bot's
        s.record_review(test::webhook_run(id, repo, pr, head, late, DecisionKind::approve, Mode::active));
        break;
      case 3:  // the merge delivered twice
        s.record_pr_event({repo, pr, "merged", "zed", head, "f" + std::string(39, '0'), 0, "", merged_at});
        ++n.merges;
        break;
      case 4:  // reverted (again, if it already was)
        s.record_pr_event({repo, pr, "reverted", "", head, "", 9999, "", late});
        break;
      default:  // an active approve on another head, before everything: the first bot approval, not the merged head's
        s.record_review(test::webhook_run(id, repo, pr, std::string(40, 'e'), "2025-01-01T00:00:00Z",
                                      DecisionKind::approve, Mode::active));
        break;
    }
  }
  // A merge with nothing before it: no opening, no run, no approval.
  s.record_pr_event({"acme/web", 90001, "merged", "zed", std::string(40, 'd'), std::string(40, 'c'), 0, "",
                     "2026-02-01T00:00:00Z"});
  ++n.merges;
  return n;
}

std::vector<std::string> rows_of(const audit::OverviewRows& o) {
  std::vector<std::string> out;
  for (const auto& m : o.merged) {
    out.push_back(fmt::format("{}|{}|{}|{}|{}|{}", m.merged_at, m.approval, m.reverted ? 1 : 0, m.opened_at,
                              m.person_approved_at, m.bot_approved_at));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<audit::ConsoleFilter> filters(const std::string& merged_at) {
  std::vector<audit::ConsoleFilter> out(6);
  out[1].since = "2025-10-01T00:00:00Z";
  out[1].until = "2025-12-31T23:59:59Z";
  out[2].repositories = {"acme/web"};
  out[3] = out[1];
  out[3].repositories = {"acme/infra", "acme/web"};
  out[4].since = out[4].until = merged_at;  // inclusive at both ends
  out[5].since = "2030-01-01T00:00:00Z";    // nothing
  return out;
}

// Both plans over `log`, for every filter; returns the all-time rows.
std::vector<std::string> compare_plans(audit::LogReader& log, const std::string& merged_at) {
  std::vector<std::string> all;
  for (const auto& f : filters(merged_at)) {
    CAPTURE(f.since);
    CAPTURE(f.until);
    CAPTURE(f.repositories.size());
    const auto a = audit::console_overview(log, f, audit::MergedPlan::via_view);
    const auto b = audit::console_overview(log, f, audit::MergedPlan::indexed);
    const auto rows = rows_of(a);
    CHECK(rows == rows_of(b));
    CHECK(chart_data(overview_figures(a)).dump() == chart_data(overview_figures(b)).dump());
    if (all.empty()) all = rows;
  }
  return all;
}

// The irregular rows show in the all-time rows (so the comparison covered them).
void check_coverage(const std::vector<std::string>& rows) {
  const auto has = [&](const std::string& part) {
    return std::any_of(rows.begin(), rows.end(), [&](const std::string& r) { return r.find(part) != r.npos; });
  };
  CHECK(has(fmt::format("|{}|", "2027-01-01T00:00:00Z")));  // a late approval is the first by a person
  CHECK(has("|2025-01-01T00:00:00Z"));                       // the first bot approval on another head
  CHECK(has("2026-02-01T00:00:00Z|none|0|||"));               // the merge with nothing before it
  CHECK(has("|bot+human|1|"));
  CHECK(has("|human|1|"));
}

}  // namespace

TEST_SUITE("console") {
  TEST_CASE("the overview's indexed read gives the figures of its read over v_merged_prs (SQLite)") {
    const auto path = test::scratch_dir("overview-plans") / "audit.db";
    DemoHistory h;
    h.changes = 2000;
    const auto counts = write_demo_history(*audit::AuditStore::open(path), h);
    Irregular extra;
    std::string merged_at;
    {
      auto store = audit::AuditStore::open(path);
      auto session = audit::open_read_only_session(path.string(), std::chrono::seconds(30));
      extra = write_irregular(*store, session->log());
    }
    auto session = audit::open_read_only_session(path.string(), std::chrono::seconds(30));
    session->log().each("SELECT at FROM pr_events WHERE kind = 'merged' AND pr_number = 30 LIMIT 1", {},
                        [&](const audit::LogRow& r) { merged_at = std::get<std::string>(r.values[0]); });
    const auto rows = compare_plans(session->log(), merged_at);
    CHECK(rows.size() == static_cast<std::size_t>(counts.merged + extra.merges));
    check_coverage(rows);
  }

  TEST_CASE("the overview's indexed read gives the figures of its read over v_merged_prs (PostgreSQL)") {
    auto s = test::PgSchema::create("overview_plans");
    if (!s) return;
    DemoHistory h;
    h.changes = 300;
    const auto counts = write_demo_history(*audit::AuditStore::open_url(s->url()), h);
    const test::PgAuditor auditor(*s);
    Irregular extra;
    {
      auto store = audit::AuditStore::open_url(s->url());
      auto session = audit::open_read_only_session(auditor.url(), std::chrono::seconds(30));
      extra = write_irregular(*store, session->log());
    }
    auto session = audit::open_read_only_session(auditor.url(), std::chrono::seconds(30));
    std::string merged_at;
    session->log().each("SELECT at FROM pr_events WHERE kind = 'merged' AND pr_number = 30 LIMIT 1", {},
                        [&](const audit::LogRow& r) { merged_at = std::get<std::string>(r.values[0]); });
    const auto rows = compare_plans(session->log(), merged_at);
    CHECK(rows.size() == static_cast<std::size_t>(counts.merged + extra.merges));
    check_coverage(rows);
  }
}

}  // namespace reviewer::console
