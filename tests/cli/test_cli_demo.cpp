#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"

using namespace reviewer::test;
using nlohmann::json;

TEST_SUITE("cli::demo") {
  TEST_CASE("the demo reviews three sample pull requests and records them") {
    auto dir = scratch_dir("demo") / "d";
    auto r = reviewer_cli("demo --format json --dir '" + dir.string() + "'");
    REQUIRE(r.rc == 0);
    CHECK(r.err == "");
    std::vector<json> results;
    size_t pos = 0;
    while (pos < r.out.size()) {
      size_t end = r.out.find("\n}\n", pos);
      if (end == std::string::npos) break;
      results.push_back(json::parse(r.out.substr(pos, end + 3 - pos)));
      pos = end + 3;
    }
    REQUIRE(results.size() == 3);
    // 1: the clean fix is small; 2: the risky change; 3: the huge change
    // needs a human and comes with a split.
    CHECK(results[0]["size"]["label"] == "XS");
    CHECK(results[2]["decision"] == "needs_human");
    CHECK(results[2]["size"]["lines_added"].get<int>() >= 1500);
    CHECK(results[2]["size"]["areas"] == 6);
    bool split = false;
    for (const auto& a : results[2]["agents"]) {
      for (const auto& f : a["findings"]) split = split || f["rule"] == "size/split";
    }
    CHECK(split);

    std::string out;
    REQUIRE(run_command("sqlite3 '" + (dir / "audit.db").string() + "' 'select count(*) from review_runs'", &out) == 0);
    CHECK(out == "3\n");
  }

  TEST_CASE("the demo refuses a directory that is not empty") {
    auto dir = scratch_dir("demo-full");
    write_text(dir / "keep.txt", "mine");
    auto r = reviewer_cli("demo --dir '" + dir.string() + "'");
    CHECK(r.rc == 1);
    CHECK(r.err.find("is not empty") != std::string::npos);
    CHECK(read_text(dir / "keep.txt") == "mine");
  }
}
