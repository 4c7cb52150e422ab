#include <doctest/doctest.h>

#include "subagents/size/size_agent.h"
#include "reviewer/core/error.h"
#include "support/fixtures.h"

using namespace reviewer;
using reviewer::test::file_with_counts;

namespace {

std::vector<Finding> run(const Diff& d, const Guidance& g) {
  AgentContext ctx;
  ctx.diff = d;
  ctx.guidance = g;
  return make_size_agent()->review(ctx);
}

}  // namespace

TEST_SUITE("subagents::size") {
  TEST_CASE("lines, files and areas are counted; excluded files apart") {
    Guidance g = load_guidance();
    Diff d;
    d.files.push_back(file_with_counts("src/a.cpp", 10, 2));
    d.files.push_back(file_with_counts("src/b.cpp", 5));
    d.files.push_back(file_with_counts("README.md", 1, 1));
    d.files.push_back(file_with_counts("web/package-lock.json", 900));  // guidance glob
    auto gen = file_with_counts("api/client.go", 300);
    gen.generated = true;  // linguist-generated
    d.files.push_back(gen);
    SizeStats s = measure_size(d, g);
    CHECK(s.lines_added == 16);
    CHECK(s.lines_deleted == 3);
    CHECK(s.files == 3);
    CHECK(s.areas == 2);  // src, (root)
    CHECK(s.excluded_files == 2);
    CHECK(s.label == "S");
    CHECK_FALSE(s.above_auto_approve_limit);
    // Left out of the count, but a lockfile without its manifest is worth a look.
    auto found = run(d, g);
    REQUIRE(found.size() == 1);
    CHECK(found[0].rule == "size/generated-without-source");
    CHECK(found[0].path == "web/package-lock.json");
  }

  TEST_CASE("each auto-approve limit is enforced on its own") {
    Guidance g = load_guidance();
    Diff lines;
    lines.files.push_back(file_with_counts("src/a.cpp", 401));
    CHECK(measure_size(lines, g).above_auto_approve_limit);
    Diff exactly;
    exactly.files.push_back(file_with_counts("src/a.cpp", 400));
    CHECK_FALSE(measure_size(exactly, g).above_auto_approve_limit);
    Diff files;
    for (int i = 0; i < 26; ++i) files.files.push_back(file_with_counts("src/f" + std::to_string(i), 1));
    CHECK(measure_size(files, g).above_auto_approve_limit);
    Diff areas;
    for (auto a : {"a", "b", "c", "d", "e"}) areas.files.push_back(file_with_counts(std::string(a) + "/x", 1));
    CHECK(measure_size(areas, g).above_auto_approve_limit);
  }

  TEST_CASE("long lines count: 60 KB of code on three lines is above the byte limit, not a 3-line change") {
    Guidance g = load_guidance();
    CHECK(g.auto_approve.max_bytes == 40000);
    const std::string line(20000, 'x');  // minified or machine-written code
    FileDiff f = file_with_counts("app/bundle.py", 3);
    f.hunks.clear();
    Hunk& h = f.hunks.emplace_back();
    h.new_start = 1;
    h.new_lines = 3;
    for (int i = 1; i <= 3; ++i) {
      DiffLine& l = h.lines.emplace_back();
      l.origin = LineOrigin::added;
      l.new_line = i;
      l.content = line;
    }
    own_text(f);
    Diff d;
    d.files.push_back(f);
    SizeStats s = measure_size(d, g);
    CHECK(s.lines_added == 3);
    CHECK(s.bytes_changed == 60003);
    CHECK(s.above_auto_approve_limit);
    auto findings = run(d, g);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].rule == "size/split");
    CHECK(findings[0].message.find("60003 changed bytes > 40000") != std::string::npos);
    CHECK(findings[0].message.find("changed lines") == std::string::npos);
    // One file cannot be split by area: the plan says why it is still too large.
    CHECK(findings[0].suggestion.find("PR 1: app/ (1 files, 3 lines, 60003 bytes) - still above") != std::string::npos);

    SUBCASE("the same bytes marked generated are not counted") {
      d.files[0].generated = true;
      CHECK_FALSE(measure_size(d, g).above_auto_approve_limit);
    }
  }

  TEST_CASE("a change above the limits gets a split finding with a concrete plan") {
    Guidance g = load_guidance();
    Diff d;
    for (auto area : {"api", "web", "db", "infra", "docs", "jobs"}) {
      for (int i = 0; i < 5; ++i) d.files.push_back(file_with_counts(std::string(area) + "/f" + std::to_string(i) + ".py", 50));
    }
    auto findings = run(d, g);
    REQUIRE(findings.size() == 1);
    const Finding& f = findings[0];
    CHECK(f.rule == "size/split");
    CHECK(f.severity == Severity::warning);
    CHECK(f.message.find("1500 changed lines > 400") != std::string::npos);
    CHECK(f.message.find("6 areas > 4") != std::string::npos);
    // 250 lines per area: at most one area fits per PR under 400 lines.
    CHECK(f.suggestion.find("PR 1: api/ (5 files, 250 lines)") != std::string::npos);
    CHECK(f.suggestion.find("PR 6:") != std::string::npos);
    CHECK(f.suggestion.find("still above") == std::string::npos);
  }

  TEST_CASE("small areas are packed together and an oversized area is called out") {
    Guidance g = load_guidance();
    Diff d;
    d.files.push_back(file_with_counts("big/a.py", 900));
    d.files.push_back(file_with_counts("x/a.py", 10));
    d.files.push_back(file_with_counts("y/a.py", 10));
    auto findings = run(d, g);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].suggestion.find("PR 1: big/ (1 files, 900 lines) - still above the limit") !=
          std::string::npos);
    CHECK(findings[0].suggestion.find("PR 2: x/, y/ (2 files, 20 lines)") != std::string::npos);
  }
}

