// Runs the logic agent over the corpus (tests/data/logic) and measures, per
// rule, precision (findings in cases that expect the rule / all findings of
// the rule) and recall (positive cases that produce the rule). Every case
// is a test: a positive not found, or a rule reported where the case does
// not expect it, fails.
#include <doctest/doctest.h>

#include <iostream>
#include <map>

#include <fmt/format.h>

#include "git_index/repo_fixture.h"
#include "subagents/logic/corpus.h"
#include "subagents/logic/logic_agent.h"
#include "support/testutil.h"

namespace {

using namespace reviewer;

std::vector<Finding> run_case(const Agent& agent, const Guidance& g, const test::LogicCase& c) {
  AgentContext ctx;
  ctx.guidance = g;
  if (!c.repo) {
    ctx.diff = c.diff;
    return agent.review(ctx);
  }
  auto dir = test::scratch_dir("corpus-" + c.name);
  auto repo = test::init_repo(dir);
  std::string base = test::commit_files(repo.get(), c.base, "", "base");
  std::string head = test::commit_files(repo.get(), c.head, base, "head");
  ctx.diff = test::diff_commits(dir, base, head);
  ctx.repo_path = dir;
  ctx.pr.base_sha = base;
  ctx.pr.head_sha = head;
  return agent.review(ctx);
}

struct Tally {
  int tp = 0, fp = 0, positives = 0, negatives = 0, found = 0;
};

}  // namespace

TEST_SUITE("logic corpus") {
  TEST_CASE("every positive case is found and no case reports a rule it does not expect") {
    auto cases = test::load_corpus(std::filesystem::path(REVIEWER_SOURCE_DIR) / "tests/data/logic");
    REQUIRE(cases.size() > 50);
    Guidance g = load_guidance_texts({});
    auto agent = make_logic_agent();
    std::map<std::string, Tally> t;
    for (const auto& c : cases) {
      // A case in <rule>.txt that does not expect that rule is a negative for it.
      std::string file_rule = "logic/" + c.source.substr(0, c.source.size() - 4);
      if (c.expect.count(file_rule)) {
        ++t[file_rule].positives;
      } else {
        ++t[file_rule].negatives;
      }
      std::set<std::string> produced;
      for (const auto& f : run_case(*agent, g, c)) {
        // missing-test-change is PR-level: nearly every corpus case is, by
        // construction, a source change without tests. It is judged on its
        // own cases only.
        if (f.rule == "logic/missing-test-change" && file_rule != f.rule) continue;
        produced.insert(f.rule);
        if (c.expect.count(f.rule)) {
          ++t[f.rule].tp;
        } else {
          ++t[f.rule].fp;
          FAIL_CHECK(fmt::format("false positive {} in {} / {} at {}:{}", f.rule, c.source, c.name, f.path, f.line));
        }
      }
      for (const auto& e : c.expect) {
        if (produced.count(e)) {
          ++t[e].found;
        } else {
          FAIL_CHECK(fmt::format("{} / {}: expected {} was not reported", c.source, c.name, e));
        }
      }
    }
    int tp = 0, fp = 0;
    std::cout << fmt::format("{:<34} {:>4} {:>4} {:>9} {:>4} {:>4}\n", "rule", "TP", "FP", "precision", "pos", "neg");
    for (const auto& [rule, x] : t) {
      tp += x.tp;
      fp += x.fp;
      double p = x.tp + x.fp ? 100.0 * x.tp / (x.tp + x.fp) : 100.0;
      std::cout << fmt::format("{:<34} {:>4} {:>4} {:>8.1f}% {:>4} {:>4}\n", rule, x.tp, x.fp, p, x.positives,
                               x.negatives);
    }
    double overall = 100.0 * tp / std::max(1, tp + fp);
    std::cout << fmt::format("overall precision {:.1f}% ({} true, {} false positives)\n", overall, tp, fp);

    // Every shipped rule has at least 3 positive and 3 negative cases.
    for (const auto& [id, rule] : g.section("logic")["rules"].items()) {
      INFO(id);
      CHECK(t[id].positives >= 3);
      CHECK(t[id].negatives >= 3);
    }
  }
}
