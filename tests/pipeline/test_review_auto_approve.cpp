#include <doctest/doctest.h>

#include "reviewer/git/builder.h"
#include "reviewer/pipeline/review.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

// A repository whose base branch carries `repo_yml` as .github/reviewer.yml
// and a `pr` branch with a small, clean change.
ReviewRequest request(const std::filesystem::path& dir, const std::string& repo_yml) {
  auto b = git::RepoBuilder::create(dir / "repo");
  std::map<std::string, git::FileChange> base = {{"README.md", {std::string("hello\n")}}};
  if (!repo_yml.empty()) base[".github/reviewer.yml"] = {repo_yml};
  auto root = b.commit("main", "", base, "init");
  b.commit("pr", root, {{"docs/usage.md", {std::string("Run it with --help.\n")}}},
           "Document the help flag\n\nAdds a usage note for the --help flag.");
  ReviewRequest req;
  req.repo = dir / "repo";
  req.base = "main";
  req.head = "pr";
  req.repository = "acme/api";
  req.author = "alice";
  return req;
}

}  // namespace

TEST_SUITE("pipeline::auto_approve") {
  TEST_CASE("the operator's guidance enables auto-approve for a repository and author") {
    auto dir = test::scratch_dir("aa-org");
    test::write_text(dir / "org" / "policy.yml", "auto_approve:\n  enabled: true\n  repositories: [\"acme/*\"]\n");
    auto req = request(dir, "");
    req.guidance_dirs = {dir / "org"};
    auto r = review_repository(req);
    CHECK(r.pr.repository == "acme/api");
    CHECK(r.pr.author == "alice");
    CHECK(r.auto_approve.allowed);
  }

  TEST_CASE("a repository's own file cannot turn auto-approve on") {
    auto dir = test::scratch_dir("aa-repo-on");
    auto r = review_repository(request(dir, "auto_approve:\n  enabled: true\n"));
    CHECK_FALSE(r.auto_approve.allowed);
    CHECK(r.auto_approve.reason.find("not enabled") != std::string::npos);
  }

  TEST_CASE("a repository's own file can exclude its paths from auto-approve") {
    auto dir = test::scratch_dir("aa-repo-narrow");
    test::write_text(dir / "org" / "policy.yml",
                     "auto_approve:\n  enabled: true\n  excluded_authors: [\"mallory\"]\n");
    auto req = request(dir, "auto_approve:\n  excluded_paths: [\"docs/**\"]\n");
    req.guidance_dirs = {dir / "org"};
    auto r = review_repository(req);
    CHECK_FALSE(r.auto_approve.allowed);
    CHECK(r.auto_approve.reason == "auto-approve excludes changes to docs/usage.md");
    req.author = "Mallory";  // the operator's exclusion survives the repository's list
    CHECK(review_repository(req).auto_approve.reason == "auto-approve excludes changes by Mallory");
  }
}

TEST_SUITE("pipeline::repository guidance") {
  TEST_CASE("a broken base-commit reviewer.yml is reported as a finding and the run cannot approve") {
    auto dir = test::scratch_dir("broken-repo-guidance");
    auto r = review_repository(request(dir, "thresholds:\n  auto_approve:\n    max_lines: many\n"));
    CHECK(r.decision.kind == DecisionKind::needs_human);
    const Finding* found = nullptr;
    for (const auto& a : r.agents) {
      for (const auto& f : a.findings) {
        if (f.rule == "guidance/invalid-repository-guidance") found = &f;
      }
    }
    REQUIRE(found);
    CHECK(found->evidence.find("'max_lines' must be an integer") != std::string::npos);
  }
}
