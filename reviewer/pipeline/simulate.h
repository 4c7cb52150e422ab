// `reviewer simulate`: replays stored cases under a guidance directory and
// compares the decisions with the expected ones (and, optionally, with a
// baseline guidance directory), so a guidance change is tested against past
// pull requests before it goes live.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "reviewer/core/review_result.h"

namespace reviewer {

struct SimulationCase {
  std::string name;             // "file:line" of the case, or the commit sha
  std::filesystem::path repo;
  std::string base, head;
  std::optional<std::string> title, body;
  std::optional<DecisionKind> expected;
  // A commit of a range: its summary is added to the name once reviewed,
  // from the result (masked by the redactor), never from the raw commit.
  bool name_from_title = false;
};

struct SimulationOutcome {
  SimulationCase c;
  std::optional<ReviewResult> result;  // empty when the case could not run
  std::string error;
};

// Reads a JSONL file: one object per line with "repo", "head", and
// optionally "base", "title", "body", "expected", "name". Relative repo
// paths are relative to the file's folder. Blank lines and lines starting
// with '#' are skipped. Throws reviewer::Error naming "file:line" on a bad
// line.
std::vector<SimulationCase> load_simulation_cases(const std::filesystem::path& file);

// Every commit of `range` ("A..B") of `repo`, each reviewed against its first
// parent as if it were a pull request.
std::vector<SimulationCase> simulation_cases_from_range(const std::filesystem::path& repo,
                                                        const std::string& range);

// Reviews every case under `guidance_dirs` on `threads` threads. Outcomes
// are in case order.
std::vector<SimulationOutcome> run_simulation(const std::vector<SimulationCase>& cases,
                                              const std::vector<std::filesystem::path>& guidance_dirs,
                                              int threads);

// The report: one line per case (with the revert risk when the history
// agent estimated one), the confusion table against the expected decisions,
// and with a baseline, the cases whose decision changed and the findings (by
// id) that appeared or disappeared.
std::string render_simulation(const std::vector<SimulationOutcome>& outcomes,
                              const std::vector<SimulationOutcome>* baseline);

// 0 when every case with an expectation matched it and none failed to run,
// else 1.
int simulation_exit_code(const std::vector<SimulationOutcome>& outcomes);

}  // namespace reviewer
