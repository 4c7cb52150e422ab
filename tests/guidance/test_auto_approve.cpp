#include <doctest/doctest.h>

#include "guidance/guidance.h"
#include "reviewer/core/error.h"

using namespace reviewer;

namespace {

Guidance with(const std::string& yaml) { return load_guidance_texts({{"org.yml", yaml}}); }

std::string error_of(const std::string& yaml) {
  try {
    with(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("guidance::auto_approve") {
  TEST_CASE("auto-approve is off unless guidance turns it on") {
    Guidance g = load_guidance();
    CHECK_FALSE(g.auto_approve_policy.enabled);
    auto v = auto_approve_verdict(g, "acme/api", "alice", {"src/a.cpp"});
    CHECK_FALSE(v.allowed);
    CHECK(v.reason.find("auto_approve.enabled") != std::string::npos);
  }

  TEST_CASE("enabled for listed repositories only, by repository glob") {
    Guidance g = with("auto_approve:\n  enabled: true\n  repositories: [\"acme/*\", \"tools/cli\"]\n");
    CHECK(auto_approve_verdict(g, "acme/api", "alice", {"a.go"}).allowed);
    CHECK(auto_approve_verdict(g, "tools/cli", "alice", {"a.go"}).allowed);
    auto v = auto_approve_verdict(g, "tools/infra", "alice", {"a.go"});
    CHECK_FALSE(v.allowed);
    CHECK(v.reason == "auto-approve is not enabled for repository tools/infra");
    CHECK(auto_approve_verdict(with("auto_approve:\n  enabled: true\n"), "any/repo", "bob", {}).allowed);
  }

  TEST_CASE("excluded authors (case-insensitive) and excluded paths are never auto-approved") {
    Guidance g = with(
        "auto_approve:\n  enabled: true\n  excluded_authors: [\"dependabot[bot]\"]\n"
        "  excluded_paths: [\"migrations/**\"]\n");
    CHECK_FALSE(auto_approve_verdict(g, "a/b", "Dependabot[bot]", {"x.txt"}).allowed);
    auto v = auto_approve_verdict(g, "a/b", "alice", {"src/x.py", "migrations/0001.sql"});
    CHECK_FALSE(v.allowed);
    CHECK(v.reason == "auto-approve excludes changes to migrations/0001.sql");
    CHECK(auto_approve_verdict(g, "a/b", "alice", {"src/x.py"}).allowed);
    CHECK_FALSE(auto_approve_verdict(g, "a/b", "", {"src/x.py"}).allowed);
  }

  TEST_CASE("a repository layer can narrow the operator's policy but never widen it") {
    Guidance org =
        with("auto_approve:\n  enabled: true\n  repositories: [\"acme/*\"]\n  excluded_authors: [ci-bot]\n");
    Guidance t = layer_repository(
        org, "reviewer.yml",
        "auto_approve:\n  enabled: true\n  repositories: [\"*\"]\n  excluded_paths: [\"db/**\"]\n");
    CHECK(t.auto_approve_policy.enabled);
    CHECK(t.auto_approve_policy.repositories == std::vector<std::string>{"acme/*"});
    CHECK(t.auto_approve_policy.excluded_authors == std::vector<std::string>{"ci-bot"});
    CHECK(t.auto_approve_policy.excluded_paths == std::vector<std::string>{"db/**"});

    CHECK_FALSE(layer_repository(org, "reviewer.yml", "auto_approve:\n  enabled: false\n")
                    .auto_approve_policy.enabled);
    CHECK_FALSE(layer_repository(load_guidance(), "reviewer.yml", "auto_approve:\n  enabled: true\n")
                    .auto_approve_policy.enabled);
  }

  TEST_CASE("bad auto_approve guidance is an error naming the place") {
    CHECK(error_of("auto_approve:\n  enabled: maybe\n") == "org.yml:2:12: 'enabled' must be true or false, got 'maybe'");
    CHECK(error_of("auto_approve:\n  repos: []\n").starts_with("org.yml:2:3: unknown key 'repos' in auto_approve"));
    CHECK(error_of("auto_approve:\n  excluded_paths: \"x\"\n") ==
          "org.yml:2:19: 'excluded_paths' must be a list of globs");
    CHECK(error_of("auto_approve:\n  excluded_authors: [[a]]\n") ==
          "org.yml:2:22: 'excluded_authors' entries must be logins");
  }
}
