#include <doctest/doctest.h>

#include <random>

#include "intent_fixture.h"
#include "subagents/intent/intent_agent.h"
#include "reviewer/pipeline/walkthrough.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

// Strings biased toward what the scanners special-case: quotes, comment
// markers, checkbox syntax, backticks, invalid UTF-8, very long runs.
std::string noise(std::mt19937& rng, size_t max_len) {
  static const char* pieces[] = {"\"", "'", "`", "\"\"\"", "/*", "*/", "//", "#", "<!--", "-->", "- [ ] ", "- [x] ",
                                 "\n", "\r\n", "\\", "if ", "==", " 42 ", "fix", "WIP ", "docs: ", "Revert \"",
                                 "This reverts commit abcdef1", "\xff\xfe", "\xc3", "é", "\t", "(", ")", "[", "]",
                                 "tests/", "src/", "/", "AKIAABCDEFGHIJKLMNOP1234"};
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1), len(0, max_len);
  std::string s;
  size_t n = len(rng);
  while (s.size() < n) s += pieces[pick(rng)];
  return s;
}

}  // namespace

TEST_SUITE("intent hostile input") {
  TEST_CASE("random and hostile titles, bodies, paths and lines never crash the agent or the summary") {
    std::mt19937 rng(20261126);
    auto agent = make_intent_agent([&](const std::filesystem::path&, std::string_view) {
      Diff d;
      d.files.push_back(file_change(noise(rng, 30), {"+" + noise(rng, 80), "-" + noise(rng, 80)}));
      return std::optional<Diff>(d);
    });
    for (int i = 0; i < 300; ++i) {
      AgentContext ctx;
      ctx.pr = pr_with(noise(rng, 120), noise(rng, 2000), {noise(rng, 20)}, i % 3 == 0);
      ctx.guidance = load_guidance_texts({});
      ctx.repo_path = "x";
      for (int f = 0; f < 4; ++f) {
        std::vector<std::string> lines;
        for (int l = 0; l < 12; ++l) lines.push_back(std::string(1, "+- "[l % 3]) + noise(rng, 200));
        ctx.diff.files.push_back(file_change(noise(rng, 40), lines, f % 2 ? ChangeKind::added : ChangeKind::modified));
      }
      ctx.diff.files.back().binary = true;
      std::vector<Finding> findings;
      CHECK_NOTHROW(findings = agent->review(ctx));
      for (const auto& fd : findings) {
        CHECK(fd.rule.starts_with("intent/"));
        CHECK(fd.evidence.find("AKIAABCDEFGHIJKLMNOP1234") == std::string::npos);
        CHECK(fd.evidence.size() <= 420);
      }
      std::string summary;
      CHECK_NOTHROW(summary = render_walkthrough(ctx.diff, *agent->outline(ctx.pr, ctx.diff, ctx.guidance)));
      // Outside code spans (which render literally) no attacker byte may
      // open HTML or a Markdown link.
      std::string outside;
      bool in_span = false;
      for (char c : summary) {
        if (c == '`') in_span = !in_span;
        else if (!in_span) outside += c;
      }
      CHECK(outside.find('<') == std::string::npos);
      CHECK(outside.find('[') == std::string::npos);
    }
  }

  TEST_CASE("a 1 MB line and a 1 MB body are handled in one pass") {
    AgentContext ctx;
    ctx.pr = pr_with("Fix typo in banner", std::string(1 << 20, 'a') + " because");
    ctx.guidance = load_guidance_texts({});
    ctx.diff.files.push_back(file_change("src/x.c", {"-" + std::string(1 << 20, '('), "+" + std::string(1 << 20, '"')}));
    CHECK_NOTHROW(make_intent_agent()->review(ctx));
  }
}
