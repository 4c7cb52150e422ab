#include "subagents/intent/rules.h"

#include <fmt/format.h>

#include "subagents/intent/text.h"

namespace reviewer::intent {

const std::map<std::string, Severity, std::less<>>& intent_rules() {
  // Severity policy (DESIGN.md): error -> request_changes, warning -> comment.
  // `error` is kept for findings where the PR's own words tell a reviewer
  // they need not read the code, while the code changes behaviour: the
  // premise of the human review is false, so the PR must be retitled or
  // split before anyone approves it. Everything that is a matter of
  // description quality or a heuristic on scope stays a warning.
  static const std::map<std::string, Severity, std::less<>> rules = [] {
    std::map<std::string, Severity, std::less<>> r = {
        {std::string(rule::empty_description), Severity::warning},
        {std::string(rule::vague_title), Severity::warning},
        {std::string(rule::no_why), Severity::warning},
        {std::string(rule::template_unfilled), Severity::warning},
        // The author says the work is unfinished: merging it (even after a
        // "comment" review) would ship what its author disowns.
        {std::string(rule::wip_not_draft), Severity::error},
        // The author calls the change provisional ("for now", "temporary
        // workaround", "try to"): such changes were reverted 4-6 times as
        // often as others on 22 public repositories (bench/README.md,
        // `## what gets reverted`). A person decides whether it lands.
        {std::string(rule::tentative), Severity::warning},
        {std::string(rule::missing_ticket), Severity::warning},
        // "Fix typo" that changes a condition or a number is the classic
        // behaviour change smuggled past a tired reviewer.
        {std::string(rule::copy_changes_logic), Severity::error},
        {std::string(rule::test_changes_source), Severity::warning},
        {std::string(rule::deps_changes_code), Severity::warning},
        // A revert may legitimately differ after conflict resolution.
        {std::string(rule::revert_not_inverse), Severity::warning},
        {std::string(rule::revert_unverified), Severity::info},
        {std::string(rule::unmentioned_area), Severity::warning},
        {std::string(rule::promise_not_kept), Severity::warning},
    };
    // Docs and style PRs promise no behaviour change at all: error.
    // chore/ci/build touching code is common enough in practice: warning.
    r[kind_rule("docs", "code")] = Severity::error;
    r[kind_rule("style", "code")] = Severity::error;
    r[kind_rule("chore", "code")] = Severity::warning;
    r[kind_rule("ci", "code")] = Severity::warning;
    r[kind_rule("build", "code")] = Severity::warning;
    // Heuristics over assertions and declarations: a human should look.
    for (const char* k : {"refactor", "style", "perf"}) r[kind_rule(k, "tests")] = Severity::warning;
    for (const char* k : {"refactor", "perf"}) r[kind_rule(k, "signature")] = Severity::warning;
    return r;
  }();
  return rules;
}

std::string kind_rule(std::string_view kind, std::string_view what) {
  return fmt::format("intent/kind-mismatch/{}-changes-{}", kind, what);
}

Finding make(const IntentConfig& config, std::string_view rule, std::string path, int line,
             std::string message, std::string evidence, std::string suggestion) {
  Finding f;
  f.rule = std::string(rule);
  auto over = config.severity.find(rule);
  if (over != config.severity.end()) {
    f.severity = over->second;
  } else {
    auto def = intent_rules().find(rule);
    f.severity = def == intent_rules().end() ? Severity::warning : def->second;
  }
  f.path = std::move(path);
  f.line = line;
  f.end_line = line;
  f.message = std::move(message);
  f.evidence = redact(evidence, 400);
  f.suggestion = std::move(suggestion);
  f.shadow = config.shadow.count(rule) > 0;
  return f;
}

}  // namespace reviewer::intent
