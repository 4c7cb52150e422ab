// The auditor console over a large log (issue 21's targets): the overview in
// < 500 ms, one change's page in < 50 ms, a 25-change evidence pack in < 5 s
// of server time, over 100,000 changes. The log is `reviewer demo`'s
// history (reviewer/cli/demo_history.h) scaled up, written through the real
// store; each figure is the time Console::handle takes for the request, the
// HTTP listener aside. Prints one line per figure; see bench/README.md
// `## console`.
//
//   console_bench [--db PATH|URL] [--changes N] [--runs R] [--reuse [--migrate]] [--only PREFIX] [--no-append]
//                 [--writer URL]
// (--only: the figures whose name starts with PREFIX, for a profiler;
// --migrate: bring a reused log written by an older build to this build's
// schema first, e.g. migration 008's indexes; this writes to the log;
// the overview's summary after K appended events is measured on a copy of
// the log, PATH.append-copy, removed at the end; --no-append skips it;
// --db postgresql://… reads a log copied there beforehand, as a read-only
// role, and --writer postgresql://… appends to that database itself;
// --summary-cache FILE: a console started with that file (written first by
// one of its own, as `reviewer audit serve` keeps it by default): its first
// overview's time, and its pages against the full computation's)
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
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

http::HttpRequest bench_request(const std::string& target) {
  http::HttpRequest req{boost::beast::http::verb::get, target, 11};
  req.set("Authorization", "Bearer bench-token");
  return req;
}

Timing timed(const console::Console& c, const std::string& target) {
  const auto req = bench_request(target);
  const auto cpu = bench::cpu_ms();
  const auto t = Clock::now();
  const auto a = c.handle(req);
  return {std::chrono::duration<double, std::milli>(Clock::now() - t).count(), bench::cpu_ms() - cpu, a.body.size(),
          a.status};
}

// Resident memory of this process now, in MB (/proc/self/statm).
double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * 4096 / (1024 * 1024);
}

// Events a live log receives, appended through the real store one call
// (one transaction) each, in turn: a late approval of an older merge, a
// run on its merged head after the merge, its revert, a /human-review
// request, a vote, a new pull request opened, then merged, and a failing
// check. Each but the last changes the overview.
class Appender {
 public:
  Appender(audit::AuditStore& store, std::vector<std::array<std::string, 3>> merges, std::int64_t first_pr)
      : s_(store), merges_(std::move(merges)), next_pr_(first_pr) {}

  void append(int n) {
    for (int k = 0; k < n; ++k) one();
  }

 private:
  void one() {
    const auto& [repo, number, head] = merges_[(i_ / 8 * 7919) % merges_.size()];
    const std::int64_t pr = std::stoll(number);
    const std::string late = "2026-04-01T00:00:00Z", id = fmt::format("bench-{}", i_);
    switch (i_++ % 8) {
      case 0: s_.record_pr_event({repo, pr, "approved", "zed", head, "", 0, "", late}); break;
      case 1: {
        ReviewResult r;
        r.run_id = id;
        r.started_at = late;
        r.mode = Mode::shadow;
        r.trigger = "webhook";
        r.pr.repository = repo;
        r.pr.number = pr;
        r.pr.title = "a run after the merge";
        r.pr.author = "zed";
        r.pr.base_ref = "main";
        r.pr.base_sha = std::string(40, 'a');
        r.pr.head_sha = head;
        r.size = SizeStats{"S", 12, 3, 2, 1, 0, false};
        r.decision.kind = DecisionKind::comment;
        r.decision.reasons = {"bench"};
        s_.record_review(r);
        break;
      }
      case 2: s_.record_pr_event({repo, pr, "reverted", "", head, "", 0, "", late}); break;
      case 3: s_.record_override({repo, pr, "human_review", "zed", id, late}); break;
      case 4: s_.record_feedback({repo, pr, "f" + id, "logic/todo-left", "zed", false, id, late}); break;
      case 5: s_.record_pr_event({repo, next_pr_, "opened", "zed", head, "", 0, "", late}); break;
      case 6: s_.record_pr_event({repo, next_pr_++, "merged", "zed", head, std::string(40, 'b'), 0, "", late}); break;
      default:
        s_.record_check_results({{repo, pr, head, "check_run", "test", "github-actions", "failure",
                                  "https://ci.example.com/bench", late, late, "check_suite"}});
        break;
    }
  }

