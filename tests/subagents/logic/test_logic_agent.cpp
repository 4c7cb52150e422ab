#include <doctest/doctest.h>

#include <algorithm>
#include <stop_token>

#include <fmt/format.h>

#include "git_index/repo_fixture.h"
#include "reviewer/core/error.h"
#include "subagents/logic/config.h"
#include "subagents/logic/corpus.h"
#include "subagents/logic/logic_agent.h"
#include "subagents/logic/test_checks.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

AgentContext context_for(const std::string& diff_text, const Guidance& g = load_guidance_texts({})) {
  AgentContext ctx;
  ctx.guidance = g;
  ctx.diff = test::parse_unified_diff(diff_text);
  return ctx;
}

const char* kDebugDiff =
    "--- a/web/cart.js\n+++ b/web/cart.js\n@@ -1,2 +1,3 @@\n function total(items) {\n"
    "+  console.log(\"AKIAIOSFODNN7EXAMPLE\", items);\n }\n";

// A repository with commits `base` and `head`, and the context of
// reviewing the change between them there.
AgentContext context_at_head(const std::string& label, const test::Files& base, const test::Files& head) {
  auto dir = test::scratch_dir(label);
  auto repo = test::init_repo(dir);
  std::string b = test::commit_files(repo.get(), base, "");
  std::string h = test::commit_files(repo.get(), head, b);
  AgentContext ctx;
  ctx.guidance = load_guidance_texts({});
  ctx.diff = test::diff_commits(dir, b, h);
  ctx.repo_path = dir;
  ctx.pr.head_sha = h;
  return ctx;
}

}  // namespace

