#include "reviewer/pipeline/simulate.h"

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reviewer/core/error.h"
#include "reviewer/git/repository.h"
#include "reviewer/pipeline/review.h"

namespace reviewer {

namespace {

constexpr DecisionKind kAll[] = {DecisionKind::approve, DecisionKind::comment,
                                 DecisionKind::request_changes, DecisionKind::needs_human};

std::optional<std::string> opt_string(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_string()) throw Error(Error::Code::invalid_input, fmt::format("{}: '{}' must be a string", where, key));
  return j[key].get<std::string>();
}

std::set<std::string> finding_ids(const ReviewResult& r) {
  std::set<std::string> ids;
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) ids.insert(f.rule + " " + f.id);
  }
  return ids;
}

// "  risk 42.1% (above 25.0%)": how the history agent judged the case, so a
// threshold change can be tried on past changes; empty without an estimate.
std::string risk_note(const ReviewResult& r) {
  if (!r.risk) return "";
  return fmt::format("  risk {:.1f}% ({} {:.1f}%)", r.risk->probability * 100,
                     r.risk->above_threshold ? "above" : "below", r.risk->threshold * 100);
}

}  // namespace

std::vector<SimulationCase> load_simulation_cases(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(Error::Code::usage, fmt::format("cannot read cases file '{}'", file.string()));
  std::vector<SimulationCase> cases;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    const std::string where = fmt::format("{}:{}", file.string(), n);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      throw Error(Error::Code::invalid_input, fmt::format("{}: not a JSON object", where));
    }
    SimulationCase c;
    auto repo = opt_string(j, "repo", where);
    auto head = opt_string(j, "head", where);
    if (!repo || !head) throw Error(Error::Code::invalid_input, fmt::format("{}: 'repo' and 'head' are required", where));
    c.repo = std::filesystem::path(*repo).is_absolute() ? std::filesystem::path(*repo)
                                                        : file.parent_path() / *repo;
    c.head = *head;
    c.base = opt_string(j, "base", where).value_or("");
    c.title = opt_string(j, "title", where);
    c.body = opt_string(j, "body", where);
    c.name = opt_string(j, "name", where).value_or(where);
    if (auto e = opt_string(j, "expected", where)) {
      c.expected = parse_decision(*e);
      if (!c.expected) {
        throw Error(Error::Code::invalid_input,
                    fmt::format("{}: unknown expected decision '{}' (approve, comment, request_changes, needs_human)", where, *e));
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<SimulationCase> simulation_cases_from_range(const std::filesystem::path& repo_path,
                                                        const std::string& range) {
  auto repo = git::Repository::open(repo_path);
  std::vector<SimulationCase> cases;
  for (const auto& sha : repo.commits_in_range(range)) {
    auto info = repo.commit(sha);
    if (info.parents.empty()) continue;  // a root commit has no base to diff against
    SimulationCase c;
    c.name = sha.substr(0, 12);
    c.name_from_title = true;
    c.repo = repo_path;
    c.base = info.parents.front();
    c.head = sha;
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<SimulationOutcome> run_simulation(const std::vector<SimulationCase>& cases,
                                              const std::vector<std::filesystem::path>& guidance_dirs,
                                              int threads) {
  std::vector<SimulationOutcome> out(cases.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < cases.size(); i = next++) {
      const auto& c = cases[i];
      out[i].c = c;
      try {
        ReviewRequest req;
        req.repo = c.repo;
        req.base = c.base;
        req.head = c.head;
        req.title = c.title;
        req.body = c.body;
        req.guidance_dirs = guidance_dirs;
        req.trigger = "simulate";
        out[i].result = review_repository(req);
        if (c.name_from_title) out[i].c.name += " " + out[i].result->pr.title.substr(0, 60);
      } catch (const std::exception& e) {
        out[i].error = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

std::string render_simulation(const std::vector<SimulationOutcome>& outcomes,
                              const std::vector<SimulationOutcome>* baseline) {
  std::string out;
  std::map<std::pair<int, int>, int> confusion;  // (expected, actual) -> count
  int with_expectation = 0, matched = 0, errors = 0, with_risk = 0, above_risk = 0;
  for (const auto& o : outcomes) {
    if (!o.result) {
      ++errors;
      out += fmt::format("{}: error: {}\n", o.c.name, o.error);
      continue;
    }
    auto got = o.result->decision.kind;
    std::string mark;
    if (o.c.expected) {
      ++with_expectation;
      confusion[{static_cast<int>(*o.c.expected), static_cast<int>(got)}]++;
      if (*o.c.expected == got) {
        ++matched;
      } else {
        mark = fmt::format("  (expected {})", to_string(*o.c.expected));
      }
    }
    if (o.result->risk) {
      ++with_risk;
      above_risk += o.result->risk->above_threshold ? 1 : 0;
    }
    out += fmt::format("{}: {}{}{}\n", o.c.name, to_string(got), mark, risk_note(*o.result));
  }
  out += fmt::format("\n{} cases, {} with an expected decision, {} matched, {} could not run\n",
                     outcomes.size(), with_expectation, matched, errors);
  if (with_risk > 0) {
    out += fmt::format("{} cases with a revert-risk estimate, {} above the threshold\n", with_risk, above_risk);
  }
  if (with_expectation > 0) {
    out += fmt::format("\n{:<18}", "expected \\ got");
    for (auto d : kAll) out += fmt::format("{:>17}", to_string(d));
    out += "\n";
    for (auto e : kAll) {
      out += fmt::format("{:<18}", to_string(e));
      for (auto g : kAll) out += fmt::format("{:>17}", confusion[{static_cast<int>(e), static_cast<int>(g)}]);
      out += "\n";
    }
  }
  if (baseline) {
    out += "\nChanges against the baseline guidance:\n";
    int changed = 0;
    for (size_t i = 0; i < outcomes.size() && i < baseline->size(); ++i) {
      const auto& now = outcomes[i];
      const auto& before = (*baseline)[i];
      if (!now.result || !before.result) continue;
      auto a = finding_ids(*before.result), b = finding_ids(*now.result);
      std::vector<std::string> added, removed;
      for (const auto& id : b) if (!a.count(id)) added.push_back(id);
      for (const auto& id : a) if (!b.count(id)) removed.push_back(id);
      bool decision_changed = now.result->decision.kind != before.result->decision.kind;
      if (!decision_changed && added.empty() && removed.empty()) continue;
      ++changed;
      out += fmt::format("{}: {} -> {}\n", now.c.name, to_string(before.result->decision.kind),
                         to_string(now.result->decision.kind));
      for (const auto& id : added) out += fmt::format("  + {}\n", id);
      for (const auto& id : removed) out += fmt::format("  - {}\n", id);
    }
    if (changed == 0) out += "  none: every case has the same decision and findings\n";
  }
  return out;
}

int simulation_exit_code(const std::vector<SimulationOutcome>& outcomes) {
  for (const auto& o : outcomes) {
    if (!o.result) return 1;
    if (o.c.expected && *o.c.expected != o.result->decision.kind) return 1;
  }
  return 0;
}

}  // namespace reviewer