TEST_SUITE("size agent guidance") {
  TEST_CASE("the size section is checked: pairs, globs, {stem} and the rule's fields") {
    auto agent = reviewer::make_size_agent();
    auto check = [&](const std::string& yaml) {
      try {
        agent->check_guidance(reviewer::load_guidance_texts({{"t.yml", yaml}}));
      } catch (const reviewer::Error& e) {
        return std::string(e.what());
      }
      return std::string();
    };
    CHECK(check("size:\n  generated_sources:\n    - {generated: ['*.gen.go']}\n") ==
          "guidance: size.generated_sources[0].sources: must be a non-empty list of globs");
    CHECK(check("size:\n  generated_sources:\n    - {generated: ['gen/**'], sources: ['{stem}.tmpl']}\n") ==
          "guidance: size.generated_sources[0].generated: 'gen/**' must have exactly one '*' in its file "
          "name to "
          "give {stem}");
    CHECK(check("size:\n  rules:\n    size/generated-without-source: {severity: loud}\n") ==
          "guidance: size.rules.size/generated-without-source.severity: must be info, warning, error or "
          "critical, "
          "got \"loud\"");
    CHECK(check("size:\n  rules:\n    size/other: {}\n")
              .starts_with("guidance: size.rules.size/other: unknown key"));
    CHECK(check("size:\n  generated_sources:\n    - {generated: ['*.gen.go'], sources: ['{stem}.tmpl']}\n")
              .empty());
  }

  TEST_CASE("keys under size: are an error: the limits live in thresholds.auto_approve") {
    auto agent = reviewer::make_size_agent();
    auto g = reviewer::load_guidance_texts({{"t.yml", "size:\n  max_lines: 10\n"}});
    CHECK_THROWS_WITH(agent->check_guidance(g),
                      "guidance: size.max_lines: unknown key (known: rules, generated_sources); the size "
                      "limits are thresholds.auto_approve");
    CHECK_NOTHROW(agent->check_guidance(reviewer::load_guidance_texts({})));
  }
}