TEST_SUITE("logic agent") {
  TEST_CASE("the agent is named logic and reports the rule, line, why and fix") {
    auto agent = make_logic_agent();
    CHECK(agent->name() == "logic");
    auto findings = agent->review(context_for(kDebugDiff));
    REQUIRE(findings.size() == 1);
    const Finding& f = findings[0];
    CHECK(f.rule == "logic/debug-leftover");
    CHECK(f.severity == Severity::warning);
    CHECK(f.path == "web/cart.js");
    CHECK(f.line == 2);
    CHECK_FALSE(f.message.empty());
    CHECK_FALSE(f.suggestion.empty());
    // Evidence is the code with string contents blanked: literals (which
    // could be secrets) never leave the agent.
    CHECK(f.evidence == "console.log(\"\", items);");
  }

  TEST_CASE("a team can turn a rule off or change its severity in guidance") {
    auto agent = make_logic_agent();
    Guidance off = load_guidance_texts({{"team.yml", "logic:\n  rules:\n    logic/debug-leftover:\n      enabled: false\n"}});
    CHECK(agent->review(context_for(kDebugDiff, off)).empty());
    Guidance info = load_guidance_texts({{"team.yml", "logic:\n  rules:\n    logic/debug-leftover:\n      severity: info\n"}});
    auto f = agent->review(context_for(kDebugDiff, info));
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::info);
  }

  TEST_CASE("rule state: off drops a rule, shadow keeps its findings marked shadow") {
    auto agent = make_logic_agent();
    auto with_state = [&](const std::string& state) {
      return context_for(kDebugDiff, load_guidance_texts({{"team.yml", "logic:\n  rules:\n    logic/debug-leftover:\n"
                                                                       "      state: " + state + "\n"}}));
    };
    CHECK(agent->review(with_state("off")).empty());
    auto shadow = agent->review(with_state("shadow"));
    REQUIRE(shadow.size() == 1);
    CHECK(shadow[0].shadow);
    auto on = agent->review(with_state("on"));
    REQUIRE(on.size() == 1);
    CHECK_FALSE(on[0].shadow);
    CHECK_THROWS_WITH_AS(agent->review(with_state("sometimes")),
                         "guidance logic.rules.logic/debug-leftover.state: must be on, off or shadow, got \"sometimes\"",
                         Error);
  }

  TEST_CASE("bad logic guidance is an error naming the key and the value") {
    auto agent = make_logic_agent();
    auto bad = [&](const std::string& yaml) { return context_for(kDebugDiff, load_guidance_texts({{"t.yml", yaml}})); };
    CHECK_THROWS_WITH_AS(agent->review(bad("logic:\n  rules:\n    logic/x:\n      severity: huge\n      why: a\n      fix: b\n      check: self-comparison\n")),
                         "guidance logic.rules.logic/x.severity: must be info, warning, error or critical, got 'huge'",
                         Error);
    CHECK_THROWS_WITH_AS(agent->review(bad("logic:\n  rules:\n    logic/x:\n      severity: info\n      why: a\n      fix: b\n      patterns:\n        - match: '(unclosed'\n")),
                         doctest::Contains("logic.rules.logic/x.patterns[0].match: invalid regex '(unclosed'"), Error);
    CHECK_THROWS_WITH_AS(agent->review(bad("logic:\n  rules:\n    logic/x:\n      severity: info\n      why: a\n      fix: b\n      colour: red\n")),
                         doctest::Contains("guidance logic.rules.logic/x: unknown key 'colour'"), Error);
    CHECK_THROWS_WITH_AS(agent->review(bad("logic:\n  tracing:\n    max_evidence: 0\n")),
                         "guidance logic.tracing.max_evidence: must be an integer of at least 1, got 0", Error);
    CHECK_THROWS_WITH_AS(agent->review(bad("logic:\n  rules:\n    logic/x:\n      severity: info\n      why: a\n      fix: b\n      check: telepathy\n")),
                         doctest::Contains("unknown check 'telepathy'"), Error);
  }

  TEST_CASE("guidance check validates the logic section the same way review does") {
    auto agent = make_logic_agent();
    CHECK_NOTHROW(agent->check_guidance(load_guidance_texts({})));
    CHECK_THROWS_WITH_AS(agent->check_guidance(load_guidance_texts({{"t.yml", "logic:\n  colour: red\n"}})),
                         doctest::Contains("guidance logic: unknown key 'colour'"), Error);
  }

  TEST_CASE("an expired deadline stops the agent with a timeout error") {
    auto agent = make_logic_agent();
    auto ctx = context_for(kDebugDiff);
    ctx.deadline.at = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    CHECK_THROWS_AS(agent->review(ctx), Error);
  }

  TEST_CASE("generated and vendored files get the bug patterns like any file; binary files are not read") {
    auto agent = make_logic_agent();
    auto ctx = context_for(kDebugDiff);
    ctx.diff.files[0].generated = true;
    CHECK(agent->review(ctx).size() == 1);
    ctx.diff.files[0].generated = false;
    ctx.diff.files[0].vendored = true;
    CHECK(agent->review(ctx).size() == 1);
    ctx.diff.files[0].binary = true;
    CHECK(agent->review(ctx).empty());
  }

  TEST_CASE("a stop request stops the agent with a timeout error before the deadline") {
    auto agent = make_logic_agent();
    auto ctx = context_for(kDebugDiff);
    std::stop_source stop;
    ctx.deadline.stop = stop.get_token();
    CHECK(agent->review(ctx).size() == 1);
    stop.request_stop();
    try {
      agent->review(ctx);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == Error::Code::timeout);
      CHECK(std::string(e.what()).find("checking web/cart.js") != std::string::npos);
    }
  }

  TEST_CASE("source files changed without tests give one finding for the pull request, naming them") {
    auto agent = make_logic_agent();
    const std::string body = "@@ -1,2 +1,5 @@\n def add(x):\n+    if x < 0:\n+        raise ValueError(x)\n+    return x + 1\n";
    std::string diff;
    for (const char* path : {"app/cart.py", "app/tax.py", "app/ship.py"}) {
      diff += fmt::format("--- a/{0}\n+++ b/{0}\n", path) + body;
    }
    std::vector<Finding> missing;
    for (auto& f : agent->review(context_for(diff))) {
      if (f.rule == "logic/missing-test-change") missing.push_back(f);
    }
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].path.empty());
    CHECK(missing[0].line == 0);
    CHECK(missing[0].severity == Severity::info);
    CHECK(missing[0].message.find("Changed without their tests: app/cart.py, app/tax.py, app/ship.py.") !=
          std::string::npos);
    CHECK(missing[0].message.find("No test file changes in this pull request.") != std::string::npos);
  }

  TEST_CASE("the missing-test-change finding names ten files and counts the rest") {
    auto agent = make_logic_agent();
    const std::string body = "@@ -1,2 +1,5 @@\n def add(x):\n+    if x < 0:\n+        raise ValueError(x)\n+    return x + 1\n";
    std::string diff;
    for (int i = 0; i < 30; ++i) diff += fmt::format("--- a/app/m{0:02}.py\n+++ b/app/m{0:02}.py\n", i) + body;
    int missing = 0;
    for (auto& f : agent->review(context_for(diff))) {
      if (f.rule != "logic/missing-test-change") continue;
      ++missing;
      CHECK(f.message.find("app/m09.py and 20 more.") != std::string::npos);
      CHECK(f.message.find("app/m10.py") == std::string::npos);
    }
    CHECK(missing == 1);
  }

  TEST_CASE("test path templates expand per language layout") {
    auto cfg = logic::load_config(load_guidance_texts({}));
    auto py = logic::test_globs_for(cfg.tests, "app/cart.py");
    CHECK(std::find(py.begin(), py.end(), "app/test_cart.py") != py.end());
    auto go = logic::test_globs_for(cfg.tests, "main.go");
    CHECK(std::find(go.begin(), go.end(), "/main_test.go") != go.end());
    CHECK(logic::test_globs_for(cfg.tests, "README.md").empty());
  }

  TEST_CASE("tracing lists locations outside the PR and skips lines the PR adds") {
    test::Files base = {
        {"app/util.py", "def format_price(x):\n    return x\n"},
        {"app/a.py", "from app.util import format_price\nformat_price(1)\n"},
        {"app/b.py", "import app.util\napp.util.format_price(2)\n"},
    };
    test::Files head = base;
    head["app/util.py"] = "def format_amount(x):\n    return x\n";
    head["app/c.py"] = "format_price(3)\n";  // added by the PR: not evidence
    AgentContext ctx = context_at_head("logic-tracing", base, head);
    auto findings = make_logic_agent()->review(ctx);
    auto it = std::find_if(findings.begin(), findings.end(),
                           [](const Finding& f) { return f.rule == "logic/dangling-reference"; });
    REQUIRE(it != findings.end());
    CHECK(it->path == "app/util.py");
    CHECK(it->evidence == "app/a.py:2, app/b.py:2");
    CHECK(it->message.find("'format_price'") != std::string::npos);

    // Without a repository the same diff gets no tracing findings.
    ctx.repo_path.clear();
    auto plain = make_logic_agent()->review(ctx);
    CHECK(std::none_of(plain.begin(), plain.end(),
                       [](const Finding& f) { return f.rule == "logic/dangling-reference"; }));
  }

  TEST_CASE("a repository path that is not a repository is a clear error") {
    AgentContext ctx = context_for(kDebugDiff);
    ctx.repo_path = test::scratch_dir("not-a-repo");
    ctx.pr.head_sha = "0123456789012345678901234567890123456789";
    CHECK_THROWS_WITH_AS(make_logic_agent()->review(ctx), doctest::Contains("open repository"), Error);
  }
}

