#include "reviewer/pipeline/guidance_report.h"

#include <fmt/format.h>

namespace reviewer {

namespace {

constexpr const char* kRule = "guidance/invalid-repository-guidance";
constexpr const char* kPath = ".github/reviewer.yml";

Finding finding(int line, std::string message, std::string evidence, std::string suggestion) {
  Finding f;
  f.rule = kRule;
  f.severity = Severity::warning;
  f.path = kPath;
  f.line = line;
  f.end_line = line;
  f.message = std::move(message);
  f.evidence = std::move(evidence);
  f.suggestion = std::move(suggestion);
  f.id = make_finding_id(f.rule, f.path, f.message);
  return f;
}

}  // namespace

std::optional<AgentReport> guidance_report(const Guidance& guidance, const std::string& problem) {
  if (problem.empty() && guidance.refused.empty()) return std::nullopt;
  AgentReport g;
  g.name = "guidance";
  if (!problem.empty()) {
    // Reported like an agent that could not judge, so the policy fails closed.
    g.status = AgentStatus::failed;
    g.error = problem;
    g.findings.push_back(
        finding(0,
                "The repository's guidance file could not be used; this change was reviewed "
                "under the layers below it and cannot be approved automatically.",
                problem.substr(0, 400),
                "Fix the file on the base branch (`reviewer guidance check` shows file:line:col)."));
  }
  for (const auto& r : guidance.refused) {
    g.findings.push_back(finding(
        r.line,
        fmt::format(
            "The repository's guidance file may not loosen `{}`, so that setting was ignored (the rest of "
            "the file applies): {}.",
            r.key, r.reason),
        fmt::format("{}: {}", r.location, r.key),
        "Remove the setting from the file on the base branch, or ask the operator to change it in the "
        "organisation's guidance; guidance/README.md lists what a repository may set."));
  }
  return g;
}

}  // namespace reviewer
