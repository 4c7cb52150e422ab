#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "intent_fixture.h"
#include "reviewer/core/error.h"
#include "subagents/intent/intent_agent.h"
#include "subagents/intent/intent_config.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    validate_intent_guidance(load_guidance_texts({{"team.yml", yaml}}));
  } catch (const Error& e) {
    CHECK(e.code() == Error::Code::invalid_input);
    return e.what();
  }
  return "";
}
}  // namespace

TEST_SUITE("intent guidance") {
  TEST_CASE("the shipped defaults are valid") {
    CHECK(error_of("") == "");
    const auto& c = intent::default_intent_config();
    CHECK(c.kinds.size() == 12);
    CHECK(c.promises.size() == 4);
    CHECK(c.in_class("tests", "src/foo_test.go"));
    CHECK(c.in_class("lockfiles", "web/package-lock.json"));
  }

  TEST_CASE("invalid settings are errors that name the key and the bad value") {
    CHECK(error_of("intent:\n  ticket:\n    pattern: '(#'\n") ==
          "guidance: intent.ticket.pattern: invalid RE2 pattern '(#': missing ): (#");
    CHECK(error_of("intent:\n  colour: red\n").find("unknown key 'intent.colour'") != std::string::npos);
    CHECK(error_of("intent:\n  description:\n    min_body_chars: lots\n") ==
          "guidance: intent.description.min_body_chars: must be an integer, got '\"lots\"'");
    CHECK(error_of("intent:\n  description:\n    vague_titles: ['fix', '[']\n")
              .find("intent.description.vague_titles[1]: invalid RE2 pattern '['") != std::string::npos);
    CHECK(error_of("intent:\n  kinds:\n    feature: {prefixes: [feat]}\n").find("unknown kind 'feature'") !=
          std::string::npos);
    CHECK(error_of("intent:\n  severity:\n    intent/no-why: fatal\n") ==
          "guidance: intent.severity.intent/no-why: must be info, warning, error or critical, got '\"fatal\"'");
    CHECK(error_of("intent:\n  severity:\n    intent/nonsense: info\n").find("unknown rule 'intent/nonsense'") !=
          std::string::npos);
    CHECK(error_of("intent:\n  scope:\n    ignore_words: [yes]\n").find("intent.scope.ignore_words[0]") !=
          std::string::npos);
    CHECK(error_of("intent:\n  scope:\n    promises:\n      tests: {phrases: ['adds tests'], paths: spec}\n")
              .find("intent.scope.promises.tests.paths: must name a path class") != std::string::npos);
    // Each entry is checked alone: it cannot escape its group in the alternation.
    CHECK(error_of("intent:\n  copy_words: ['a)|(b']\n").find("intent.copy_words[0]: invalid RE2 pattern") !=
          std::string::npos);
    CHECK(error_of("intent:\n  paths:\n    docs: 'docs/**'\n").find("intent.paths.docs: must be a list") !=
          std::string::npos);
  }

  TEST_CASE("the agent fails closed on invalid guidance instead of judging with half a config") {
    AgentContext ctx;
    ctx.pr = pr_with("Fix invoice total rounding", kGoodBody);
    ctx.guidance = load_guidance_texts({{"team.yml", "intent:\n  ticket:\n    pattern: '(#'\n"}});
    CHECK_THROWS_AS(make_intent_agent()->review(ctx), Error);
  }

  TEST_CASE("one agent serves reviews under different guidance, concurrently") {
    auto agent = make_intent_agent();
    Diff d;
    d.files.push_back(file_change("src/a.py", {"-a = 1", "+a = 2"}));
    auto context = [&](const std::vector<std::pair<std::string, std::string>>& docs) {
      AgentContext ctx;
      ctx.pr = pr_with("Fix invoice total rounding", kGoodBody);
      ctx.diff = d;
      ctx.guidance = load_guidance_texts(docs);
      return ctx;
    };
    const AgentContext plain = context({});
    const AgentContext strict = context({{"t.yml", "intent:\n  ticket:\n    required: true\n"}});
    CHECK_FALSE(has_rule(agent->review(plain), "intent/missing-ticket"));
    CHECK(has_rule(agent->review(strict), "intent/missing-ticket"));
    CHECK_FALSE(has_rule(agent->review(plain), "intent/missing-ticket"));
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 20; ++i) {
          bool want = (t + i) % 2 == 0;
          if (has_rule(agent->review(want ? strict : plain), "intent/missing-ticket") != want) ++wrong;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(wrong == 0);
  }

  TEST_CASE("severities can be overridden per rule") {
    Diff d;
    d.files.push_back(file_change("src/a.py", {"-a = 1", "+a = 2"}));
    auto f = run_intent(pr_with("Change the default of a", "This changes the default value of a from one to two."), d,
                        {"intent:\n  severity:\n    intent/no-why: info\n"});
    const Finding* m = find_rule(f, "intent/no-why");
    REQUIRE(m);
    CHECK(m->severity == Severity::info);
  }

  TEST_CASE("intent.rules sets a rule's severity and state: off drops it, shadow marks it") {
    Diff d;
    d.files.push_back(file_change("src/a.py", {"-a = 1", "+a = 2"}));
    auto pr = pr_with("Change the default of a", "This changes the default value of a from one to two.");
    REQUIRE(has_rule(run_intent(pr, d), "intent/no-why"));
    CHECK_FALSE(has_rule(run_intent(pr, d, {"intent:\n  rules:\n    intent/no-why:\n      state: off\n"}),
                         "intent/no-why"));
    auto shadow = run_intent(pr, d, {"intent:\n  rules:\n    intent/no-why:\n      state: shadow\n      severity: error\n"});
    const Finding* m = find_rule(shadow, "intent/no-why");
    REQUIRE(m);
    CHECK(m->shadow);
    CHECK(m->severity == Severity::error);
    CHECK(error_of("intent:\n  rules:\n    intent/no-why:\n      state: later\n")
              .find("rules.intent/no-why.state: must be on, off or shadow") != std::string::npos);
    CHECK(error_of("intent:\n  rules:\n    intent/nonsense:\n      state: off\n")
              .find("unknown rule 'intent/nonsense'") != std::string::npos);
    CHECK(error_of("intent:\n  rules:\n    intent/no-why:\n      pattern: x\n").find("unknown key 'intent.rules.intent/no-why.pattern'") !=
          std::string::npos);
  }

  TEST_CASE("vocabularies come from guidance") {
    Diff d;
    d.files.push_back(file_change("src/a.py", {"-a = 1", "+a = 2"}));
    auto pr = pr_with("Tweak the rate limiter settings", kGoodBody);
    CHECK_FALSE(has_rule(run_intent(pr, d), "intent/vague-title"));
    CHECK(has_rule(run_intent(pr, d, {"intent:\n  description:\n    vague_titles: ['tweak .*']\n"}),
                   "intent/vague-title"));
  }
}
