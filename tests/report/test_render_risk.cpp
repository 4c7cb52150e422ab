// The history agent's revert risk in every output format (issue 16).
#include <doctest/doctest.h>

#include "reviewer/report/render.h"
#include "support/fixtures.h"
#include "support/sarif_validator.h"
#include "support/testutil.h"

using namespace reviewer;
using nlohmann::json;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

ReviewResult risky_review() {
  ReviewResult r;
  r.run_id = "fedcba9876543210fedcba9876543210";
  r.pr.title = "feat: new TLS backend";
  r.pr.base_sha = std::string(40, 'a');
  r.pr.head_sha = std::string(40, 'b');
  r.size = {"S", 20, 2, 2, 1, 0, false};
  AgentReport history{"history", AgentStatus::ok, 8, {}, ""};
  history.findings.push_back({"f1a2", "history/high-risk", Severity::warning, "", 0, 0,
                              "42.1% chance of a revert: first change by this author to src/vtls/openssl.c", "", ""});
  history.risk = test::sample_risk();
  r.agents = {history};
  r.risk = history.risk;
  r.decision = {DecisionKind::needs_human, {"revert risk 42.1% is above the threshold 25.0%"}};
  r.guidance_version = std::string(64, 'c');
  r.reviewer_version = "0.1.0";
  return r;
}

}  // namespace

TEST_SUITE("report::risk") {
  TEST_CASE("json carries every field of the risk; the agents' entries are unchanged") {
    json j = render_json(risky_review());
    json expected = json::parse(R"json({
      "probability": 0.4213, "threshold": 0.25,
      "threshold_source": "approve_share 0.60 of 3412 past changes", "above_threshold": true,
      "model": "repository", "model_version": "lr-1",
      "explanation": "first change by @mallory to src/[x].c <b>; reverted 3 times",
      "features": [{"name": "nf", "value": 12.0, "contribution": 0.4}, {"name": "exp", "value": 0.0, "contribution": 0.81},
                   {"name": "sexp", "value": 40.0, "contribution": -0.5}, {"name": "la", "value": 120.0, "contribution": 0.3},
                   {"name": "age", "value": 3.0, "contribution": 0.2}, {"name": "fix", "value": 1.0, "contribution": 0.1},
                   {"name": "ndev", "value": 2.0, "contribution": 0.05}],
      "indexed_commit": "dddddddddddddddddddddddddddddddddddddddd", "indexed_commits": 3412,
      "labelled_positives": 56, "note": ""})json");
    CHECK(j["risk"] == expected);
    const json& agent = j["agents"][0];
    CHECK(agent.size() == 4);  // name, status, duration_ms, findings: no risk inside
    CHECK_FALSE(agent.contains("risk"));
    CHECK(agent["findings"][0]["rule"] == "history/high-risk");
  }

  TEST_CASE("json says null when the run has no risk") {
    ReviewResult r = risky_review();
    r.risk.reset();
    json j = render_json(r);
    REQUIRE(j.contains("risk"));
    CHECK(j["risk"].is_null());
  }

  TEST_CASE("sarif has the risk in the run's properties and the high-risk finding as a result") {
    ReviewResult r = risky_review();
    json s = render_sarif(r);
    const json& run = s["runs"][0];
    CHECK(run["properties"]["risk"] == render_json(r)["risk"]);
    CHECK(run["properties"]["decision"] == "needs_human");
    REQUIRE(run["results"].size() == 1);
    const json& result = run["results"][0];
    CHECK(result["ruleId"] == "history/high-risk");
    CHECK(result["level"] == "warning");
    CHECK(result["partialFingerprints"]["reviewerFindingId/v1"] == "f1a2");
    CHECK_FALSE(result.contains("locations"));
    CHECK(run["tool"]["driver"]["rules"][0]["properties"]["agent"] == "history");
    r.risk.reset();
    CHECK_FALSE(render_sarif(r)["runs"][0]["properties"].contains("risk"));
  }

  TEST_CASE("sarif with and without a risk passes Microsoft's SARIF validator") {
    auto dir = test::scratch_dir("sarif-risk");
    ReviewResult r = risky_review();
    CHECK(test::sarif_problems(REVIEWER_SOURCE_DIR, render(r, Format::sarif), dir, "with") == "");
    r.risk.reset();
    CHECK(test::sarif_problems(REVIEWER_SOURCE_DIR, render(r, Format::sarif), dir, "without") == "");
  }

  TEST_CASE("markdown has a short revert-risk section, escaped like other untrusted text") {
    std::string m = render_markdown(risky_review());
    CHECK(contains(m, "\n### Revert risk\n\n42.1% chance of a revert or bug fix, above the threshold of 25.0% "
                      "(approve\\_share 0.60 of 3412 past changes): a person should review this change\n\n"));
    CHECK(contains(m, "- Model: repository model lr-1; history index: 3412 commits up to dddddddddddd, "
                      "56 labelled reverted or bug-introducing\n"));
    CHECK(contains(m, "- Why: first change by &#64;mallory to src/\\[x\\].c &lt;b&gt;; reverted 3 times\n"));
    CHECK(contains(m, "- Top features: exp 0 (+0.81), nf 12 (+0.40), la 120 (+0.30), age 3 (+0.20), "
                      "fix 1 (+0.10)\n"));
    CHECK_FALSE(contains(m, "sexp"));  // sixth by contribution: not shown
    CHECK_FALSE(contains(m, "@mallory"));
    CHECK_FALSE(contains(m, "- Note:"));
    CHECK(m.find("### Revert risk") < m.find("### Walkthrough"));
  }

  TEST_CASE("markdown and text show a risk below the threshold and the model's note") {
    ReviewResult r = risky_review();
    r.risk->probability = 0.031;
    r.risk->above_threshold = false;
    r.risk->model = "prior";
    r.risk->note = "too little history: 3 labelled positives";
    std::string m = render_markdown(r);
    CHECK(contains(m, "3.1% chance of a revert or bug fix, below the threshold of 25.0% (approve\\_share"));
    CHECK_FALSE(contains(m, "a person should review"));
    CHECK(contains(m, "- Model: prior model lr-1; history index:"));
    CHECK(contains(m, "- Note: too little history: 3 labelled positives\n"));
    CHECK(contains(render_text(r), "    note: too little history: 3 labelled positives\n"));
  }

  TEST_CASE("text shows the risk before the decision, with control characters neutralized") {
    ReviewResult r = risky_review();
    r.risk->explanation = "\x1b[2Jfirst change by this author";
    std::string t = render_text(r);
    CHECK(contains(t, "revert risk: 42.1% chance of a revert or bug fix, above the threshold of 25.0% "
                      "(approve_share 0.60 of 3412 past changes): a person should review this change\n"
                      "    model: repository model lr-1; history index: 3412 commits up to dddddddddddd, "
                      "56 labelled reverted or bug-introducing\n"
                      "    why: \\x1b[2Jfirst change by this author\n"
                      "    top features: exp 0 (+0.81), nf 12 (+0.40), la 120 (+0.30), age 3 (+0.20), "
                      "fix 1 (+0.10)\ndecision: needs_human\n"));
    CHECK_FALSE(contains(t, "\x1b"));
  }

  TEST_CASE("a run without a risk has no risk section") {
    ReviewResult r = risky_review();
    r.risk.reset();
    CHECK_FALSE(contains(render_markdown(r), "Revert risk"));
    CHECK_FALSE(contains(render_text(r), "revert risk:"));
    // The finding is still rendered like any other.
    CHECK(contains(render_markdown(r), "(`history/high-risk`, id `f1a2`)"));
  }
}
