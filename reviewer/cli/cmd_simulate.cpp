// `reviewer simulate`: replays stored cases (or every commit of a range)
// under a guidance directory, optionally against a baseline directory.
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "reviewer/cli/cli.h"
#include "reviewer/core/error.h"
#include "reviewer/pipeline/simulate.h"

namespace reviewer {

namespace {

struct SimulateOptions {
  std::string cases;
  std::string repo;
  std::string range;
  std::vector<std::string> guidance;
  std::string baseline;
  int threads = 0;
};

int run_simulate(const SimulateOptions& o) {
  if (o.cases.empty() == o.range.empty()) {
    throw Error(Error::Code::usage, "give either --cases FILE or --range A..B (with --repo)");
  }
  auto cases = o.cases.empty() ? simulation_cases_from_range(o.repo.empty() ? "." : o.repo, o.range)
                               : load_simulation_cases(o.cases);
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::filesystem::path> dirs(o.guidance.begin(), o.guidance.end());
  auto outcomes = run_simulation(cases, dirs, threads);
  std::optional<std::vector<SimulationOutcome>> baseline;
  if (!o.baseline.empty()) baseline = run_simulation(cases, {o.baseline}, threads);
  std::string report = render_simulation(outcomes, baseline ? &*baseline : nullptr);
  std::fwrite(report.data(), 1, report.size(), stdout);
  return simulation_exit_code(outcomes);
}

}  // namespace

void add_simulate_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Replay past pull requests under a guidance directory and compare decisions; exit 1 if any case "
      "differs from its expected decision or cannot run");
  cmd->add_option("--cases", o->cases,
                  "JSONL file, one case per line: {\"repo\", \"base\", \"head\", \"title\", \"body\", \"expected\"}");
  cmd->add_option("--repo", o->repo, "Repository for --range (default: the current directory)");
  cmd->add_option("--range", o->range, "Review every commit of A..B against its parent, as if each were a PR");
  cmd->add_option("--guidance", o->guidance, "Guidance directory to test (repeatable; layered over the defaults)");
  cmd->add_option("--baseline", o->baseline,
                  "Guidance directory to compare with: list the cases whose decision or findings change");
  cmd->add_option("--threads", o->threads, "Cases reviewed in parallel (default: one per core)");
  cmd->callback([&run, o] { run = [o] { return run_simulate(*o); }; });
}

}  // namespace reviewer
