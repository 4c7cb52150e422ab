// Every key a repository's .github/reviewer.yml may hold, loosening and
// tightening: the table of guidance/README.md ("A repository's own file").
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "guidance/guidance.h"
#include <fmt/format.h>

#include "reviewer/core/error.h"

using namespace reviewer;
using nlohmann::json;

namespace {

constexpr const char* kFile = ".github/reviewer.yml@abc";

// An operator who enabled auto-approve, protects infra/, switched one
// safety rule off and set the history agent's limits.
const Guidance& operator_layer() {
  static const Guidance g = load_guidance_texts({{"org.yml", R"(
auto_approve:
  enabled: true
  repositories: ["acme/*"]
  excluded_authors: ["mallory"]
protected_paths: [".github/workflows/**", "infra/**"]
safety:
  test_severity: warning
  rules:
    jwt: {state: "off"}
logic:
  rules:
    logic/todo-comment: {state: shadow}
intent:
  ticket: {required: true}
history:
  approve_share: 0.5
  threshold: 0.3
  window_days: 90
)"}});
  return g;
}

Guidance layer(const std::string& yaml, const Guidance& op = operator_layer()) {
  return layer_repository(op, kFile, yaml);
}

std::vector<std::string> refused(const Guidance& g) {
  std::vector<std::string> keys;
  for (const auto& r : g.refused) keys.push_back(r.key);
  return keys;
}

// The keys a repository file's `yaml` had refused, in file order, joined by ", ".
std::string refused_keys(const std::string& yaml, const Guidance& op = operator_layer()) {
  return fmt::format("{}", fmt::join(refused(layer(yaml, op)), ", "));
}

// A value of the merged document by keys (rule ids hold '/').
json at(const Guidance& g, std::initializer_list<const char*> keys) {
  const json* j = &g.document;
  for (const char* k : keys) {
    if (!j->is_object() || !j->contains(k)) return nullptr;
    j = &(*j)[k];
  }
  return *j;
}

}  // namespace

TEST_SUITE("guidance::repository layer") {
  TEST_CASE("size limits may only be lowered") {
    for (const char* key : {"max_lines", "max_files", "max_areas"}) {
      CAPTURE(key);
      Guidance up = layer(fmt::format("thresholds:\n  auto_approve:\n    {}: 100000\n", key));
      CHECK(fmt::format("{}", fmt::join(refused(up), ", ")) ==
            fmt::format("thresholds.auto_approve.{}", key));
      CHECK(at(up, {"thresholds", "auto_approve", key}) ==
            at(operator_layer(), {"thresholds", "auto_approve", key}));
      Guidance down = layer(fmt::format("thresholds:\n  auto_approve:\n    {}: 2\n", key));
      CHECK(down.refused.empty());
      CHECK(at(down, {"thresholds", "auto_approve", key}) == 2);
    }
    Guidance g = layer("thresholds:\n  auto_approve:\n    max_lines: 100000\n");
    REQUIRE(g.refused.size() == 1);
    CHECK(g.refused[0].location == std::string(kFile) + ":3:5");
    CHECK(g.refused[0].line == 3);
    CHECK(g.refused[0].reason ==
          "may only be lowered: the operator's value is 400, the file asks for 100000");
    CHECK(g.auto_approve.max_lines == 400);
  }

  TEST_CASE("max_file_bytes may only be lowered (a smaller cap makes files partial: a human looks)") {
    CHECK(refused_keys("thresholds:\n  max_file_bytes: 99999999\n") == "thresholds.max_file_bytes");
    Guidance g = layer("thresholds:\n  max_file_bytes: 4096\n");
    CHECK(g.refused.empty());
    CHECK(g.max_file_bytes == 4096);
  }

  TEST_CASE("partial-review limits may only be lowered (a partial review needs a human)") {
    CHECK(refused_keys("thresholds:\n  partial_review:\n    max_lines: 90000\n    max_bytes: 90000000\n") ==
          "thresholds.partial_review.max_lines, thresholds.partial_review.max_bytes");
    Guidance g = layer("thresholds:\n  partial_review:\n    max_lines: 1000\n");
    CHECK(g.refused.empty());
    CHECK(g.partial_review.max_lines == 1000);
    CHECK(g.partial_review.max_bytes == 50000000);
  }

  TEST_CASE("deadlines may only be lowered; an agent without its own compares with the default") {
    CHECK(refused_keys(
              "thresholds:\n  deadlines_ms:\n    default: 60000\n    size: 5000\n    safety: 20000\n") ==
          "thresholds.deadlines_ms.default, thresholds.deadlines_ms.size, thresholds.deadlines_ms.safety");
    Guidance g = layer("thresholds:\n  deadlines_ms:\n    default: 5000\n    size: 1000\n    safety: 3000\n");
    CHECK(g.refused.empty());
    CHECK(g.default_deadline_ms == 5000);
    CHECK(g.deadline_ms("size") == 1000);
    CHECK(g.deadline_ms("safety") == 3000);
  }

  TEST_CASE("protected paths are only added: the operator's stay whatever the file lists") {
    Guidance none = layer("protected_paths: []\n");
    CHECK(none.refused.empty());
    CHECK(none.protected_matcher.matches("infra/prod/main.tf"));
    CHECK(none.protected_matcher.matches(".github/workflows/ci.yml"));
    Guidance more = layer("protected_paths: [\"db/migrations/**\"]\n");
    CHECK(more.protected_matcher.matches("db/migrations/001.sql"));
    CHECK(more.protected_matcher.matches("infra/prod/main.tf"));
  }

  TEST_CASE("excluded paths are only narrowed: an exclusion the operator does not have is refused") {
    Guidance g = layer("excluded_paths: [\"**\", \"vendor/**\", \"src/**\"]\n");
    CHECK(refused(g) == std::vector<std::string>{"excluded_paths", "excluded_paths"});
    REQUIRE(g.refused.size() == 2);
    CHECK(g.refused[0].location == std::string(kFile) + ":1:18");
    CHECK(g.refused[0].reason ==
          "a repository may remove entries, never add them: \"**\" is not in the operator's list");
    CHECK(g.excluded_paths == operator_layer().excluded_paths);  // the key is ignored whole
    CHECK_FALSE(g.excluded_matcher.matches("src/app.py"));
    Guidance fewer = layer("excluded_paths: [\"vendor/**\"]\n");
    CHECK(fewer.refused.empty());
    CHECK(fewer.excluded_paths == std::vector<std::string>{"vendor/**"});
    CHECK_FALSE(fewer.excluded_matcher.matches("package-lock.json"));  // removed: counted again
    Guidance none = layer("excluded_paths: []\n");
    CHECK(none.refused.empty());
    CHECK(none.excluded_paths.empty());
  }

  TEST_CASE("auto-approve: only switched off, authors and paths only added, repositories not at all") {
    Guidance on = layer("auto_approve:\n  enabled: true\n", load_guidance());
    CHECK(refused(on) == std::vector<std::string>{"auto_approve.enabled"});
    CHECK_FALSE(on.auto_approve_policy.enabled);
    Guidance off = layer("auto_approve:\n  enabled: false\n");
    CHECK(off.refused.empty());
    CHECK_FALSE(off.auto_approve_policy.enabled);

    CHECK(refused_keys("auto_approve:\n  repositories: [\"*\"]\n") == "auto_approve.repositories");
    CHECK(
        layer("auto_approve:\n  repositories: [\"acme/*\"]\n").refused.empty());  // the operator's own value

    Guidance more = layer("auto_approve:\n  excluded_authors: [\"eve\"]\n  excluded_paths: [\"docs/**\"]\n");
    CHECK(more.refused.empty());
    CHECK(more.auto_approve_policy.excluded_authors == std::vector<std::string>{"mallory", "eve"});
    CHECK(more.auto_approve_policy.excluded_paths == std::vector<std::string>{"docs/**"});
    CHECK_FALSE(auto_approve_verdict(more, "acme/api", "Mallory", {"a.go"}).allowed);
  }

  TEST_CASE("safety rules are only switched on or raised; their patterns are the operator's") {
    CHECK(refused_keys("safety:\n  rules:\n    aws-access-key: {state: \"off\"}\n") ==
          "safety.rules.aws-access-key.state");
    CHECK(refused_keys("safety:\n  rules:\n    aws-access-key:\n      state: off\n") ==  // YAML: false
          "safety.rules.aws-access-key.state");
    CHECK(layer("safety:\n  rules:\n    jwt:\n      state: on\n").refused.empty());  // YAML: true
    CHECK(refused_keys("safety:\n  rules:\n    aws-access-key: {state: shadow}\n") ==
          "safety.rules.aws-access-key.state");
    CHECK(refused_keys("safety:\n  rules:\n    python-shell-true: {severity: info}\n") ==
          "safety.rules.python-shell-true.severity");
    CHECK(refused_keys("safety:\n  rules:\n    jwt: {pattern: 'never-matches'}\n") ==
          "safety.rules.jwt.pattern");
    CHECK(refused_keys("safety:\n  rules:\n    jwt: {exclude_paths: ['**']}\n") ==
          "safety.rules.jwt.exclude_paths");

    Guidance up =
        layer("safety:\n  rules:\n    jwt: {state: \"on\"}\n    python-shell-true: {severity: critical}\n");
    CHECK(up.refused.empty());
    CHECK(at(up, {"safety", "rules", "jwt", "state"}) == "on");
    CHECK(at(up, {"safety", "rules", "python-shell-true", "severity"}) == "critical");
    CHECK(at(up, {"safety", "rules", "jwt", "kind"}) == "secret");  // the rest of the rule is untouched
  }

  TEST_CASE("a repository may add code and file safety rules, not secret or hidden ones") {
    Guidance code = layer(
        "safety:\n  rules:\n    no-debug-print:\n      kind: code\n      pattern: 'DEBUG'\n      severity: "
        "warning\n"
        "      message: m\n      why: w\n      fix: f\n");
    CHECK(code.refused.empty());
    CHECK(at(code, {"safety", "rules", "no-debug-print", "pattern"}) == "DEBUG");
    for (const char* kind : {"secret", "hidden"}) {
      CAPTURE(kind);
      Guidance g =
          layer(fmt::format("safety:\n  rules:\n    mine:\n      kind: {}\n      pattern: 'AKIA'\n", kind));
      CHECK(refused(g) == std::vector<std::string>{"safety.rules.mine"});
      CHECK(at(g, {"safety", "rules", "mine"}).is_null());
    }
  }

  TEST_CASE(
      "safety's section keys: test severity raised, test paths and placeholders narrowed, the rest fixed") {
    CHECK(refused_keys("safety:\n  test_severity: info\n") == "safety.test_severity");
    CHECK(at(layer("safety:\n  test_severity: error\n"), {"safety", "test_severity"}) == "error");
    CHECK(refused_keys("safety:\n  test_paths: ['**']\n") == "safety.test_paths");
    Guidance fewer = layer("safety:\n  test_paths: ['**/tests/**']\n");
    CHECK(fewer.refused.empty());
    CHECK(at(fewer, {"safety", "test_paths"}) == json::array({"**/tests/**"}));
    CHECK(refused_keys("safety:\n  placeholders: ['.*']\n") == "safety.placeholders");
    CHECK(layer("safety:\n  placeholders: []\n").refused.empty());
    CHECK(refused_keys("safety:\n  languages:\n    python: ['*.nothing']\n") == "safety.languages");
    CHECK(refused_keys("safety:\n  max_findings_per_rule_per_file: 1\n") ==
          "safety.max_findings_per_rule_per_file");
  }

  TEST_CASE("logic rules: only on or raised, new rules welcome, tests and tracing are the operator's") {
    CHECK(refused_keys("logic:\n  rules:\n    logic/debug-leftover: {state: \"off\"}\n") ==
          "logic.rules.logic/debug-leftover.state");
    CHECK(refused_keys("logic:\n  rules:\n    logic/debug-leftover: {enabled: false}\n") ==
          "logic.rules.logic/debug-leftover.enabled");
    CHECK(refused_keys("logic:\n  rules:\n    logic/debug-leftover: {severity: info}\n") ==
          "logic.rules.logic/debug-leftover.severity");
    CHECK(refused_keys("logic:\n  rules:\n    logic/debug-leftover: {patterns: []}\n") ==
          "logic.rules.logic/debug-leftover.patterns");
    Guidance up = layer(
        "logic:\n  rules:\n    logic/todo-comment: {state: \"on\", severity: warning}\n"
        "    logic/mine: {severity: warning, why: w, fix: f, patterns: [{match: 'x'}]}\n");
    CHECK(up.refused.empty());
    CHECK(at(up, {"logic", "rules", "logic/todo-comment", "state"}) == "on");
    CHECK(at(up, {"logic", "rules", "logic/todo-comment", "severity"}) == "warning");
    CHECK(at(up, {"logic", "rules", "logic/mine", "severity"}) == "warning");

    CHECK(refused_keys("logic:\n  tests:\n    min_added_lines: 50\n") == "logic.tests.min_added_lines");
    CHECK(at(layer("logic:\n  tests:\n    min_added_lines: 1\n"), {"logic", "tests", "min_added_lines"}) ==
          1);
    CHECK(refused_keys("logic:\n  tests:\n    test_paths: ['**']\n") == "logic.tests.test_paths");
    CHECK(refused_keys("logic:\n  tracing:\n    max_literal_hits: 1\n") == "logic.tracing");
  }

  TEST_CASE("intent: rules only on or raised, description limits only stricter, vocabularies fixed") {
    CHECK(refused_keys("intent:\n  rules:\n    intent/no-why: {state: \"off\"}\n") ==
          "intent.rules.intent/no-why.state");
    // The operator's layers do not set this severity (the built-in one is
    // used), so only `critical`, which cannot be a lowering, may be set.
    CHECK(refused_keys("intent:\n  rules:\n    intent/wip-not-draft: {severity: warning}\n") ==
          "intent.rules.intent/wip-not-draft.severity");
    Guidance lower = layer("intent:\n  rules:\n    intent/wip-not-draft: {severity: warning}\n");
    REQUIRE(lower.refused.size() == 1);
    CHECK(lower.refused[0].reason ==
          "the operator's guidance does not set it (the agent's built-in value applies), so only critical is "
          "sure not to loosen it");
    CHECK(layer("intent:\n  rules:\n    intent/wip-not-draft: {severity: critical, state: \"on\"}\n")
              .refused.empty());
    CHECK(refused_keys("intent:\n  severity:\n    intent/vague-title: info\n") ==
          "intent.severity.intent/vague-title");

    CHECK(refused_keys("intent:\n  description:\n    min_body_chars: 1\n    min_title_words: 1\n"
                       "    min_unchecked_boxes: 10\n") ==
          "intent.description.min_body_chars, intent.description.min_title_words, "
          "intent.description.min_unchecked_boxes");
    Guidance strict = layer(
        "intent:\n  description:\n    min_body_chars: 80\n    min_title_words: 3\n"
        "    min_unchecked_boxes: 1\n");
    CHECK(strict.refused.empty());
    CHECK(at(strict, {"intent", "description", "min_body_chars"}) == 80);
    CHECK(refused_keys("intent:\n  ticket:\n    required: false\n") == "intent.ticket.required");
    CHECK(at(layer("intent:\n  ticket:\n    required: true\n", load_guidance()),
             {"intent", "ticket", "required"}) == true);
    CHECK(refused_keys("intent:\n  ticket:\n    pattern: '.'\n") == "intent.ticket.pattern");
    CHECK(refused_keys("intent:\n  description:\n    vague_titles: []\n") ==
          "intent.description.vague_titles");
    CHECK(refused_keys("intent:\n  kinds: {}\n") == "intent.kinds");
  }

  TEST_CASE("size: its rule only on or raised, pairs of generated files and sources only added") {
    CHECK(refused_keys("size:\n  rules:\n    size/generated-without-source: {state: \"off\"}\n") ==
          "size.rules.size/generated-without-source.state");
    CHECK(refused_keys("size:\n  rules:\n    size/generated-without-source: {severity: info}\n") ==
          "size.rules.size/generated-without-source.severity");
    CHECK(at(layer("size:\n  rules:\n    size/generated-without-source: {severity: error}\n"),
             {"size", "rules", "size/generated-without-source", "severity"}) == "error");
    Guidance more =
        layer("size:\n  generated_sources:\n    - {generated: ['*.gen.go'], sources: ['*.tmpl']}\n");
    CHECK(more.refused.empty());
    const json pairs = at(more, {"size", "generated_sources"});
    CHECK(pairs.size() == at(operator_layer(), {"size", "generated_sources"}).size() + 1);
    CHECK(pairs.back()["generated"] == json::array({"*.gen.go"}));
  }

  TEST_CASE("history: the approve share and the threshold only lowered, the rest fixed") {
    CHECK(refused_keys("history:\n  approve_share: 0.9\n  threshold: 0.8\n  window_days: 10\n") ==
          "history.approve_share, history.threshold, history.window_days");
    Guidance g = layer("history:\n  approve_share: 0.2\n  threshold: 0.1\n  window_days: 90\n");
    CHECK(g.refused.empty());
    CHECK(at(g, {"history", "approve_share"}) == 0.2);
    CHECK(at(g, {"history", "threshold"}) == 0.1);
  }

  TEST_CASE("a loosening key is ignored and the rest of the file still applies") {
    Guidance g = layer(R"(protected_paths: []
excluded_paths: ["**"]
thresholds:
  auto_approve: {max_lines: 100000, max_files: 1000, max_areas: 5}
  deadlines_ms: {default: 2000}
safety:
  rules:
    aws-access-key: {state: "off"}
    symlink-outside-repository: {state: "off"}
)");
    CHECK(refused(g) == std::vector<std::string>{"excluded_paths", "thresholds.auto_approve.max_lines",
                                                 "thresholds.auto_approve.max_files",
                                                 "thresholds.auto_approve.max_areas",
                                                 "safety.rules.aws-access-key.state",
                                                 "safety.rules.symlink-outside-repository.state"});
    CHECK(g.default_deadline_ms == 2000);  // a tightening key in the same file applies
    CHECK(g.protected_matcher.matches("infra/x.tf"));
    CHECK(g.excluded_paths == operator_layer().excluded_paths);  // ignored: the operator's exclusions stay
    CHECK(g.auto_approve.max_files == 25);
    CHECK(g.sources.back() == kFile);
  }

  TEST_CASE("a file that is not valid guidance is an error, as before") {
    CHECK_THROWS_WITH_AS(layer("colour: blue\n"),
                         doctest::Contains(".github/reviewer.yml@abc:1:1: unknown key"), Error);
    CHECK_THROWS_WITH_AS(layer("safety:\n  rules:\n    ? [a]\n    : b\n"),
                         doctest::Contains("keys must be plain strings"), Error);
    CHECK(layer("").refused.empty());
  }
}
