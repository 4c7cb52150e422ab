// Audit log benchmark (issue 6): write throughput of runs with 20 findings,
// `audit verify` over the resulting log, and the auditor views over a log of
// 100,000 pull requests. Prints one line per figure; see bench/README.md.
//
//   audit_bench [--dir DIR] [--runs N] [--threads T] [--prs P] [--reuse]
//   audit_bench --database-url URL [--runs N] [--threads T]   writes only, on PostgreSQL
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "audit/readonly.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "reviewer/core/review_result.h"

using namespace reviewer;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds (user + system) of this process so far: on a shared machine
// the wall time includes waiting for a core, the CPU time does not.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

ReviewResult make_review(const std::string& run_id, std::int64_t pr, int findings, DecisionKind d,
                         const std::string& started_at, const std::string& mode) {
  ReviewResult r;
  r.run_id = run_id;
  r.started_at = started_at;
  r.mode = *parse_mode(mode);
  r.trigger = "webhook";
  r.pr.repository = "octo/widgets";
  r.pr.number = pr;
  r.pr.title = fmt::format("Change number {}", pr);
  r.pr.author = "dev" + std::to_string(pr % 50);
  r.pr.base_ref = "main";
  r.pr.base_sha = fmt::format("{:040x}", pr * 2 + 1);
  r.pr.head_sha = fmt::format("{:040x}", pr * 2);
  r.size = SizeStats{"M", 60, 20, 4, 2, 0, false};
  r.guidance_version = "g-bench";
  r.reviewer_version = reviewer_version();
  r.decision.kind = d;
  r.decision.reasons = {"bench reason"};
  r.duration_ms = 1200;
  AgentReport size{"size", AgentStatus::ok, 2, {}, "", std::nullopt};
  AgentReport safety{"safety", AgentStatus::ok, 9, {}, "", std::nullopt};
  for (int i = 0; i < findings; ++i) {
    Finding f;
    f.rule = fmt::format("bench/rule-{}", i % 7);
    f.severity = Severity::warning;
    f.path = fmt::format("src/module{}/file{}.cc", i % 5, i);
    f.line = 10 + i;
    f.end_line = 12 + i;
    f.message = "a plausible message of typical length describing the problem found here";
    f.evidence = "token = \"****\"";
    f.suggestion = "move the value to the secret store";
    f.id = make_finding_id(f.rule, f.path, f.message + std::to_string(i));
    (i % 2 ? size : safety).findings.push_back(f);
  }
  r.agents = {size, safety};
  return r;
}

// The ceiling group commit approaches under load: 100 runs per transaction
// through record_reviews.
void bench_batched(const std::filesystem::path& dir, int runs) {
  auto path = dir / "batched.db";
  std::filesystem::remove(path);
  auto store = audit::AuditStore::open(path);
  std::vector<std::vector<ReviewResult>> batches;
  for (int i = 0; i < runs; ++i) {
    if (i % 100 == 0) batches.emplace_back();
    batches.back().push_back(make_review(fmt::format("b-{}", i), i, 20, DecisionKind::comment,
                                         "2026-01-15T10:00:00Z", "dry-run"));
  }
  auto start = Clock::now();
  double cpu0 = cpu_seconds();
  for (const auto& b : batches) store->record_reviews(b);
  double s = seconds_since(start), cpu = cpu_seconds() - cpu0;
  std::cout << fmt::format(
      "write batched: {} runs, 100 per transaction: wall {:.2f} s = {:.0f} runs/s; cpu {:.2f} s = {:.0f} runs per "
      "cpu-second\n",
      runs, s, runs / s, cpu, runs / cpu);
}

// Without `url` into DIR/write.db (new), then verified; with it into that
// PostgreSQL log, as it is: run ids carry the process id and the start
// time (a container's pids repeat), so runs of the bench append to one log
// (the figures are of writes only).
void bench_write(const std::filesystem::path& dir, int runs, int threads, const std::string& url = "") {
  auto path = dir / "write.db";
  if (url.empty()) std::filesystem::remove(path);
  auto store = url.empty() ? audit::AuditStore::open(path) : audit::AuditStore::open_url(url);
  const std::string tag = url.empty() ? "" : fmt::format("p{}-{}-{}-", getpid(), std::time(nullptr), threads);
  // Prepare the inputs first: only the recording is timed.
  std::vector<std::vector<ReviewResult>> inputs(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < runs; ++i) {
      inputs[static_cast<std::size_t>(t)].push_back(
          make_review(fmt::format("{}t{}-{}", tag, t, i), t * 1000000 + i, 20, DecisionKind::comment,
                      "2026-01-15T10:00:00Z", "dry-run"));
    }
  }
  auto start = Clock::now();
  double cpu0 = cpu_seconds();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (const auto& r : inputs[static_cast<std::size_t>(t)]) store->record_review(r);
    });
  }
  for (auto& th : pool) th.join();
  double s = seconds_since(start), cpu = cpu_seconds() - cpu0;
  long total = static_cast<long>(runs) * threads;
  std::cout << fmt::format(
      "write: {} threads x {} runs (20 findings, 23 rows each): wall {:.2f} s = {:.0f} runs/s; "
      "cpu {:.2f} s = {:.0f} runs per cpu-second\n",
      threads, runs, s, total / s, cpu, total / cpu);
  if (!url.empty()) return;
  start = Clock::now();
  cpu0 = cpu_seconds();
  auto v = audit::verify(path);
  s = seconds_since(start);
  cpu = cpu_seconds() - cpu0;
  std::cout << fmt::format("verify: {} rows: wall {:.2f} s ({:.2f} s per 1,000,000 rows); cpu {:.2f} s; {}\n",
                           v.rows, s, s * 1e6 / static_cast<double>(v.rows), cpu, v.ok ? "ok" : v.message);
}

