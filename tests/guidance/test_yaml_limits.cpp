#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
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

TEST_SUITE("guidance::untrusted YAML") {
  TEST_CASE("a repository file that is not UTF-8 is refused with file:line:col (fuzzing found a crash)") {
    // yaml-cpp let the bytes through and nlohmann's dump() of a refused
    // value threw type_error 316, which is no reviewer::Error: the review
    // failed instead of reporting bad guidance. tests/fuzz/corpus/guidance
    // holds the input the fuzzer found.
    CHECK(repository_error("max_changed_lines: 10\nprotected_paths:\n  - \"a\xff\"\n") ==
          std::string(kName) + ":3:7: byte 0xFF is not UTF-8: a guidance file must be UTF-8 text");
    CHECK(repository_error("\xc0\xaf: 1\n").find(":1:1: byte 0xC0 is not UTF-8") != std::string::npos);  // overlong
    CHECK(repository_error("a: \"\xed\xa0\x80\"\n").find(":1:5: byte 0xED") != std::string::npos);  // surrogate
    CHECK(repository_error("a: \"\xe2\x80\"").find(":1:5: byte 0xE2") != std::string::npos);  // cut short
    CHECK(repository_error("# caf\xc3\xa9 \xf0\x9f\x98\x80\nprotected_paths:\n  - \"secrets/**\"\n").empty());  // real UTF-8 is fine
    std::ifstream in(std::string(REVIEWER_SOURCE_DIR) + "/tests/fuzz/corpus/guidance/crash-invalid-utf8-dump",
                     std::ios::binary);
    const std::string found((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(found.size() > 1000);
    CHECK(repository_error(found).find("is not UTF-8") != std::string::npos);
    // A linter's config is evidence, not guidance: read with the byte replaced, so a check reading it stays.
    const auto lint = read_untrusted_yaml("lint.yml", "# Configuraci\xf3n\nk: \"\xff\"\nlinters: [gosec]\n");
    CHECK(lint["k"] == "\xEF\xBF\xBD");
    CHECK(lint["linters"][0] == "gosec");
    CHECK_NOTHROW((void)lint.dump());
  }
}
