#include <doctest/doctest.h>

#include "reviewer/report/render.h"
#include "support/fixtures.h"

using namespace reviewer;
using nlohmann::json;

namespace {

ReviewResult sample() {
  ReviewResult r;
  r.run_id = "0123456789abcdef0123456789abcdef";
  r.mode = Mode::dry_run;
  r.pr.title = "fix: bound check";
  r.pr.base_sha = std::string(40, 'a');
  r.pr.head_sha = std::string(40, 'b');
  r.diff.files.push_back(test::file_with_counts("src/my file.py", 3, 1));
  r.size = {"XS", 3, 1, 1, 1, 0, false};
  AgentReport safety{"safety", AgentStatus::ok, 12, {}, "", std::nullopt};
  safety.findings.push_back({"abc123", "safety/code/eval", Severity::error, "src/my file.py", 2, 2,
                             "eval of request input @admins <b>", "eval(expression)", "use ast.literal_eval"});
  AgentReport logic{"logic", AgentStatus::timed_out, 10000, {}, "no answer within 10000 ms", std::nullopt};
  AgentReport intent{"intent", AgentStatus::ok, 1, {}, "", std::nullopt};
  intent.findings.push_back({"def456", "intent/no-why", Severity::warning, "", 0, 0, "say why", "", ""});
  r.agents = {intent, safety, logic};
  r.decision = {DecisionKind::needs_human, {"agent 'logic' timed out (no answer within 10000 ms)"}};
  r.guidance_version = std::string(64, 'c');
  r.reviewer_version = "0.1.0";
  return r;
}

}  // namespace

