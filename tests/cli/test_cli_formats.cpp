#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "support/sarif_validator.h"

using namespace reviewer::test;

TEST_SUITE("cli::formats") {
  TEST_CASE("sarif output of the demo passes Microsoft's SARIF validator with no errors") {
    auto dir = scratch_dir("sarif");
    auto r = reviewer_cli("demo --no-audit --format sarif --dir '" + (dir / "demo").string() + "'");
    REQUIRE(r.rc == 0);
    // The demo prints one SARIF log per PR; validate each.
    std::vector<std::string> logs;
    size_t pos = 0;
    while (true) {
      size_t start = r.out.find("{\n", pos);
      if (start == std::string::npos) break;
      size_t end = r.out.find("\n}\n", start);
      REQUIRE(end != std::string::npos);
      logs.push_back(r.out.substr(start, end + 3 - start));
      pos = end + 3;
    }
    REQUIRE(logs.size() == 3);
    for (size_t i = 0; i < logs.size(); ++i) {
      CHECK(sarif_problems(REVIEWER_SOURCE_DIR, logs[i], dir, "pr" + std::to_string(i)) == "");
    }
  }

  TEST_CASE("markdown output of the demo is the body the bot would post") {
    auto dir = scratch_dir("md");
    auto r = reviewer_cli("demo --no-audit --format markdown --dir '" + (dir / "demo").string() + "'");
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("## reviewer: ") != std::string::npos);
    CHECK(r.out.find("| Agent | Status | Findings | Time |") != std::string::npos);
  }
}
