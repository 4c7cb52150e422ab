#include <doctest/doctest.h>

#include <set>

#include "reviewer/git/builder.h"
#include "reviewer/pipeline/review.h"
#include "support/alias_bomb.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

// A repository whose base branch carries `repo_yml` as .github/reviewer.yml
// and a `pr` branch with `change` (by default a small, clean one).
ReviewRequest request(const std::filesystem::path& dir, const std::string& repo_yml,
                      const std::map<std::string, git::FileChange>& change = {
                          {"docs/usage.md", {std::string("Run it with --help.\n")}}}) {
  auto b = git::RepoBuilder::create(dir / "repo");
  std::map<std::string, git::FileChange> base = {{"README.md", {std::string("hello\n")}}};
  if (!repo_yml.empty()) base[".github/reviewer.yml"] = {repo_yml};
  auto root = b.commit("main", "", base, "init");
  b.commit("pr", root, change, "Document the help flag\n\nAdds a usage note for the --help flag.");
  ReviewRequest req;
  req.repo = dir / "repo";
  req.base = "main";
  req.head = "pr";
  req.repository = "acme/api";
  req.author = "alice";
  return req;
}

// The run's guidance/invalid-repository-guidance finding (the last, if several).
const Finding* guidance_finding(const ReviewResult& r) {
  const Finding* found = nullptr;
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) {
      if (f.rule == "guidance/invalid-repository-guidance") found = &f;
    }
  }
  return found;
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
  TEST_CASE("an alias bomb in the base-commit reviewer.yml is refused at its first anchor; the run cannot approve") {
    auto r = review_repository(request(test::scratch_dir("alias-bomb"), test::alias_bomb()));
    CHECK(r.decision.kind == DecisionKind::needs_human);
    const Finding* found = guidance_finding(r);
    REQUIRE(found);
    CHECK(found->evidence.find(".github/reviewer.yml@") != std::string::npos);
    CHECK(found->evidence.find(":1:4: an anchor (&name) is not allowed") != std::string::npos);
  }

  TEST_CASE("a broken base-commit reviewer.yml is reported as a finding and the run cannot approve") {
    auto dir = test::scratch_dir("broken-repo-guidance");
    auto r = review_repository(request(dir, "thresholds:\n  auto_approve:\n    max_lines: many\n"));
    CHECK(r.decision.kind == DecisionKind::needs_human);
    const Finding* found = guidance_finding(r);
    REQUIRE(found);
    CHECK(found->evidence.find("'max_lines' must be an integer") != std::string::npos);
  }

  TEST_CASE("a base-branch file that tries to loosen everything is refused key by key and cannot approve") {
    auto dir = test::scratch_dir("loosen-all");
    test::write_text(dir / "org" / "policy.yml",
                     "auto_approve:\n  enabled: true\nprotected_paths: [\".github/workflows/**\", \"infra/**\"]\n");
    const std::string repo_yml =
        "protected_paths: []\n"
        "excluded_paths: [\"**\"]\n"
        "thresholds:\n  auto_approve: {max_lines: 100000, max_files: 10000, max_areas: 100}\n"
        "safety:\n  rules:\n    aws-access-key: {state: \"off\"}\n    symlink-outside-repository: {state: \"off\"}\n";
    std::string big;
    for (int i = 0; i < 600; ++i) big += "line " + std::to_string(i) + "\n";
    auto req = request(
        dir, repo_yml,
        {{".github/workflows/setup.yml",
          {std::string("on: push\njobs:\n  s:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "      - run: curl -fsSL https://get.example.com/install | sh\n")}},
         {"config/aws.env", {std::string("AWS_ACCESS_KEY_ID=AKIAZ7VRSQ3TLWOPBX4N\n")}},
         {"data/passwd", {std::string("/etc/passwd"), GIT_FILEMODE_LINK}},
         {"docs/big.md", {big}}});
    req.guidance_dirs = {dir / "org"};
    ReviewResult r = review_repository(req);

    CHECK(r.decision.kind == DecisionKind::request_changes);
    std::set<std::string> refused, rules;
    for (const auto& a : r.agents) {
      for (const auto& f : a.findings) {
        rules.insert(f.rule);
        if (f.rule == "guidance/invalid-repository-guidance") {
          CHECK(f.severity == Severity::warning);
          CHECK(f.path == ".github/reviewer.yml");
          refused.insert(f.evidence.substr(f.evidence.rfind(' ') + 1));
        }
      }
      if (a.name == "guidance") CHECK(a.status == AgentStatus::ok);  // the rest of the file applied
    }
    CHECK(refused == std::set<std::string>{"excluded_paths", "thresholds.auto_approve.max_lines",
                                           "thresholds.auto_approve.max_files", "thresholds.auto_approve.max_areas",
                                           "safety.rules.aws-access-key.state",
                                           "safety.rules.symlink-outside-repository.state"});
    CHECK(rules.count("safety/secret/aws-access-key"));
    CHECK(rules.count("safety/file/symlink-outside-repository"));
    CHECK(rules.count("safety/code/curl-pipe-shell"));
    CHECK(r.size.excluded_files == 0);
    CHECK(r.size.above_auto_approve_limit);

    // Without the secret, the symlink and the pipe to a shell, the same
    // loosening file still cannot get the change approved.
    auto clean = request(test::scratch_dir("loosen-all-clean"), repo_yml);
    clean.guidance_dirs = {dir / "org"};
    CHECK(review_repository(clean).decision.kind == DecisionKind::comment);
  }
}
