#include <doctest/doctest.h>

#include "reviewer/core/decision.h"
#include "reviewer/core/finding.h"
#include "reviewer/core/sha256.h"
#include "reviewer/core/size_stats.h"

using namespace reviewer;

TEST_SUITE("core::Finding") {
  TEST_CASE("a finding id ignores indentation and inner whitespace runs") {
    auto a = make_finding_id("safety/eval", "src/a.py", "    return eval(x)");
    auto b = make_finding_id("safety/eval", "src/a.py", "return   eval(x)\t");
    CHECK(a == b);
    CHECK(a.size() == 16);
  }

  TEST_CASE("a finding id changes with the rule, the path or the content") {
    auto base = make_finding_id("r", "p", "x = 1");
    CHECK(make_finding_id("r2", "p", "x = 1") != base);
    CHECK(make_finding_id("r", "p2", "x = 1") != base);
    CHECK(make_finding_id("r", "p", "x = 2") != base);
    // Field boundaries matter: ("ab","c") is not ("a","bc").
    CHECK(make_finding_id("ab", "c", "") != make_finding_id("a", "bc", ""));
  }

  TEST_CASE("severities and decisions round-trip through their names") {
    for (auto s : {Severity::info, Severity::warning, Severity::error, Severity::critical}) {
      CHECK(parse_severity(to_string(s)) == s);
    }
    CHECK_FALSE(parse_severity("fatal").has_value());
    for (auto d : {DecisionKind::approve, DecisionKind::comment, DecisionKind::request_changes,
                   DecisionKind::needs_human}) {
      CHECK(parse_decision(to_string(d)) == d);
    }
  }

  TEST_CASE("exit codes follow the contract") {
    CHECK(exit_code(DecisionKind::approve) == 0);
    CHECK(exit_code(DecisionKind::comment) == 0);
    CHECK(exit_code(DecisionKind::request_changes) == 2);
    CHECK(exit_code(DecisionKind::needs_human) == 3);
  }

  TEST_CASE("size labels use Prow's thresholds") {
    CHECK(size_label(0) == "XS");
    CHECK(size_label(9) == "XS");
    CHECK(size_label(10) == "S");
    CHECK(size_label(29) == "S");
    CHECK(size_label(30) == "M");
    CHECK(size_label(99) == "M");
    CHECK(size_label(100) == "L");
    CHECK(size_label(499) == "L");
    CHECK(size_label(500) == "XL");
    CHECK(size_label(999) == "XL");
    CHECK(size_label(1000) == "XXL");
  }

  TEST_CASE("sha256 matches the published test vector") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
