// The secrets corpus (tests/data/secrets, written by make_corpus.py before
// the rules it scores were changed): loading, and scoring the safety agent's
// secret rules on it case by case. Shared by the test and safety_bench.
#pragma once

#include <string>
#include <vector>

#include "subagents/agent.h"
#include "subagents/safety/case_score.h"
#include "subagents/safety/jsonl.h"
#include "subagents/safety/safety_fixtures.h"

namespace reviewer::test {

struct SecretCase : LabelledCase {
  std::vector<std::string> lines;  // the file's added lines, split markers removed
};

inline std::vector<SecretCase> load_secret_corpus(const std::string& path, bool positive) {
  std::vector<SecretCase> out;
  for (const auto& j : read_jsonl(path)) {
    SecretCase c;
    c.read_labels(j, positive);
    std::string text = j.value("text", "");
    for (auto p = text.find("<<>>"); p != std::string::npos; p = text.find("<<>>")) text.erase(p, 4);
    c.lines = split_lines(text);
    out.push_back(std::move(c));
  }
  return out;
}

inline AgentContext secret_context(const SecretCase& c) {
  return context_with({added_lines(c.path, c.lines, ChangeKind::added)}, "Update configuration",
                      "Adds the settings the service needs.");
}

using SecretScore = CaseScore;

inline void score_secret_case(const SecretCase& c, const std::vector<Finding>& findings, SecretScore& s) {
  std::string rule;
  for (const auto& f : findings) {
    if (f.rule.rfind("safety/secret/", 0) == 0) rule = f.rule;
  }
  s.add(c.positive, rule, c.id + " " + c.source + " (" + c.path + ")");
}

}  // namespace reviewer::test
