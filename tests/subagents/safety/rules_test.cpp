#include <doctest/doctest.h>

#include <string>

#include <re2/re2.h>

#include "guidance/guidance.h"
#include "reviewer/core/error.h"
#include "subagents/safety/prefilter.h"
#include "subagents/safety/rules.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::safety;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    auto g = load_guidance_texts({{"team.yml", yaml}});
    compile_rules(g.section("safety"), g.version);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const Rule* find_rule(const RuleSet& set, const std::string& id) {
  for (const auto& r : set.rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_SUITE("safety::rules") {
  TEST_CASE("the shipped rules compile, with at least 40 secret formats and every kind") {
    auto g = load_guidance_texts({});
    auto set = compile_rules(g.section("safety"), g.version);
    REQUIRE(set);
    int secrets = 0, code = 0, file = 0, hidden = 0;
    for (const auto& r : set->rules) {
      secrets += r.kind == RuleKind::secret && !r.generic;
      code += r.kind == RuleKind::code;
      file += r.kind == RuleKind::file;
      hidden += r.kind == RuleKind::hidden;
      CHECK_MESSAGE(!r.message.empty(), r.id);
      CHECK_MESSAGE(!r.fix.empty(), r.id);
    }
    CHECK(secrets >= 40);
    CHECK(code >= 20);
    CHECK(file >= 10);
    CHECK(hidden >= 4);
    const Rule* aws = find_rule(*set, "aws-access-key");
    REQUIRE(aws);
    CHECK(aws->name == "safety/secret/aws-access-key");
    CHECK(aws->severity == Severity::critical);
  }

  TEST_CASE("a pattern RE2 rejects fails naming the rule") {
    auto msg = error_of("safety:\n  rules:\n    my-rule:\n      kind: code\n      pattern: '(unclosed'\n"
                        "      severity: error\n      message: m\n      why: w\n      fix: f\n");
    CHECK(msg.find("rule 'my-rule'") != std::string::npos);
    CHECK(msg == "guidance safety: rule 'my-rule': invalid pattern '(unclosed': missing ): (unclosed");
  }

  TEST_CASE("a rule matches with the prefilter's own compiled pattern: each pattern is compiled once") {
    auto g = load_guidance_texts({});
    auto set = compile_rules(g.section("safety"), g.version);
    for (const auto* pf : {set->line_set.get(), set->text_set.get()}) {
      REQUIRE(pf);
      REQUIRE(!pf->entries.empty());
      for (std::size_t e = 0; e < pf->entries.size(); ++e) {
        const auto [ri, pi] = pf->entries[e];
        const Rule& rule = set->rules[static_cast<std::size_t>(ri)];
        const auto& pats = pf == set->line_set.get() ? rule.line_patterns : rule.text_patterns;
        REQUIRE(static_cast<std::size_t>(pi) < pats.size());
        CHECK_MESSAGE(pats[static_cast<std::size_t>(pi)].get() == &pf->filter->GetRE2(static_cast<int>(e)), rule.id);
        CHECK(pf->patterns[e] == pats[static_cast<std::size_t>(pi)]->pattern());
      }
    }
    // The prefilter lives as long as a rule's pattern does, even once the
    // rule set is gone.
    auto pattern = find_rule(*set, "aws-access-key")->line_patterns.at(0);
    set.reset();
    CHECK(re2::RE2::PartialMatch("key = AKIAIOSFODNN7EXAMPLE", *pattern));
  }

  TEST_CASE("a bad pattern fails in every scope, and in a rule that is off") {
    const std::string rule = "      kind: code\n      pattern: '(unclosed'\n      severity: error\n"
                             "      message: m\n      why: w\n      fix: f\n";
    const std::string want = "guidance safety: rule 'r': invalid pattern '(unclosed': missing ): (unclosed";
    CHECK(error_of("safety:\n  rules:\n    r:\n" + rule + "      scope: pr\n") == want);
    CHECK(error_of("safety:\n  rules:\n    r:\n" + rule + "      scope: names\n") == want);
    CHECK(error_of("safety:\n  rules:\n    r:\n" + rule + "      state: off\n") == want);
    CHECK(error_of("safety:\n  rules:\n    r:\n      kind: code\n      pattern: 'x?'\n      severity: error\n"
                   "      message: m\n      why: w\n      fix: f\n      scope: pr\n")
              .find("matches empty text") != std::string::npos);
  }

  TEST_CASE("a rule missing a field fails naming the rule and the field") {
    auto msg = error_of("safety:\n  rules:\n    half-rule:\n      kind: code\n      pattern: 'x'\n"
                        "      severity: error\n      message: m\n      why: w\n");
    CHECK(msg == "guidance safety: rule 'half-rule': missing 'fix'");
  }

  TEST_CASE("unknown keys, kinds, severities and languages are errors") {
    const std::string base = "safety:\n  rules:\n    r1:\n      pattern: 'x'\n      message: m\n      why: w\n      fix: f\n";
    CHECK(error_of(base + "      kind: code\n      severity: error\n      colour: red\n")
              .find("unknown key 'colour'") != std::string::npos);
    CHECK(error_of(base + "      kind: magic\n      severity: error\n")
              .find("'kind' must be secret, code, file or hidden, got 'magic'") != std::string::npos);
    CHECK(error_of(base + "      kind: code\n      severity: fatal\n")
              .find("got 'fatal'") != std::string::npos);
    CHECK(error_of(base + "      kind: code\n      severity: error\n      languages: [cobol]\n")
              .find("unknown language 'cobol'") != std::string::npos);
    CHECK(error_of(base + "      kind: secret\n      severity: error\n      in_tests: skip-all\n")
              .find("unknown 'in_tests' 'skip-all' (known: issued-jwt)") != std::string::npos);
    CHECK(error_of(base + "      kind: secret\n      severity: error\n      in_tests: issued-jwt\n").empty());
    CHECK(error_of(base + "      kind: secret\n      severity: error\n      unless: 'y'\n      unless_reads: value\n")
              .find("'unless_reads' must be line or match, got 'value'") != std::string::npos);
    CHECK(error_of(base + "      kind: secret\n      severity: error\n      unless: 'y'\n      unless_reads: match\n").empty());
  }

  TEST_CASE("a pattern that matches empty text is refused") {
    auto msg = error_of("safety:\n  rules:\n    empty:\n      kind: code\n      pattern: 'x*'\n"
                        "      severity: error\n      message: m\n      why: w\n      fix: f\n");
    CHECK(msg.find("matches empty text") != std::string::npos);
  }

  // Only patterns without literal atoms are asked (rules.cpp): the first bad
  // pattern in rule order is still the one reported.
  TEST_CASE("the first pattern that matches empty text or is invalid is the one reported") {
    auto rule = [](const std::string& id, const std::string& pattern) {
      return "    " + id + ":\n      kind: code\n      pattern: '" + pattern +
             "'\n      severity: error\n      message: m\n      why: w\n      fix: f\n";
    };
    const std::string head = "safety:\n  rules:\n";
    CHECK(error_of(head + rule("a-ok", "password") + rule("b-empty", "(?:token)?") + rule("c-empty", "x*")) ==
          "guidance safety: rule 'b-empty': pattern '(?:token)?' matches empty text: it would flag every line");
    CHECK(error_of(head + rule("a-empty", "\\s*") + rule("b-bad", "(unclosed")) ==
          "guidance safety: rule 'a-empty': pattern '\\s*' matches empty text: it would flag every line");
    CHECK(error_of(head + rule("a-bad", "(unclosed") + rule("b-empty", "x*")).find("invalid pattern '(unclosed'") !=
          std::string::npos);
    CHECK(error_of(head + rule("a-ok", "secret_[a-z]+") + rule("b-ok", "api_?key\\s*=")).empty());
  }

  TEST_CASE("a team layer disables one rule and re-grades another without touching the rest") {
    auto g = load_guidance_texts({{"team.yml",
                                   "safety:\n  rules:\n    jwt:\n      state: off\n"
                                   "    python-shell-true:\n      severity: warning\n"}});
    auto set = compile_rules(g.section("safety"), g.version);
    CHECK(find_rule(*set, "jwt") == nullptr);
    const Rule* shell = find_rule(*set, "python-shell-true");
    REQUIRE(shell);
    CHECK(shell->severity == Severity::warning);
    CHECK(find_rule(*set, "aws-access-key") != nullptr);
  }

  TEST_CASE("a rule in shadow state runs and marks its findings shadow; docs extend the fix") {
    auto g = load_guidance_texts({{"team.yml", "safety:\n  rules:\n    jwt:\n      state: shadow\n"
                                                "      docs: https://wiki.acme.io/jwt\n"}});
    auto set = compile_rules(g.section("safety"), g.version);
    const Rule* jwt = find_rule(*set, "jwt");
    REQUIRE(jwt);
    CHECK(jwt->shadow);
    CHECK(jwt->fix.find("See https://wiki.acme.io/jwt") != std::string::npos);
    CHECK_FALSE(find_rule(*set, "aws-access-key")->shadow);
    CHECK(error_of("safety:\n  rules:\n    jwt:\n      state: maybe\n").find("'state' must be on, off or shadow") !=
          std::string::npos);
  }

  TEST_CASE("a disabled rule is still validated") {
    auto msg = error_of("safety:\n  rules:\n    jwt:\n      state: off\n      pattern: '(bad'\n");
    CHECK(msg.find("rule 'jwt'") != std::string::npos);
  }

  TEST_CASE("a team adds a rule of its own") {
    auto g = load_guidance_texts({{"team.yml",
                                   "safety:\n  rules:\n    no-printf-debug:\n      kind: code\n"
                                   "      languages: [c]\n      pattern: 'DEBUG_PRINTF'\n      severity: warning\n"
                                   "      message: Debug print left in.\n      why: It spams logs.\n      fix: Remove it.\n"}});
    auto set = compile_rules(g.section("safety"), g.version);
    const Rule* r = find_rule(*set, "no-printf-debug");
    REQUIRE(r);
    CHECK(r->name == "safety/code/no-printf-debug");
  }

  TEST_CASE("`before` goes in front of every pattern, and its flags end with it") {
    auto g = load_guidance_texts({{"team.yml",
                                   "safety:\n  rules:\n    seeded:\n      kind: code\n"
                                   "      before: '(?i)token\\s*=\\s*'\n      patterns: ['rand\\(', 'Random\\(']\n      severity: warning\n"
                                   "      message: m.\n      why: w.\n      fix: f.\n"}});
    auto set = compile_rules(g.section("safety"), g.version);
    const Rule* r = find_rule(*set, "seeded");
    REQUIRE(r);
    REQUIRE(r->line_patterns.size() == 2);
    CHECK(re2::RE2::PartialMatch("TOKEN = rand()", *r->line_patterns[0]));
    CHECK_FALSE(re2::RE2::PartialMatch("x = rand()", *r->line_patterns[0]));
    CHECK(re2::RE2::PartialMatch("token = Random()", *r->line_patterns[1]));
    CHECK_FALSE(re2::RE2::PartialMatch("token = RANDOM()", *r->line_patterns[1]));  // (?i) ends with `before`
    // The shipped weak-random rules share one list of calls.
    auto shipped = compile_rules(load_guidance_texts({}).section("safety"), "");
    const Rule* gen = find_rule(*shipped, "weak-random-in-secret-generator");
    const Rule* val = find_rule(*shipped, "weak-random-value-for-secret");
    REQUIRE((gen && val));
    CHECK(gen->line_patterns.size() == val->line_patterns.size());
  }

  TEST_CASE("rules are compiled once per guidance version and shared") {
    auto g1 = load_guidance_texts({});
    auto g2 = load_guidance_texts({});
    auto a = rules_for(g1);
    auto b = rules_for(g2);
    CHECK(a.get() == b.get());
    auto g3 = load_guidance_texts({{"team.yml", "safety:\n  rules:\n    jwt:\n      state: off\n"}});
    auto c = rules_for(g3);
    CHECK(c.get() != a.get());
    CHECK(c->version == g3.version);
  }

  TEST_CASE("specific secret rules are ordered before generic ones") {
    auto g = load_guidance_texts({});
    auto set = rules_for(g);
    bool seen_generic = false;
    for (const auto& r : set->rules) {
      if (r.kind != RuleKind::secret) break;
      if (r.generic) seen_generic = true;
      CHECK_MESSAGE(!(seen_generic && !r.generic), r.id);
    }
  }

  TEST_CASE("languages come from path globs") {
    auto g = load_guidance_texts({});
    auto set = rules_for(g);
    auto has = [&](const std::string& path, const std::string& lang) {
      auto it = std::find(set->language_names.begin(), set->language_names.end(), lang);
      REQUIRE(it != set->language_names.end());
      return (set->languages_of(path) >> (it - set->language_names.begin())) & 1;
    };
    CHECK(has("src/app.py", "python"));
    CHECK(has(".github/workflows/ci.yml", "actions"));
    CHECK(has(".github/workflows/ci.yml", "yaml"));
    CHECK_FALSE(has("docs/ci.yml", "actions"));
    CHECK(has("deploy/Dockerfile", "dockerfile"));
    CHECK_FALSE(has("src/app.py", "go"));
  }
}