TEST_SUITE("logic agent: existing tests and partial reviews") {
  TEST_CASE("existing tests at head are named wherever the templates put them, and only those") {
    test::Files base = {
        {"app/cart.py", "def add(x):\n    return x\n"},
        {"app/test_cart.py", "def test_add():\n    pass\n"},             // {dir}/test_{name}.py
        {"tests/unit/test_cart.py", "def test_more():\n    pass\n"},     // tests/**/test_{name}.py
        {"lib/cart/test_cart.py", "def test_other():\n    pass\n"},     // no template names it
        {"go/main.go", "package main\n"},
        {"go/util_test.go", "package main\n"},                          // {dir}/*_test.go
    };
    test::Files head = base;
    head["app/cart.py"] = "def add(x):\n    if x < 0:\n        raise ValueError(x)\n    return x + 1\n";
    head["go/main.go"] = "package main\n\nfunc main() {\n\tprintln(1)\n\treturn\n}\n";
    AgentContext ctx = context_at_head("logic-existing-tests", base, head);
    auto findings = make_logic_agent()->review(ctx);
    auto it = std::find_if(findings.begin(), findings.end(),
                           [](const Finding& f) { return f.rule == "logic/missing-test-change"; });
    REQUIRE(it != findings.end());
    CHECK(it->message.find("app/cart.py (its tests app/test_cart.py, tests/unit/test_cart.py are not updated)") !=
          std::string::npos);
    CHECK(it->message.find("go/main.go (its tests go/util_test.go are not updated)") != std::string::npos);
    CHECK(it->message.find("lib/cart/test_cart.py") == std::string::npos);
  }

  TEST_CASE("above the partial-review limit the agent checks the first lines, skips tracing and says so") {
    const std::string body = "@@ -0,0 +1,3 @@\n+function f(a) {\n+  console.log(a);\n+}\n";
    std::string diff;
    for (int i = 0; i < 6; ++i) diff += fmt::format("--- /dev/null\n+++ b/web/m{}.js\n", i) + body;
    AgentContext ctx = context_for(diff, load_guidance_texts({{"t.yml", "thresholds:\n  partial_review:\n    max_lines: 6\n"}}));
    ctx.repo_path = "/nonexistent/not-a-repository";  // tracing would fail on it: it must not run
    ctx.pr.head_sha = "0123456789012345678901234567890123456789";
    auto agent = make_logic_agent();

    AgentOutput whole = agent->assess(context_for(diff));
    CHECK(whole.partial.empty());
    CHECK(std::count_if(whole.findings.begin(), whole.findings.end(),
                        [](const Finding& f) { return f.rule == "logic/debug-leftover"; }) == 6);

    ctx.above_partial_limit = true;
    AgentOutput part = agent->assess(ctx);
    CHECK(part.partial ==
          "the change is above the partial-review limit: checked the first 2 of 6 files (6 of 18 changed lines); "
          "tracing through the repository skipped");
    std::vector<std::string> paths;
    for (const auto& f : part.findings) {
      if (f.rule == "logic/debug-leftover") paths.push_back(f.path);
    }
    CHECK(paths == std::vector<std::string>{"web/m0.js", "web/m1.js"});

    SUBCASE("the budget ends inside a file's hunk, so one file of a million lines is not viewed whole") {
      // One hunk of ten debug lines, a budget of four: the views of the
      // other six are never built (each costs ~150 bytes a line).
      std::string big = "--- /dev/null\n+++ b/web/big.js\n@@ -0,0 +1,10 @@\n";
      for (int i = 0; i < 10; ++i) big += "+console.log(" + std::to_string(i) + ");\n";
      AgentContext one = context_for(big, load_guidance_texts({{"t.yml", "thresholds:\n  partial_review:\n    max_lines: 4\n"}}));
      one.repo_path = "/nonexistent/not-a-repository";
      one.above_partial_limit = true;
      AgentOutput cut = agent->assess(one);
      CHECK(cut.partial ==
            "the change is above the partial-review limit: checked the first 1 of 1 files (4 of 10 changed lines); "
            "tracing through the repository skipped");
      std::vector<int> lines;
      for (const auto& f : cut.findings) {
        if (f.rule == "logic/debug-leftover") lines.push_back(f.line);
      }
      CHECK(lines == std::vector<int>{1, 2, 3, 4});
    }

    SUBCASE("a hunk cut by the budget reports no removed guard whose replacement may lie past the cut") {
      const std::string guard =
          "--- a/web/g.js\n+++ b/web/g.js\n@@ -1,3 +1,3 @@\n-if (!user) {\n-  return;\n-}\n+if (user == null) {\n+  return;\n+}\n";
      AgentContext g = context_for(guard, load_guidance_texts({{"t.yml", "thresholds:\n  partial_review:\n    max_lines: 2\n"}}));
      g.repo_path = "/nonexistent/not-a-repository";
      auto removed = [&](const AgentOutput& o) {
        return std::count_if(o.findings.begin(), o.findings.end(),
                             [](const Finding& f) { return f.rule == "logic/removed-guard"; });
      };
      CHECK(removed(agent->assess(g)) == 0);  // whole: the guard is replaced
      g.above_partial_limit = true;           // the budget ends after the two first deleted lines
      AgentOutput cut = agent->assess(g);
      CHECK(cut.partial.find("(2 of 6 changed lines)") != std::string::npos);
      CHECK(removed(cut) == 0);
    }

    SUBCASE("a truncated file counts the lines it holds, not the ones the diff left out") {
      // The first file was cut by the diff's per-file cap: it counts 50,000
      // added lines but holds 3, and must not use up the budget.
      ctx.diff.files[0].additions = 50000;
      ctx.diff.files[0].truncated = true;
      AgentOutput cut = agent->assess(ctx);
      CHECK(cut.partial ==
            "the change is above the partial-review limit: checked the first 2 of 6 files (6 of 50015 changed "
            "lines); tracing through the repository skipped");
      std::vector<std::string> seen;
      for (const auto& f : cut.findings) {
        if (f.rule == "logic/debug-leftover") seen.push_back(f.path);
      }
      CHECK(seen == std::vector<std::string>{"web/m0.js", "web/m1.js"});
    }
  }
}