std::string day(int d) {
  // Days from 2025-01-01, spread over about a year.
  int month = 1 + (d / 28) % 12, dom = 1 + d % 28;
  return fmt::format("2025-{:02d}-{:02d}", month, dom);
}

// One pull request's life: opened, reviewed (half approved by the bot in
// active mode, half commented and approved by a person), feedback on a third,
// merged; every 25th PR reverts the one before it.
void write_pr(audit::AuditStore& store, int n) {
  std::string d = day(n % 336);
  audit::PullRequestRecord p{"octo/widgets", n, fmt::format("Change number {}", n), "dev", "main",
                             fmt::format("{:040x}", n * 2), false, d + "T09:00:00Z"};
  store.record_pull_request(p);
  store.record_pr_event({"octo/widgets", n, "opened", "dev", p.head_sha, "", 0, "", d + "T09:00:00Z"});
  bool bot = n % 2 == 0;
  store.record_review(make_review(fmt::format("run-{}", n), n, 2, bot ? DecisionKind::approve : DecisionKind::comment,
                                  d + "T09:05:00Z", "active"));
  if (!bot) store.record_pr_event({"octo/widgets", n, "approved", "lead", p.head_sha, "", 0, "", d + "T11:00:00Z"});
  if (n % 3 == 0) {
    store.record_feedback({"octo/widgets", n, "f", "bench/rule-1", "dev", n % 2 == 0, "", d + "T12:00:00Z"});
  }
  store.record_pr_event({"octo/widgets", n, "merged", "dev", p.head_sha, fmt::format("{:040x}", n * 2 + 7), 0, "",
                         d + "T12:00:00Z"});
  if (n % 25 == 0) {
    store.link_reverts("octo/widgets", n, "Revert", fmt::format("Reverts octo/widgets#{}", n - 1), d + "T13:00:00Z");
  }
}

void bench_views(const std::filesystem::path& dir, int prs, int threads, bool reuse) {
  auto path = dir / "views.db";
  if (!reuse) std::filesystem::remove(path);
  auto store = audit::AuditStore::open(path);  // also brings the views up to date
  auto start = Clock::now();
  if (reuse && store->row_count() > 0) threads = 0;
  std::vector<std::thread> pool;
  // Interleaved PR numbers per thread; a revert's original (n - 1) is written
  // by another thread and may not be merged yet, as in real life.
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int n = 1 + t; n <= prs; n += threads) write_pr(*store, n);
    });
  }
  for (auto& th : pool) th.join();
  std::cout << fmt::format("views: generated {} PRs ({} rows) in {:.1f} s\n", prs, store->row_count(),
                           seconds_since(start));
  auto db = audit::open_read_only(path);
  for (const char* view : {"v_decisions", "v_bot_approvals", "v_human_approvals", "v_overrides", "v_merged_prs",
                           "v_revert_rate", "v_review_latency", "v_review_latency_summary",
                           "v_finding_helpfulness"}) {
    start = Clock::now();
    double c0 = cpu_seconds();
    auto q = db.prepare(fmt::format("SELECT * FROM {}", view));
    long rows = 0;
    std::size_t bytes = 0;
    while (q.step()) {
      ++rows;
      for (int i = 0; i < q.column_count(); ++i) bytes += q.column_text(i).size();  // read every cell
    }
    std::cout << fmt::format("view {}: {} rows: wall {:.3f} s, cpu {:.3f} s\n", view, rows, seconds_since(start),
                             cpu_seconds() - c0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "reviewer-audit-bench";
  int runs = 10000, threads = 8, prs = 100000;
  bool reuse = false;  // --reuse: time the views on an existing views.db
  std::string url;     // --database-url: the write figures on PostgreSQL
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--reuse") {
      reuse = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) a = "--help";
    if (a == "--dir") dir = argv[i + 1];
    else if (a == "--runs") runs = std::atoi(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--prs") prs = std::atoi(argv[i + 1]);
    else if (a == "--database-url") url = argv[i + 1];
    else {
      std::cerr << "usage: audit_bench [--dir DIR] [--runs N] [--threads T] [--prs P] [--reuse] | "
                   "--database-url URL [--runs N] [--threads T]\n";
      return 1;
    }
  }
  std::filesystem::create_directories(dir);
  try {
    if (!url.empty()) {
      bench_write(dir, runs, 1, url);
      if (threads > 1) bench_write(dir, runs, threads, url);
      return 0;
    }
    if (runs > 0) bench_write(dir, runs, 1);
    if (runs > 0) bench_batched(dir, runs);
    if (runs > 0 && threads > 1) bench_write(dir, runs, threads);
    if (prs > 0) bench_views(dir, prs, std::max(threads, 1), reuse);
  } catch (const std::exception& e) {
    std::cerr << "audit_bench: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