  audit::AuditStore& s_;
  std::vector<std::array<std::string, 3>> merges_;  // repository, pr number, merged head
  std::int64_t next_pr_;
  std::size_t i_ = 0;
};

void report(const std::string& what, std::vector<Timing> runs, double target_ms) {
  std::sort(runs.begin(), runs.end(), [](const Timing& a, const Timing& b) { return a.wall_ms < b.wall_ms; });
  const auto& median = runs[runs.size() / 2];
  fmt::print("{:<44} median {:8.1f} ms (cpu {:7.1f} ms)  min {:8.1f}  max {:8.1f}  {:>9} bytes  status {}  "
             "target < {} ms: {}\n",
             what, median.wall_ms, median.cpu_ms, runs.front().wall_ms, runs.back().wall_ms, median.bytes,
             median.status, target_ms, target_ms <= 0 ? "-" : median.wall_ms < target_ms ? "met" : "NOT MET");
  std::fflush(stdout);
}

// The all-time overview from a warm summary after K events appended
// through the real store, on a copy of the log, beside the full
// computation on the same log in the same minute.
void append_copy(const std::filesystem::path& db, console::ConsoleOptions options, int runs,
                 const std::string& writer) {
  // A PostgreSQL log is not copied: the bench's database is a throw-away
  // one, appended to through `writer` (a role that may write).
  const bool postgres = !writer.empty();
  const std::filesystem::path copy = postgres ? db : std::filesystem::path(db.string() + ".append-copy");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (postgres) break;
    std::filesystem::remove(copy.string() + suffix);
    if (std::filesystem::exists(db.string() + suffix) && std::string(suffix) != "-shm") {
      std::filesystem::copy_file(db.string() + suffix, copy.string() + suffix);
    }
  }
  {
    auto store = postgres ? audit::AuditStore::open_url(writer) : audit::AuditStore::open(copy);
    std::vector<std::array<std::string, 3>> merges;
    std::int64_t top = 0;
    {
      auto session = audit::open_read_only_session(copy.string(), std::chrono::seconds(60));
      session->log().each("SELECT repository, pr_number, head_sha FROM pr_events WHERE kind = 'merged'", {},
                          [&](const audit::LogRow& r) {
                            const auto n = std::get<std::int64_t>(r.values[1]);
                            top = std::max(top, n);
                            merges.push_back({std::get<std::string>(r.values[0]), std::to_string(n),
                                              std::get<std::string>(r.values[2])});
                          });
    }
    Appender appender(*store, std::move(merges), top + 1);
    options.location = copy.string();
    options.overview_summary = true;
    const console::Console live(options);
    live.wait_for_warm_up();
    timed(live, "/?period=all");
    for (const int k : {1, 100, 10000}) {
      std::vector<Timing> t;
      double append_ms = 0;
      for (int r = 0; r < (k >= 10000 ? std::min(runs, 5) : runs); ++r) {
        const auto start = Clock::now();
        appender.append(k);
        append_ms += std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        t.push_back(timed(live, "/?period=all"));
      }
      report(fmt::format("overview, all time, summary, +{} events", k), t, 500);
      fmt::print("{:<44} appending took {:.0f} ms per batch of {}\n", "", append_ms / static_cast<double>(t.size()),
                 k);
    }
    options.overview_summary = false;
    const console::Console full(options);
    std::vector<Timing> t;
    for (int r = 0; r < runs; ++r) t.push_back(timed(full, "/?period=all"));
    report("overview, all time, no summary, same copy", t, 500);
    // The summary's page is the full computation's, byte for byte.
    const auto req = bench_request("/?period=all");
    fmt::print("{:<44} {}\n", "the same page with and without the summary",
               live.handle(req).body == full.handle(req).body ? "yes" : "NO");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (!postgres) std::filesystem::remove(copy.string() + suffix);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path db = "console-bench.db";
  int changes = 100000, runs = 7;
  bool reuse = false, migrate = false, append = true;
  std::string only, writer, summary_cache;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) db = argv[++i];
    else if (a == "--changes" && i + 1 < argc) changes = std::atoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--reuse") reuse = true;
    else if (a == "--migrate") migrate = true;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--no-append") append = false;
    else if (a == "--writer" && i + 1 < argc) writer = argv[++i];
    else if (a == "--summary-cache" && i + 1 < argc) summary_cache = argv[++i];
    else {
      fmt::print(stderr, "usage: console_bench [--db PATH] [--changes N] [--runs R] [--reuse [--migrate]] "
                        "[--only PREFIX] [--no-append] [--writer URL] [--summary-cache FILE]\n");
      return 1;
    }
  }
  const bool postgres = db.string().starts_with("postgresql://") || db.string().starts_with("postgres://");
  if (postgres) {
    reuse = true;  // written beforehand (`reviewer audit migrate --from sqlite:… --to …`)
    migrate = false;
    if (writer.empty()) append = false;
  }
  if (reuse && migrate && std::filesystem::exists(db)) {
    const auto t = Clock::now();
    audit::AuditStore::open(db);  // opening migrates
    fmt::print("migrated {} in {:.1f} s\n", db.string(), std::chrono::duration<double>(Clock::now() - t).count());
  }
  if (!postgres && (!reuse || !std::filesystem::exists(db))) {
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
  // Uncached: every overview runs its queries (the figures that count
  // before the summary); `cached` keeps them by (filter, chain head);
  // `live` keeps the summary, as audit serve does.
  console::ConsoleOptions options{db.string(), console::TokenSet({console::token_hash("bench-token")}), ""};
  options.overview_cache = 0;
  options.overview_summary = false;
  const console::Console c(options);
  options.overview_cache = 16;
  const console::Console cached(options);
  options.overview_cache = 0;
  options.overview_summary = true;
  std::optional<console::Console> live;
  if (only.empty() || std::string("overview").starts_with(only.substr(0, 8))) {
    {
      // A request that comes at start waits for the summary's build.
      const console::Console early(options);
      const auto first = timed(early, "/?period=all");
      fmt::print("{:<44} {:8.1f} ms (cpu {:.1f} ms), sent as the console starts (waits for the warm-up)\n",
                 "overview, all time, summary, at start", first.wall_ms, first.cpu_ms);
    }
    const double rss = rss_mb();
    const auto cpu = bench::cpu_ms();
    const auto t = Clock::now();
    live.emplace(options);
    live->wait_for_warm_up();
    fmt::print("{:<44} {:8.1f} ms (cpu {:.1f} ms), resident memory +{:.0f} MB\n", "overview summary, warm-up at start",
               std::chrono::duration<double, std::milli>(Clock::now() - t).count(), bench::cpu_ms() - cpu,
               rss_mb() - rss);
  }

  if (!summary_cache.empty()) {
    std::filesystem::remove(summary_cache);
    auto with_cache = options;
    with_cache.summary_cache = summary_cache;
    with_cache.summary_note = [](const std::string&) {};
    console::Console(with_cache).wait_for_warm_up();  // writes the file (its destructor waits for the save)
    const console::Console restarted(with_cache);
    const auto first = timed(restarted, "/?period=all");
    fmt::print("{:<44} {:8.1f} ms (cpu {:.1f} ms), sent as the console starts\n",
               "overview, all time, from the summary cache", first.wall_ms, first.cpu_ms);
    bool same = true;
    for (const char* page : {"/?period=all", "/", "/?repo=acme/web&since=2025-10-01&until=2025-12-31"}) {
      same = same && restarted.handle(bench_request(page)).body == c.handle(bench_request(page)).body;
    }
    fmt::print("{:<44} {}\n", "the same pages from the cache and without", same ? "yes" : "NO");
  }

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
  if (live) {
    series("overview, all time, summary (log unchanged)", {"/?period=all"}, 500, &*live);
    series("overview (/), summary", {"/"}, 500, &*live);
    series("overview, one repo, one quarter, summary", {"/?repo=acme/web&since=2025-10-01&until=2025-12-31"}, 500,
           &*live);
  }
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
  if (append && std::string("overview").starts_with(only.substr(0, 8))) append_copy(db, options, runs, writer);
  return 0;
}
