#include <doctest/doctest.h>

#include <string>

#include "guidance/guidance.h"
#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "support/alias_bomb.h"

using namespace reviewer;

namespace {

constexpr const char* kName = ".github/reviewer.yml@0123456789ab";

std::string repository_error(const std::string& text) {
  try {
    layer_repository(load_guidance(), kName, text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("guidance::untrusted YAML") {
  TEST_CASE("an alias bomb in a repository's file is refused at its first anchor, with file:line:col") {
    const std::string bomb = test::alias_bomb();
    REQUIRE(bomb.size() < 500);
    CHECK(repository_error(bomb) ==
          std::string(kName) +
              ":1:4: an anchor (&name) is not allowed in a repository's guidance file (aliases can expand a "
              "small file into gigabytes); write the values out");
  }

  TEST_CASE("aliases and merge keys are refused in a repository's file wherever they appear") {
    // An anchor on a scalar, then an alias: refused at the anchor.
    CHECK(repository_error("protected_paths: [&p \"infra/**\", *p]\n")
              .starts_with(std::string(kName) + ":1:19: an anchor (&name) is not allowed"));
    // A merge key needs an alias: refused.
    CHECK(repository_error("thresholds:\n  auto_approve: &l {max_lines: 10}\n  deadlines_ms: {<<: *l}\n")
              .starts_with(std::string(kName) + ":2:17: an anchor (&name) is not allowed"));
  }

  TEST_CASE("a repository's file is limited in depth, size and to one document") {
    std::string deep = "safety:\n  rules:\n    x: ";
    for (int i = 0; i < 20; ++i) deep += "[";
    for (int i = 0; i < 20; ++i) deep += "]";
    CHECK(repository_error(deep + "\n").starts_with(std::string(kName) + ":3:"));
    CHECK(repository_error(deep + "\n").find("nested deeper than 16 levels") != std::string::npos);

    std::string big = "protected_paths:\n";
    while (big.size() <= 256 * 1024) big += "  - \"docs/some/long/path/to/protect/**\"\n";
    CHECK(repository_error(big).find("is larger than the 262144 bytes a guidance file may hold") !=
          std::string::npos);

    CHECK(repository_error("protected_paths: [\"a/**\"]\n---\nexcluded_paths: [\"**\"]\n") ==
          std::string(kName) + ":2:1: a guidance file holds one YAML document; remove the second '---'");
  }

  TEST_CASE("invalid YAML in a repository's file names file:line:col") {
    CHECK(repository_error("thresholds: [1,\n").starts_with(std::string(kName) + ":"));
  }

  TEST_CASE("the operator's own files keep anchors, but an expansion past the node budget is refused") {
    Guidance g = load_guidance_texts(
        {{"org.yml", "protected_paths: &p [\"infra/**\"]\nauto_approve:\n  excluded_paths: *p\n"}});
    CHECK(g.auto_approve_policy.excluded_paths == std::vector<std::string>{"infra/**"});
    // Seven levels of nine: 9^7 = 4.8 million strings, past the 500,000 budget.
    std::string bomb = "safety:\n  x0: &x0 [1,1,1,1,1,1,1,1,1]\n";
    for (int i = 1; i <= 6; ++i) {
      bomb +=
          fmt::format("  x{0}: &x{0} [*x{1},*x{1},*x{1},*x{1},*x{1},*x{1},*x{1},*x{1},*x{1}]\n", i, i - 1);
    }
    CHECK_THROWS_WITH_AS(load_guidance_texts({{"org.yml", bomb}}),
                         doctest::Contains("expands to more than 500000 values"), Error);
  }
}