// logic/security-linter-disabled: golangci-lint's configuration compared at
// the base and the head, as a team's CI runs it.
namespace {

// The findings of one rule on the change from `base` to `head`.
std::vector<Finding> rule_findings(const std::string& rule, const std::string& label, const test::Files& base,
                                   const test::Files& head) {
  std::vector<Finding> all = make_logic_agent()->review(context_at_head(label, base, head));
  std::vector<Finding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](const Finding& f) { return f.rule == rule; });
  return out;
}

std::vector<Finding> linter_findings(const std::string& label, const test::Files& base, const test::Files& head) {
  return rule_findings("logic/security-linter-disabled", label, base, head);
}

const char* kV1 =
    "run:\n  timeout: 5m\nlinters:\n  disable-all: true\n  enable:\n    - errcheck\n    - govet\n"
    "    - staticcheck\n    - gosec\n    - unused\n";

const char* kV2 =
    "version: \"2\"\nlinters:\n  default: standard\n  enable:\n    - gosec\n    - misspell\n"
    "  settings:\n    gosec:\n      excludes:\n        - G104\n";

}  // namespace

TEST_SUITE("logic agent: security linter disabled") {
  TEST_CASE("gosec moved to the disable list far below the list's key is reported at its line") {
    test::Files base = {{".golangci.yml",
                         "linters:\n  enable:\n    - gosec\n    - errcheck\n  disable:\n    - a1\n    - a2\n"
                         "    - a3\n    - a4\n    - a5\n    - a6\n"}};
    test::Files head = {{".golangci.yml",
                         "linters:\n  enable:\n    - errcheck\n  disable:\n    - a1\n    - a2\n"
                         "    - a3\n    - a4\n    - a5\n    - a6\n    - gosec\n"}};
    auto f = linter_findings("lint-disable", base, head);
    REQUIRE(f.size() == 1);
    CHECK(f[0].path == ".golangci.yml");
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[0].line == 11);
    CHECK(f[0].message.find("gosec") != std::string::npos);
  }

  TEST_CASE("gosec dropped from the enable list under disable-all") {
    test::Files base = {{".golangci.yml", kV1}};
    std::string h = kV1;
    h.erase(h.find("    - gosec\n"), 12);
    auto f = linter_findings("lint-enable", base, {{".golangci.yml", h}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].line > 0);
  }

  TEST_CASE("v2: gosec excluded for every file, or more of its checks excluded") {
    std::string everywhere = std::string(kV2) + "  exclusions:\n    rules:\n      - linters: [gosec]\n";
    auto f = linter_findings("lint-v2-excl", {{".golangci.yml", kV2}}, {{".golangci.yml", everywhere}});
    CHECK(f.size() == 1);

    std::string more = kV2;
    more += "        - G204\n";
    f = linter_findings("lint-v2-checks", {{".golangci.yml", kV2}}, {{".golangci.yml", more}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].message.find("G204") != std::string::npos);
  }

  TEST_CASE("gosec narrowed: moved to another folder, a catch-all exclusion rule, fewer checks, folders skipped") {
    auto f = linter_findings("lint-moved", {{".golangci.yml", kV1}}, {{"tools/.golangci.yml", kV1}});
    CHECK(f.size() == 1);
    std::string catch_all = std::string(kV1) + "issues:\n  exclude-rules:\n    - path: \".*\"\n      linters: [gosec]\n";
    CHECK(linter_findings("lint-catchall", {{".golangci.yml", kV1}}, {{".golangci.yml", catch_all}}).size() == 1);
    std::string includes = std::string(kV1) + "linters-settings:\n  gosec:\n    includes: [G104]\n";
    CHECK(linter_findings("lint-includes", {{".golangci.yml", kV1}}, {{".golangci.yml", includes}}).size() == 1);
    std::string dirs = std::string(kV1) + "issues:\n  exclude-dirs: [internal/auth]\n";
    CHECK(linter_findings("lint-dirs", {{".golangci.yml", kV1}}, {{".golangci.yml", dirs}}).size() == 1);
    // The same rules and settings, reordered keys: nothing.
    CHECK(linter_findings("lint-same", {{".golangci.yml", catch_all}}, {{".golangci.yml", catch_all + "run:\n  timeout: 9m\n"}}).empty());
  }

  TEST_CASE("a configuration added beside the one that ran gosec, which golangci-lint would read instead") {
    const std::string none = "linters:\n  enable:\n    - errcheck\n";
    // .yaml comes before .yml, .json before both: gosec silently no longer runs.
    auto f = linter_findings("lint-shadow-yaml", {{".golangci.yml", kV1}}, {{".golangci.yml", kV1}, {".golangci.yaml", none}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].path == ".golangci.yaml");
    CHECK(f[0].message.find(".golangci.yml") != std::string::npos);
    CHECK(linter_findings("lint-shadow-json", {{"svc/.golangci.yaml", kV1}},
                          {{"svc/.golangci.yaml", kV1}, {"svc/.golangci.json", "{\"linters\": {\"enable\": [\"errcheck\"]}}"}})
              .size() == 1);
    // TOML is not read here: fail closed.
    CHECK(linter_findings("lint-shadow-toml", {{".golangci.yml", kV1}},
                          {{".golangci.yml", kV1}, {".golangci.toml", "[linters]\nenable = [\"errcheck\"]\n"}})
              .size() == 1);
    // Not reported: the new one runs gosec too; it comes later in the order
    // (never read); it is in another folder; the old one never ran gosec.
    CHECK(linter_findings("lint-shadow-on", {{".golangci.yml", kV1}}, {{".golangci.yml", kV1}, {".golangci.yaml", kV1}}).empty());
    CHECK(linter_findings("lint-shadow-later", {{".golangci.yaml", kV1}}, {{".golangci.yaml", kV1}, {".golangci.yml", none}}).empty());
    CHECK(linter_findings("lint-shadow-elsewhere", {{".golangci.yml", kV1}}, {{".golangci.yml", kV1}, {"tools/.golangci.yaml", none}}).empty());
    CHECK(linter_findings("lint-shadow-off", {{".golangci.yml", none}}, {{".golangci.yml", none}, {".golangci.yaml", none}}).empty());
  }

  TEST_CASE("a configuration beside it judged as an edit would be; TOML that names gosec; a rename from another name") {
    const std::string none = "{\"linters\": {\"disable-all\": true, \"enable\": [\"govet\"]}}";
    // Renamed from a name golangci-lint does not read into one it reads first.
    CHECK(linter_findings("lint-shadow-rename", {{".golangci.yml", kV1}, {"lint-example.json", none}},
                          {{".golangci.yml", kV1}, {".golangci.json", none}})
              .size() == 1);
    // gosec still enabled, but a catch-all exclusion rule in the new file.
    std::string catch_all = std::string(kV1) + "issues:\n  exclude-rules:\n    - path: \".*\"\n      linters: [gosec]\n";
    auto f = linter_findings("lint-shadow-narrow", {{".golangci.yml", kV1}}, {{".golangci.yml", kV1}, {".golangci.yaml", catch_all}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].message.find("exclusion rule") != std::string::npos);
    // A TOML base that names gosec: an edit or a deletion is reported (not read here).
    const std::string toml = "[linters]\nenable = [\"gosec\", \"govet\"]\n";
    CHECK(linter_findings("lint-toml-edit", {{".golangci.toml", toml}}, {{".golangci.toml", "[linters]\nenable = [\"govet\"]\n"}})
              .size() == 1);
    CHECK(linter_findings("lint-toml-rm", {{".golangci.toml", toml}, {"main.go", "package main\n"}}, {{"main.go", "package main\n"}})
              .size() == 1);
    CHECK(linter_findings("lint-toml-none", {{".golangci.toml", "[run]\ntimeout = \"5m\"\n"}},
                          {{".golangci.toml", "[run]\ntimeout = \"9m\"\n"}})
              .empty());
  }

  TEST_CASE("the configuration deleted, in a subfolder too, while it ran gosec") {
    auto f = linter_findings("lint-deleted", {{"tools/.golangci.yaml", kV1}, {"main.go", "package main\n"}},
                           {{"main.go", "package main\n"}});
    CHECK(f.size() == 1);
  }

  TEST_CASE("not reported: gosec kept, enabled, excluded for tests only, or never on") {
    // Reordered and another linter added.
    std::string reordered = "linters:\n  disable-all: true\n  enable:\n    - gosec\n    - errcheck\n    - govet\n"
                            "    - staticcheck\n    - unused\n    - revive\n";
    CHECK(linter_findings("lint-keep", {{".golangci.yml", kV1}}, {{".golangci.yml", reordered}}).empty());
    // Turned on.
    std::string off = kV1;
    off.erase(off.find("    - gosec\n"), 12);
    CHECK(linter_findings("lint-on", {{".golangci.yml", off}}, {{".golangci.yml", kV1}}).empty());
    // Excluded for test files only (a path narrows the rule).
    std::string tests = std::string(kV2) + "  exclusions:\n    rules:\n      - path: _test\\.go\n        linters: [gosec]\n";
    CHECK(linter_findings("lint-tests", {{".golangci.yml", kV2}}, {{".golangci.yml", tests}}).empty());
    // One check excluded fewer.
    std::string fewer = kV2;
    fewer.erase(fewer.find("      excludes:\n"));
    CHECK(linter_findings("lint-fewer", {{".golangci.yml", kV2}}, {{".golangci.yml", fewer}}).empty());
    // A configuration added without gosec, and one where gosec was never on.
    CHECK(linter_findings("lint-added", {{"main.go", "package main\n"}},
                        {{"main.go", "package main\n"}, {".golangci.yml", off}})
              .empty());
    std::string off2 = off + "    - revive\n";
    CHECK(linter_findings("lint-never", {{".golangci.yml", off}}, {{".golangci.yml", off2}}).empty());
  }

  TEST_CASE("a head configuration this check cannot read, where the base ran gosec, is reported (fail closed)") {
    // golangci-lint reads aliases; this check refuses them (a repository's
    // YAML is read under limits), so an alias must not hide a disable.
    std::string alias = "a: &x [gosec]\nlinters:\n  disable: *x\n";
    auto f = linter_findings("lint-alias", {{".golangci.yml", kV1}}, {{".golangci.yml", alias}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].message.find("could not be read") != std::string::npos);
    CHECK(linter_findings("lint-bad", {{".golangci.yml", kV1}}, {{".golangci.yml", "linters: [\n"}}).size() == 1);
    // A base that cannot be read is not judged: nothing says gosec ran.
    CHECK(linter_findings("lint-bad-base", {{".golangci.yml", "linters: [\n"}}, {{".golangci.yml", kV1}}).empty());
  }
}

