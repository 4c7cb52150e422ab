#include <doctest/doctest.h>

#include "intent_fixture.h"
#include "reviewer/pipeline/walkthrough.h"
#include "subagents/intent/intent_agent.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

// The walkthrough as a review writes it: the intent agent's outline under
// the shipped guidance, rendered by the pipeline.
std::string summarize_change(const PullRequest& pr, const Diff& diff) {
  static const Guidance guidance = load_guidance();
  return render_walkthrough(diff, *make_intent_agent()->outline(pr, diff, guidance));
}

}  // namespace

TEST_SUITE("intent change summary") {
  TEST_CASE("an outline that does not match the diff is not rendered") {
    Diff d;
    d.files.push_back(file_change("a.c", {"+x"}));
    CHECK_THROWS_AS(render_walkthrough(d, ChangeOutline{}), std::out_of_range);
  }

  TEST_CASE("the summary groups files by area with counts and the declared kind") {
    Diff d;
    d.files.push_back(file_change("src/billing/tax.py", {"+def tax(): pass", "+"}, ChangeKind::added));
    d.files.push_back(file_change("src/billing/invoice.py", {"-a = 1", "+a = 2"}));
    d.files.push_back(file_change("tests/test_tax.py", {"+def test_tax(): pass"}, ChangeKind::added));
    d.files.push_back(file_change("package-lock.json", {"-x", "+y"}));
    d.files.back().generated = true;
    const std::string s = summarize_change(pr_with("fix: tax rounding", kGoodBody), d);
    INFO(s);
    CHECK(s.find("3 files in 3 areas, +4 −1 lines (1 generated, vendored or lock file not counted)") != std::string::npos);
    CHECK(s.find("Declared kind: **fix** (from `title prefix 'fix:'`)") != std::string::npos);
    CHECK(s.find("- **`src/billing`**: 2 files, +3 −1 (2 source)") != std::string::npos);
    // Files sorted by path inside an area, areas by name.
    CHECK(s.find("invoice.py") < s.find("tax.py"));
    CHECK(s.find("`(root)`") < s.find("`src/billing`"));
    CHECK(s.find("  - added `src/billing/tax.py` (+2 −0)") != std::string::npos);
    CHECK(s == summarize_change(pr_with("fix: tax rounding", kGoodBody), d));
  }

  TEST_CASE("paths cannot break out of their code spans") {
    Diff d;
    d.files.push_back(file_change("docs/`<img src=x onerror=alert(1)>`.md", {"+x"}, ChangeKind::added));
    const std::string s = summarize_change(pr_with("docs: x", ""), d);
    INFO(s);
    CHECK(s.find("`docs/'<img src=x onerror=alert(1)>'.md`") != std::string::npos);
  }

  TEST_CASE("an empty diff says so, and large areas are capped") {
    CHECK(summarize_change(pr_with("x", ""), Diff{}).find("No files changed.") != std::string::npos);
    Diff d;
    for (int i = 0; i < 40; ++i) d.files.push_back(file_change("lib/big/f" + std::to_string(100 + i) + ".c", {"+x"}));
    const std::string s = summarize_change(pr_with("x", ""), d);
    CHECK(s.find("… and 25 more") != std::string::npos);
  }
}