TEST_SUITE("report::render") {
  TEST_CASE("json follows the contract of DESIGN.md") {
    json j = render_json(sample());
    json expected = json::parse(R"json({
      "run_id": "0123456789abcdef0123456789abcdef", "decision": "needs_human",
      "reasons": ["agent 'logic' timed out (no answer within 10000 ms)"],
      "auto_approve": {"allowed": false, "reason": ""},
      "pr": {"title": "fix: bound check", "base": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "head": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
      "size": {"label": "XS", "lines_added": 3, "lines_deleted": 1, "files": 1, "areas": 1, "excluded_files": 0},
      "agents": [
        {"name": "intent", "status": "ok", "duration_ms": 1, "findings": [
          {"id": "def456", "rule": "intent/no-why", "severity": "warning", "path": "", "line": 0, "end_line": 0,
           "message": "say why", "evidence": "", "suggestion": ""}]},
        {"name": "safety", "status": "ok", "duration_ms": 12, "findings": [
          {"id": "abc123", "rule": "safety/code/eval", "severity": "error", "path": "src/my file.py", "line": 2,
           "end_line": 2, "message": "eval of request input @admins <b>", "evidence": "eval(expression)",
           "suggestion": "use ast.literal_eval"}]},
        {"name": "logic", "status": "timed_out", "duration_ms": 10000, "findings": [],
         "error": "no answer within 10000 ms"}],
      "notes": [],
      "risk": null,
      "guidance_version": "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
      "reviewer_version": "0.1.0"})json");
    CHECK(j == expected);
  }

  TEST_CASE("json output survives invalid UTF-8 in PR text") {
    ReviewResult r = sample();
    r.pr.title = "bad \xff\xfe bytes";
    std::string out = render(r, Format::json);
    json back = json::parse(out);
    CHECK(back["pr"]["title"].get<std::string>().find("bad ") == 0);
  }

  TEST_CASE("text prints one line per finding, then the decision") {
    std::string t = render_text(sample());
    CHECK(t.find("(pull request): warning: say why [intent/no-why]\n") != std::string::npos);
    CHECK(t.find("src/my file.py:2: error: eval of request input @admins <b> [safety/code/eval]\n") !=
          std::string::npos);
    CHECK(t.find("agent logic: timed_out: no answer within 10000 ms\n") != std::string::npos);
    CHECK(t.find("decision: needs_human\n  - agent 'logic' timed out") != std::string::npos);
  }

  TEST_CASE("text output neutralizes terminal escape sequences from PR content") {
    ReviewResult r = sample();
    r.agents[1].findings[0].message = "\x1b[2Jcleared";
    std::string t = render_text(r);
    CHECK(t.find('\x1b') == std::string::npos);
    CHECK(t.find("\\x1b[2Jcleared") != std::string::npos);
  }

  TEST_CASE("sarif is 2.1.0 with rules, levels, locations and fingerprints") {
    json s = render_sarif(sample());
    CHECK(s["version"] == "2.1.0");
    const json& run = s["runs"][0];
    CHECK(run["tool"]["driver"]["name"] == "reviewer");
    REQUIRE(run["results"].size() == 2);
    const json& eval = run["results"][1];
    CHECK(eval["ruleId"] == "safety/code/eval");
    CHECK(eval["level"] == "error");
    CHECK(eval["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/my%20file.py");
    CHECK(eval["locations"][0]["physicalLocation"]["region"]["startLine"] == 2);
    CHECK(eval["partialFingerprints"]["reviewerFindingId/v1"] == "abc123");
    CHECK(run["results"][0]["level"] == "warning");
    CHECK_FALSE(run["results"][0].contains("locations"));
    CHECK(run["tool"]["driver"]["rules"][eval["ruleIndex"].get<int>()]["id"] == "safety/code/eval");
    CHECK(run["invocations"][0]["toolExecutionNotifications"].size() == 1);
  }

  TEST_CASE("markdown shows decision, agents, findings and escapes PR text") {
    std::string m = render_markdown(sample());
    CHECK(m.find("## reviewer: 🧑 Needs human review") == 0);
    CHECK(m.find("| safety | ok | 1 | 12 ms |") != std::string::npos);
    CHECK(m.find("| logic | timed_out | 0 | 10000 ms |") != std::string::npos);
    CHECK(m.find("**error** src/my file.py:2") != std::string::npos);
    // No live mention, no raw HTML from PR content.
    CHECK(m.find("@admins") == std::string::npos);
    CHECK(m.find("&#64;admins &lt;b&gt;") != std::string::npos);
    CHECK(m.find("Audit run `0123456789abcdef0123456789abcdef`") != std::string::npos);
  }

  TEST_CASE("an agent's partial review is said in text and markdown, whatever the decision") {
    ReviewResult r = sample();
    r.agents[0].partial = "checked 50000 of 60000 changed lines <b>";
    r.decision = {DecisionKind::request_changes, {"1 blocking finding: safety/code/eval"}};
    const std::string text = render_text(r);
    CHECK(text.find("agent intent: partial: checked 50000 of 60000 changed lines") != std::string::npos);
    const std::string md = render_markdown(r);
    CHECK(md.find("_Agent intent reviewed part of the change: checked 50000 of 60000 changed lines") !=
          std::string::npos);
    CHECK(md.find("<b>") == std::string::npos);  // escaped like any PR-derived text
  }

  TEST_CASE("markdown says a dry-run approval was not posted") {
    ReviewResult r = sample();
    r.decision = {DecisionKind::approve, {"ok"}};
    CHECK(render_markdown(r).find("would approve") != std::string::npos);
    r.mode = Mode::active;
    CHECK(render_markdown(r).find("would approve") == std::string::npos);
  }
}

TEST_SUITE("report::render shadow") {
  TEST_CASE("shadow findings appear in json and text but are never posted") {
    ReviewResult r = sample();
    r.agents[1].findings[0].shadow = true;
    CHECK(render_json(r)["agents"][1]["findings"][0]["shadow"] == true);
    CHECK(render_text(r).find("src/my file.py:2: shadow error:") != std::string::npos);
    CHECK(render_markdown(r).find("safety/code/eval") == std::string::npos);
    CHECK(render_markdown(r).find("| safety | ok | 0 |") != std::string::npos);
    CHECK(render_sarif(r)["runs"][0]["results"].size() == 1);
  }
}
