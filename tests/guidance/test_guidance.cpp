#include <doctest/doctest.h>

#include <random>

#include <re2/re2.h>

#include "guidance/guidance.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

std::string error_of(const std::vector<std::pair<std::string, std::string>>& docs) {
  try {
    load_guidance_texts(docs);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("guidance::load") {
  TEST_CASE("the shipped defaults load with the documented limits") {
    Guidance g = load_guidance();
    CHECK(g.auto_approve.max_lines == 400);
    CHECK(g.auto_approve.max_files == 25);
    CHECK(g.auto_approve.max_areas == 4);
    CHECK(g.deadline_ms("size") == 2000);
    CHECK(g.partial_review.max_lines == 50000);
    CHECK(g.partial_review.max_bytes == 50000000);
    CHECK(g.deadline_ms("unknown-agent") == g.default_deadline_ms);
    CHECK(g.auto_approve.max_bytes == 40000);
    CHECK(g.protected_matcher.matches(".github/workflows/ci.yml"));
    // A local action a workflow runs is as much the CI as the workflow.
    CHECK(g.protected_matcher.matches(".github/actions/setup/action.yml"));
    // So is any other CI system's configuration: a pipeline that stops
    // running the tests weakens the checks as a workflow edit would.
    for (const char* ci : {".gitlab-ci.yml", ".gitlab/ci/test.yml", "Jenkinsfile", "services/api/Jenkinsfile",
                           "azure-pipelines.yml", ".azure-pipelines/build.yml", ".circleci/config.yml", ".travis.yml",
                           "bitbucket-pipelines.yml", ".buildkite/pipeline.yml", ".drone.yml", "appveyor.yml",
                           ".woodpecker.yml", ".woodpecker/test.yml", "cloudbuild.yaml", ".gitea/workflows/ci.yml",
                           ".forgejo/workflows/ci.yml"}) {
      CHECK_MESSAGE(g.protected_matcher.matches(ci), ci);
    }
    CHECK_FALSE(g.protected_matcher.matches("docs/ci.md"));
    CHECK_FALSE(g.protected_matcher.matches("src/pipelines/azure.py"));
    CHECK(g.excluded_matcher.matches("web/package-lock.json"));
    CHECK(g.version.size() == 64);
  }

  TEST_CASE("a later layer overrides one key and keeps the rest") {
    Guidance g = load_guidance_texts({{"team.yml", "thresholds:\n  auto_approve:\n    max_lines: 50\n"}});
    CHECK(g.auto_approve.max_lines == 50);
    CHECK(g.auto_approve.max_files == 25);
    CHECK(g.version != load_guidance().version);
  }

  TEST_CASE("lists are replaced whole by a later layer") {
    Guidance g = load_guidance_texts({{"t.yml", "protected_paths: [\"infra/**\"]\n"}});
    CHECK(g.protected_matcher.matches("infra/prod/main.tf"));
    CHECK_FALSE(g.protected_matcher.matches(".github/workflows/ci.yml"));
  }

  TEST_CASE("errors name file, line and column") {
    CHECK(error_of({{"team.yml", "thresholds:\n  auto_aprove: {}\n"}}) ==
          "team.yml:2:3: unknown key 'auto_aprove' in thresholds (known: auto_approve, "
          "max_file_bytes, deadlines_ms, partial_review)");
    CHECK(error_of({{"t.yml", "thresholds:\n  partial_review:\n    max_lines: 0\n"}}) ==
          "t.yml:3:16: 'max_lines' must be at least 1, got 0");
    CHECK(error_of({{"t.yml", "thresholds:\n  partial_review:\n    max_files: 9\n"}}).starts_with(
        "t.yml:3:5: unknown key 'max_files' in thresholds.partial_review"));
    CHECK(error_of({{"t.yml", "thresholds:\n  auto_approve:\n    max_lines: lots\n"}}) ==
          "t.yml:3:16: 'max_lines' must be an integer, got 'lots'");
    CHECK(error_of({{"t.yml", "thresholds:\n  max_file_bytes: 0\n"}}) ==
          "t.yml:2:19: 'max_file_bytes' must be at least 1, got 0");
    CHECK(error_of({{"t.yml", "colour: blue\n"}}).starts_with("t.yml:1:1: unknown key 'colour'"));
    CHECK(error_of({{"t.yml", "protected_paths: \"x\"\n"}}) ==
          "t.yml:1:18: 'protected_paths' must be a list of globs");
    CHECK(error_of({{"bad.yml", "thresholds: [1,\n"}}).starts_with("bad.yml:"));
    CHECK(error_of({{"t.yml", "- a\n- b\n"}}) == "t.yml:1:1: a guidance file must be a mapping of keys");
  }

  TEST_CASE("a directory layer is read file by file in name order") {
    auto dir = test::scratch_dir("guidance-dir");
    test::write_text(dir / "10-limits.yml", "thresholds:\n  auto_approve:\n    max_files: 7\n");
    test::write_text(dir / "20-more.yaml", "thresholds:\n  auto_approve:\n    max_files: 9\n");
    test::write_text(dir / "notes.txt", "ignored");
    Guidance g = load_guidance({dir});
    CHECK(g.auto_approve.max_files == 9);
  }

  TEST_CASE("a missing directory or unreadable file is a clear error") {
    CHECK_THROWS_WITH_AS(load_guidance({"/nonexistent/guidance"}),
                         "guidance directory '/nonexistent/guidance' does not exist or is not a directory",
                         Error);
  }
}

TEST_SUITE("guidance::PathMatcher") {
  TEST_CASE("globs follow gitignore conventions") {
    struct Case {
      const char* glob;
      const char* path;
      bool match;
    } cases[] = {
        {"*.lock", "Cargo.lock", true},
        {"*.lock", "sub/dir/Cargo.lock", true},
        {"*.lock", "Cargo.locked", false},
        {"vendor/**", "vendor/a/b.go", true},
        {"vendor/**", "src/vendor/a.go", false},
        {"**/vendor/**", "src/vendor/a.go", true},
        {"docs/*.md", "docs/a.md", true},
        {"docs/*.md", "docs/sub/a.md", false},
        {"a/**/b", "a/b", true},
        {"a/**/b", "a/x/y/b", true},
        {"/CODEOWNERS", "CODEOWNERS", true},
        {"/CODEOWNERS", "docs/CODEOWNERS", false},
        {"CODEOWNERS", "docs/CODEOWNERS", true},
        {"file?.txt", "file1.txt", true},
        {"file?.txt", "file/.txt", false},
        {"build/", "build/out.o", true},
        {"a+b(c).txt", "a+b(c).txt", true},
        // Paths are bytes: a name that is not UTF-8 still matches a wildcard
        // (it escaped every protected glob with one), and "?" is one
        // character, whichever bytes it takes.
        {"db/migrations/**", "db/migrations/0042\xff.sql", true},
        {"*.pem", "\xff.pem", true},
        {"secrets", "a\xff/secrets", true},
        {".github/workflows/*", ".github/workflows/a\xff.yml", true},
        {"file?.txt", "file\xc3\xa9.txt", true},
        {"file?.txt", "file\xff.txt", true},
        {"file?.txt", "file12.txt", false},
        {"caf\xc3\xa9/*", "caf\xc3\xa8/x", false},
    };
    for (const auto& c : cases) {
      CAPTURE(c.glob);
      CAPTURE(c.path);
      CHECK(PathMatcher({c.glob}).matches(c.path) == c.match);
    }
  }

  TEST_CASE("globs without a wildcard, compared as text, match exactly what their pattern matches") {
    std::mt19937 rng(21);
    const char glob_chars[] = {'a', 'b', '/', '/', '.', '\n'};
    const char path_chars[] = {'a', 'b', '/', '/', '.', '\n', 'a'};
    auto draw = [&](const char* chars, std::size_t n, std::size_t max) {
      std::string out(1 + rng() % max, ' ');
      for (char& c : out) c = chars[rng() % n];
      return out;
    };
    int matched = 0;
    for (int i = 0; i < 20000; ++i) {
      const std::string glob = draw(glob_chars, sizeof glob_chars, 5), path = draw(path_chars, sizeof path_chars, 9);
      CAPTURE(glob);
      CAPTURE(path);
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_encoding(RE2::Options::EncodingLatin1);  // as PathMatcher compiles it
      const RE2 re(PathMatcher::glob_to_regex(glob), opts);
      REQUIRE(re.ok());
      const bool want = RE2::FullMatch(path, re);
      CHECK(PathMatcher({glob}).matches(path) == want);
      matched += want;
    }
    CHECK(matched > 500);  // the draws do reach matching paths
  }

  TEST_CASE("an empty matcher matches nothing") {
    PathMatcher m;
    CHECK(m.empty());
    CHECK_FALSE(m.matches("anything"));
  }
}
