// Benchmark of the history index and the history agent (issue 16).
//
//   history_bench cold REPO [REV]          cold index of the first-parent line to REV: time, commits, size, RSS
//   history_bench incremental REPO [N]     index to REV~N, then N one-commit updates in memory, then a new process's load
//   history_bench score REPO [REV]         the history agent on REV as a PR against its parent: cold, then warm
//   history_bench monorepo FILES           a generated repository of FILES files: the agent within its deadline
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

// REV as a pull request against its first parent, and the history agent.
struct AgentRun {
  std::shared_ptr<AgentContext> ctx;
  std::shared_ptr<const Agent> agent;
};

AgentRun history_agent_on(const git::Repository& repo, const std::string& rev) {
  const std::string head = repo.resolve(rev);
  const auto info = repo.commit(head);
  if (info.parents.empty()) throw Error(Error::Code::usage, "the commit needs a parent");
  AgentRun run;
  run.ctx = std::make_shared<AgentContext>();
  auto& ctx = *run.ctx;
  ctx.guidance = load_guidance();
  ctx.repo_path = repo.path();
  ctx.pr.base_sha = info.parents[0];
  ctx.pr.head_sha = head;
  ctx.pr.title = info.summary;
  ctx.pr.body = info.body;
  git::DiffOptions dopts;
  ctx.diff = repo.diff(info.parents[0], head, info.parents[0], dopts);
  for (auto& a : make_agents()) {
    if (a->name() == "history") run.agent = std::move(a);
  }
  return run;
}

// A monorepo of `files` files (1,000 per folder, all one blob) in one
// commit, then `later` commits of one changed file each: how the index and
// the agent cope with a tree of a million files. Written with libgit2 into
// a scratch bare repository.
std::string make_monorepo(const fs::path& dir, std::size_t files, int later) {
  git_repository* raw = nullptr;
  git::check(git_repository_init(&raw, dir.c_str(), 1), "init");
  git::RepositoryPtr repo(raw);
  git_oid blob;
  const std::string text = "int x = 1;\n";
  git::check(git_blob_create_from_buffer(&blob, repo.get(), text.data(), text.size()), "blob");
  git_treebuilder* rb = nullptr;
  git::check(git_treebuilder_new(&rb, repo.get(), nullptr), "treebuilder");
  for (std::size_t d = 0; d * 1000 < files; ++d) {
    git_treebuilder* tb = nullptr;
    git::check(git_treebuilder_new(&tb, repo.get(), nullptr), "treebuilder");
    for (std::size_t f = 0; f < 1000 && d * 1000 + f < files; ++f) {
      git::check(git_treebuilder_insert(nullptr, tb, fmt::format("f{}.c", f).c_str(), &blob, GIT_FILEMODE_BLOB), "insert");
    }
    git_oid sub;
    git::check(git_treebuilder_write(&sub, tb), "write tree");
    git_treebuilder_free(tb);
    git::check(git_treebuilder_insert(nullptr, rb, fmt::format("pkg{}", d).c_str(), &sub, GIT_FILEMODE_TREE), "insert");
  }
  git_oid root;
  git::check(git_treebuilder_write(&root, rb), "write tree");
  git_treebuilder_free(rb);
  git_signature* sig = nullptr;
  std::int64_t t = 1700000000;
  git_oid parent, commit;
  bool has_parent = false;
  for (int i = 0; i <= later; ++i, t += 3600) {
    git::check(git_signature_new(&sig, "Dev", "dev@example.com", t, 0), "signature");
    git_tree* tree = nullptr;
    git::check(git_tree_lookup(&tree, repo.get(), &root), "tree");
    git_commit* p = nullptr;
    if (has_parent) git::check(git_commit_lookup(&p, repo.get(), &parent), "parent");
    const git_commit* parents[] = {p};
    git::check(git_commit_create(&commit, repo.get(), "refs/heads/main", sig, sig, nullptr,
                                 i == 0 ? "Import the monorepo" : fmt::format("Change {}", i).c_str(), tree,
                                 has_parent ? 1 : 0, parents),
               "commit");
    git_commit_free(p);
    git_signature_free(sig);
    // The next commit changes one file.
    const std::string changed = fmt::format("int x = {};\n", i + 2);
    git_oid b;
    git::check(git_blob_create_from_buffer(&b, repo.get(), changed.data(), changed.size()), "blob");
    git_tree_update up{};
    up.action = GIT_TREE_UPDATE_UPSERT;
    up.id = b;
    up.filemode = GIT_FILEMODE_BLOB;
    const std::string path = fmt::format("pkg{}/f{}.c", static_cast<std::size_t>(i) % (files / 1000 + 1), i % 1000);
    up.path = path.c_str();
    git::check(git_tree_create_updated(&root, repo.get(), tree, 1, &up), "update tree");
    git_tree_free(tree);
    parent = commit;
    has_parent = true;
  }
  git_reference* head = nullptr;
  git::check(git_reference_symbolic_create(&head, repo.get(), "HEAD", "refs/heads/main", 1, nullptr), "HEAD");
  git_reference_free(head);
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &commit);
  return hex;
}

int monorepo(std::size_t files) {
  const fs::path dir = scratch("monorepo");
  auto t0 = Clock::now();
  make_monorepo(dir, files, 20);
  fmt::print("monorepo: {} files in one commit and 20 one-file commits, written in {:.1f} s\n", files, ms_since(t0) / 1e3);
  auto repo = git::Repository::open(dir);
  // The agent as a review runs it: its own deadline from the shipped
  // guidance, indexing stopped at 80% of it.
  auto [ctx, agent] = history_agent_on(repo, "main");
  for (const char* what : {"first review (cold index)", "second review"}) {
    ctx->started = Clock::now();
    ctx->deadline.at = ctx->started + std::chrono::milliseconds(ctx->guidance.deadline_ms("history"));
    const double c0 = cpu_ms();
    t0 = Clock::now();
    std::string outcome;
    try {
      auto out = agent->assess(*ctx);
      outcome = out.risk ? fmt::format("risk {:.3f} ({} model)", out.risk->probability, out.risk->model) : "no risk";
      for (const auto& f : out.findings) outcome += fmt::format("; {}: {}", f.rule, f.message);
    } catch (const Error& e) {
      outcome = fmt::format("error ({}): {}", e.code() == Error::Code::timeout ? "timed_out" : "failed", e.what());
    }
    fmt::print("{}: {:.1f} s wall, {:.1f} s CPU; {}; peak RSS {} MB\n", what, ms_since(t0) / 1e3, (cpu_ms() - c0) / 1e3,
               outcome, peak_rss_mb());
  }
  std::error_code ec;
  const auto index_bytes = fs::file_size(history::index_file(history::default_dir(repo.get())), ec);
  fmt::print("index file {:.1f} MB\n", static_cast<double>(index_bytes) / 1e6);
  fs::remove_all(dir);
  return 0;
}

int score(const git::Repository& repo, const std::string& rev) {
  auto [ctx, agent] = history_agent_on(repo, rev);
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
    fmt::print(stderr, "usage: history_bench cold|incremental|score REPO [REV|N] | monorepo FILES\n");
    return 2;
  }
  try {
    const std::string cmd = argv[1];
    if (cmd == "monorepo") return monorepo(std::stoul(argv[2]));
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
