// The auditor console over a large log (issue 21's targets): the overview in
// < 500 ms, one change's page in < 50 ms, a 25-change evidence pack in < 5 s
// of server time, over 100,000 changes. The log is `reviewer demo`'s
// history (reviewer/cli/demo_history.h) scaled up, written through the real
// store; each figure is the time Console::handle takes for the request, the
// HTTP listener aside. Prints one line per figure; see bench/README.md
// `## console`.
//
//   console_bench [--db PATH] [--changes N] [--runs R] [--reuse [--migrate]] [--only PREFIX]
// (--only: the figures whose name starts with PREFIX, for a profiler;
// --migrate: bring a reused log written by an older build to this build's
// schema first, e.g. migration 008's indexes; this writes to the log)
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audit/readonly_session.h"
#include "process_usage.h"
#include "audit/store.h"
#include "reviewer/cli/demo_history.h"
#include "reviewer/console/auth.h"
#include "reviewer/console/charts.h"
#include "reviewer/console/console.h"

using namespace reviewer;
using Clock = std::chrono::steady_clock;

namespace {

struct Timing {
  double wall_ms = 0, cpu_ms = 0;
  std::size_t bytes = 0;
  unsigned status = 0;
};

Timing timed(const console::Console& c, const std::string& target) {
  http::HttpRequest req{boost::beast::http::verb::get, target, 11};
  req.set("Authorization", "Bearer bench-token");
  const auto cpu = bench::cpu_ms();
  const auto t = Clock::now();
  const auto a = c.handle(req);
  return {std::chrono::duration<double, std::milli>(Clock::now() - t).count(), bench::cpu_ms() - cpu, a.body.size(),
          a.status};
}

void report(const std::string& what, std::vector<Timing> runs, double target_ms) {
  std::sort(runs.begin(), runs.end(), [](const Timing& a, const Timing& b) { return a.wall_ms < b.wall_ms; });
  const auto& median = runs[runs.size() / 2];
  fmt::print("{:<44} median {:8.1f} ms (cpu {:7.1f} ms)  min {:8.1f}  max {:8.1f}  {:>9} bytes  status {}  "
             "target < {} ms: {}\n",
             what, median.wall_ms, median.cpu_ms, runs.front().wall_ms, runs.back().wall_ms, median.bytes,
             median.status, target_ms, target_ms <= 0 ? "-" : median.wall_ms < target_ms ? "met" : "NOT MET");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path db = "console-bench.db";
  int changes = 100000, runs = 7;
  bool reuse = false, migrate = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) db = argv[++i];
    else if (a == "--changes" && i + 1 < argc) changes = std::atoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--reuse") reuse = true;
    else if (a == "--migrate") migrate = true;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      fmt::print(stderr, "usage: console_bench [--db PATH] [--changes N] [--runs R] [--reuse [--migrate]] "
                        "[--only PREFIX]\n");
      return 1;
    }
  }
  if (reuse && migrate && std::filesystem::exists(db)) {
    const auto t = Clock::now();
    audit::AuditStore::open(db);  // opening migrates
    fmt::print("migrated {} in {:.1f} s\n", db.string(), std::chrono::duration<double>(Clock::now() - t).count());
  }
  if (!reuse || !std::filesystem::exists(db)) {
    std::filesystem::remove(db);
    std::filesystem::remove(db.string() + "-wal");
    const auto t = Clock::now();
    auto store = audit::AuditStore::open(db);
    DemoHistory h;  // `reviewer demo --history N`: the same rows
    h.changes = changes;
    const auto n = write_demo_history(*store, h);
    fmt::print("generated {} changes ({} merged, {} reverted), {} rows, in {:.0f} s ({})\n", changes, n.merged,
               n.reverted, store->row_count(), std::chrono::duration<double>(Clock::now() - t).count(),
               db.string());
  }
  // Uncached: every overview runs its queries (the figures that count);
  // `cached` keeps them by (filter, chain head), as audit serve does.
  console::ConsoleOptions options{db.string(), console::TokenSet({console::token_hash("bench-token")}), ""};
  options.overview_cache = 0;
  const console::Console c(options);
  options.overview_cache = 16;
  const console::Console cached(std::move(options));

  // Some merged changes to open, spread over the log.
  std::vector<std::string> pages;
  {
    auto session = audit::open_read_only_session(db.string(), std::chrono::seconds(60));
    session->log().each("SELECT repository, pr_number FROM pr_events WHERE kind = 'merged' AND pr_number % 997 = 1 "
                        "LIMIT 25",
                        {}, [&](const audit::LogRow& r) {
                          pages.push_back(fmt::format("/change?repo={}&pr={}", std::get<std::string>(r.values[0]),
                                                      std::get<std::int64_t>(r.values[1])));
                        });
  }
  if (only.empty()) {
    const auto first = timed(c, "/?period=all");
    fmt::print("{:<44} {:8.1f} ms (cpu {:.1f} ms), the first request (cold page cache)\n", "overview, all time, first",
               first.wall_ms, first.cpu_ms);
  }
  auto series = [&](const std::string& what, const std::vector<std::string>& targets, double target_ms,
                    const console::Console* console = nullptr) {
    if (!what.starts_with(only)) return;
    std::vector<Timing> t;
    for (int r = 0; r < runs; ++r) {
      for (const auto& target : targets) t.push_back(timed(console ? *console : c, target));
    }
    report(what, t, target_ms);
  };
  series("overview (/: the latest 90 days)", {"/"}, 500);
  series("overview, all time (/?period=all)", {"/?period=all"}, 500);
  // The overview's rows and figures by each way of reading the merges
  // (audit/console_queries.h), in the same minute: via_view is what the
  // console ran before migration 008's indexes ("rows" in the bytes column).
  auto plan = [&](const std::string& what, audit::MergedPlan p, const audit::ConsoleFilter& f) {
    if (!what.starts_with(only)) return;
    std::vector<Timing> t;
    for (int r = 0; r < runs; ++r) {
      const auto cpu = bench::cpu_ms();
      const auto start = Clock::now();
      auto session = audit::open_read_only_session(db.string(), std::chrono::seconds(60));
      const auto rows = audit::console_overview(session->log(), f, p);
      const auto figures = console::overview_figures(rows);
      t.push_back({std::chrono::duration<double, std::milli>(Clock::now() - start).count(), bench::cpu_ms() - cpu,
                   rows.merged.size(), 200});
    }
    report(what, t, 0);
  };
  plan("overview rows, all time, via v_merged_prs (before)", audit::MergedPlan::via_view, {});
  plan("overview rows, all time, indexed", audit::MergedPlan::indexed, {});
  timed(cached, "/");
  series("overview (/), cached by chain head", {"/"}, 500, &cached);
  series("overview, one repository, one quarter", {"/?repo=acme/web&since=2025-10-01&until=2025-12-31"}, 500);
  series("change page (25 merged changes)", pages, 50);
  series("evidence pack, 25 changes (/sample/pack.tar)", {"/sample/pack.tar?n=25&seed=20260421"}, 5000);
  series("audit sample page, 25 of all", {"/sample?n=25&seed=20260421"}, 0);
  series("changes, page 1", {"/changes"}, 0);
  series("changes, reverted and approved by a person", {"/changes?reverted=yes&approver=person"}, 0);
  series("changes, checks failed", {"/changes?checks=failed"}, 0);
  return 0;
}
