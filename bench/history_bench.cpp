// Benchmark of the history index and the history agent (issue 16).
//
//   history_bench cold REPO [REV]          cold index of the first-parent line to REV: time, commits, size, RSS
//   history_bench incremental REPO [N]     index to REV~N, then N one-commit updates in memory, then a new process's load
//   history_bench score REPO [REV]         the history agent on REV as a PR against its parent: cold, then warm
//
// REPO is a bare repository or a work tree; the index goes to a temporary
// folder (never the repository's own). Each subcommand is its own process so
// peak RSS (getrusage) is its own. Wall and CPU time are both reported: on a
// loaded machine CPU time is the fairer figure.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "process_usage.h"

#include "guidance/guidance.h"
#include "reviewer/core/error.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/history/builder.h"
#include "reviewer/git/history/history_index.h"
#include "reviewer/git/repository.h"
#include "subagents/agent.h"

namespace fs = std::filesystem;
using namespace reviewer;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

using bench::cpu_ms;
using bench::peak_rss_mb;

fs::path scratch(const std::string& what) {
  auto p = fs::temp_directory_path() / fmt::format("history-bench-{}-{}", what, ::getpid());
  fs::remove_all(p);
  return p;
}

int cold(const git::Repository& repo, const std::string& rev) {
  history::BuildOptions o;
  o.dir = scratch("cold");
  history::BuildStats st;
  const double c0 = cpu_ms();
  const auto t0 = Clock::now();
  auto ix = *history::update_index(repo.get(), repo.resolve(rev), o, &st);
  fmt::print("cold: {} first-parent commits in {:.1f} s wall, {:.1f} s CPU ({:.2f} ms CPU per commit); index {:.1f} MB; "
             "{} files, {} authors, {} reverted, {} bug-introducing; peak RSS {} MB\n",
             ix.commits.size(), ms_since(t0) / 1e3, (cpu_ms() - c0) / 1e3, (cpu_ms() - c0) / static_cast<double>(ix.commits.size()),
             static_cast<double>(st.file_bytes) / 1e6, ix.files.size(), ix.authors.size(),
             std::count_if(ix.commits.begin(), ix.commits.end(), [](auto& c) { return c.reverted_at != 0; }),
             std::count_if(ix.commits.begin(), ix.commits.end(), [](auto& c) { return c.fixed_at != 0; }), peak_rss_mb());
  fs::remove_all(o.dir);
  return 0;
}

// One-commit updates as serve makes them (the index stays in memory, the
// file is rewritten every `save_every` commits), then what a new process
// pays once: reading the file and re-indexing the commits not yet in it.
int incremental(const git::Repository& repo, int n) {
  const std::string tip = repo.resolve(repo.default_branch());
  bool reached = false, shallow = false;
  auto line = history::detail::first_parent_line(repo.get(), tip, "", &reached, &shallow);
  if (static_cast<int>(line.size()) <= n) n = static_cast<int>(line.size()) - 1;
  history::BuildOptions o;
  o.dir = scratch("incremental");
  history::update_index(repo.get(), line[line.size() - 1 - static_cast<std::size_t>(n)], o);
  std::vector<double> wall, cpu;
  for (std::size_t i = line.size() - static_cast<std::size_t>(n); i < line.size(); ++i) {
    const double c0 = cpu_ms();
    const auto t0 = Clock::now();
    history::update_index(repo.get(), line[i], o);
    wall.push_back(ms_since(t0));
    cpu.push_back(cpu_ms() - c0);
  }
  const auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); };
  const double wall_mean = mean(wall), cpu_mean = mean(cpu);
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  fmt::print("incremental: {} one-commit updates on a {}-commit index (in memory, file rewritten every {} commits): "
             "wall median {:.1f} ms, mean {:.1f} ms, max {:.1f} ms; CPU median {:.1f} ms, mean {:.1f} ms; index {:.1f} MB\n",
             n, line.size(), o.save_every, wall[wall.size() / 2], wall_mean, wall.back(), cpu[cpu.size() / 2], cpu_mean,
             static_cast<double>(fs::file_size(history::index_file(o.dir))) / 1e6);
  std::vector<double> load, fresh;
  for (int k = 0; k < 5; ++k) {
    auto t0 = Clock::now();
    auto ix = history::load_index(history::index_file(o.dir));
    load.push_back(ms_since(t0));
    history::forget_loaded_indexes();
    t0 = Clock::now();
    history::update_index(repo.get(), tip, o);
    fresh.push_back(ms_since(t0));
  }
  std::sort(load.begin(), load.end());
  std::sort(fresh.begin(), fresh.end());
  fmt::print("new process: reading the index file {:.1f} ms; up to date with the tip (read, re-index the unsaved commits) "
             "{:.1f} ms (medians of 5)\n", load[2], fresh[2]);
  fs::remove_all(o.dir);
  return 0;
}

int score(const git::Repository& repo, const std::string& rev) {
  const std::string head = repo.resolve(rev);
  const auto info = repo.commit(head);
  if (info.parents.empty()) throw Error(Error::Code::usage, "score needs a commit with a parent");
  auto ctx = std::make_shared<AgentContext>();
  ctx->guidance = load_guidance();
  ctx->repo_path = repo.path();
  ctx->pr.base_sha = info.parents[0];
  ctx->pr.head_sha = head;
  ctx->pr.title = info.summary;
  ctx->pr.body = info.body;
  git::DiffOptions dopts;
  ctx->diff = repo.diff(info.parents[0], head, info.parents[0], dopts);
  std::shared_ptr<const Agent> agent;
  for (auto& a : make_agents()) {
    if (a->name() == "history") agent = std::move(a);
  }
  for (const char* what : {"first review (index and model from disk or built)", "warm", "warm", "warm"}) {
    const double c0 = cpu_ms();
    const auto t0 = Clock::now();
    auto out = agent->assess(*ctx);
    fmt::print("score, {}: {:.1f} ms wall, {:.1f} ms CPU; p={:.3f} threshold {:.3f} ({} model)\n", what, ms_since(t0),
               cpu_ms() - c0, out.risk ? out.risk->probability : -1, out.risk ? out.risk->threshold : -1,
               out.risk ? out.risk->model : "none");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  git::Library lib;
  if (argc < 3) {
    fmt::print(stderr, "usage: history_bench cold|incremental|score REPO [REV|N]\n");
    return 2;
  }
  try {
    const std::string cmd = argv[1];
    auto repo = git::Repository::open(argv[2]);
    if (cmd == "cold") return cold(repo, argc > 3 ? argv[3] : repo.default_branch());
    if (cmd == "incremental") return incremental(repo, argc > 3 ? std::stoi(argv[3]) : 50);
    if (cmd == "score") return score(repo, argc > 3 ? argv[3] : repo.default_branch());
  } catch (const std::exception& e) {
    fmt::print(stderr, "history_bench: {}\n", e.what());
    return 1;
  }
  fmt::print(stderr, "unknown subcommand\n");
  return 2;
}