TEST_SUITE("logic agent: coverage gate renamed away (session 22)") {
  std::vector<Finding> gate_findings(const std::string& label, const test::Files& base, const test::Files& head) {
    return rule_findings("logic/coverage-gate-removed", label, base, head);
  }

  TEST_CASE("a coverage configuration renamed to a name no tool reads is a gate removed") {
    const std::string rc = "[run]\nbranch = True\nsource = app\n\n[report]\nfail_under = 90\nshow_missing = True\n";
    // Renamed whole: no line in the diff, the names say it.
    auto f = gate_findings("cov-rename", {{".coveragerc", rc}}, {{".coveragerc.old", rc}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].message.find(".coveragerc.old") != std::string::npos);
    // Renamed and edited: its gate line read as a deleted file's.
    auto g = gate_findings("cov-rename-edit", {{".coveragerc", rc}}, {{"old/coveragerc.txt", rc + "# kept for reference\n"}});
    REQUIRE(g.size() == 1);
    CHECK(g[0].message.find("fail_under") != std::string::npos);
    // A tool's own file renamed whole, its name no coverage word; a config
    // name with a suffix no tool reads (final read).
    const std::string nyc = "{\n  \"check-coverage\": true,\n  \"lines\": 90\n}\n";
    CHECK(gate_findings("cov-rename-nyc", {{".nycrc", nyc}}, {{".nycrc.old", nyc}}).size() == 1);
    const std::string jest = "module.exports = {\n  coverageThreshold: { global: { lines: 90 } },\n};\n";
    CHECK(gate_findings("cov-rename-jest", {{"jest.config.js", jest}}, {{"jest.config.js.bak", jest}}).size() == 1);
    // Moved to a name the tool still reads: nothing.
    CHECK(gate_findings("cov-move", {{".coveragerc", rc}}, {{"app/.coveragerc", rc}}).empty());
  }
}
