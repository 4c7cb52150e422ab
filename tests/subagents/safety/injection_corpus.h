// The reviewer-directed text corpus (tests/data/injection: positive.jsonl,
// written from public writing on prompt injection; negative.jsonl, ordinary
// PR descriptions and commit messages of public repositories): loading, and
// scoring the safety agent on it. Shared by the test and safety_bench.
#pragma once

#include <string>
#include <vector>

#include "subagents/agent.h"
#include "subagents/safety/case_score.h"
#include "subagents/safety/jsonl.h"
#include "subagents/safety/safety_fixtures.h"

namespace reviewer::test {

struct InjectionCase : LabelledCase {
  std::string where;  // title | body | commit | pr (title and body) | comment | doc | string | config | name (a file path)
  std::string text, title, body;
};

inline std::vector<InjectionCase> load_injection_corpus(const std::string& path, bool positive) {
  std::vector<InjectionCase> out;
  for (const auto& j : read_jsonl(path)) {
    InjectionCase c;
    c.read_labels(j, positive);
    c.where = j.value("where", "");
    c.text = j.value("text", "");
    c.title = j.value("title", "");
    c.body = j.value("body", "");
    out.push_back(std::move(c));
  }
  return out;
}

// What the safety agent sees for a case: the text in its position of a PR.
inline AgentContext injection_context(const InjectionCase& c) {
  // A configuration file's lines are added lines like any other file's
  // (heldout6 has seven such rows; before session 22 they reached no text
  // the agent reads and always counted as misses).
  if (c.where == "comment" || c.where == "doc" || c.where == "string" || c.where == "config") {
    return context_with({added_lines(c.path, split_lines(c.text))}, "Update " + c.path, "Small change.");
  }
  if (c.where == "name") return context_with({added_lines(c.text, {"notes"})}, "Add notes", "Small change.");
  AgentContext ctx = context_with({added_lines("src/app.py", {"x = 1"})}, "Update the app", "");
  if (c.where == "title") ctx.pr.title = c.text;
  if (c.where == "body") ctx.pr.body = c.text;
  if (c.where == "pr") {
    ctx.pr.title = c.title;
    ctx.pr.body = c.body;
  }
  if (c.where == "commit") ctx.pr.commit_messages = {c.text};
  return ctx;
}

// A finding that says the text addresses an automated reviewer.
inline bool reviewer_directed(const Finding& f) { return f.rule.find("/prompt-injection-") != std::string::npos; }

using InjectionScore = CaseScore;

inline void score_injection(const InjectionCase& c, const std::vector<Finding>& findings, InjectionScore& s) {
  std::string hit;
  for (const auto& f : findings) {
    if (reviewer_directed(f)) hit = f.rule;
  }
  s.add(c.positive, hit, c.positive ? c.id + " [" + c.category + ", " + c.where + "]" : c.id);
}

}  // namespace reviewer::test
