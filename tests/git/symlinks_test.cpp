// git::linked_paths: where a change reaches through symlinks, from the trees.
#include <doctest/doctest.h>

#include <set>

#include "git/fixture.h"
#include "reviewer/git/symlinks.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

git::FileChange symlink_to(std::string target) { return text(std::move(target), GIT_FILEMODE_LINK); }

bool is_protected(std::string_view p) {
  return p == ".github/CODEOWNERS" || p == "CODEOWNERS" || p.starts_with(".github/workflows/");
}

std::set<std::string> reached(const ScratchRepo& r, const std::string& base, const std::string& head,
                              git::LinkLimits limits = {}) {
  std::set<std::string> out;
  for (const auto& l : git::linked_paths(r.dir, r.diff(base, head), is_protected, limits)) {
    out.insert(l.path + " <- " + l.link);
  }
  return out;
}

}  // namespace

TEST_SUITE("git::linked_paths") {
  TEST_CASE("a file edited through an existing link named CODEOWNERS reaches CODEOWNERS") {
    ScratchRepo r("links-codeowners");
    auto base = r.commit("main", "", {{"docs/owners.txt", text("* @org/core\n")},
                                      {".github/CODEOWNERS", symlink_to("../docs/owners.txt")}});
    auto head = r.commit("pr", base, {{"docs/owners.txt", text("* @mallory\n")}});
    CHECK(reached(r, base, head) == std::set<std::string>{".github/CODEOWNERS <- .github/CODEOWNERS"});
  }

  TEST_CASE("a file added under a folder that .github/workflows links to reaches the workflows") {
    ScratchRepo r("links-workflows");
    auto base = r.commit("main", "", {{"ci/test.yml", text("on: [push]\n")}, {".github/workflows", symlink_to("../ci")}});
    auto head = r.commit("pr", base, {{"ci/test.yml", text("on: [push]\n# || true\n")}, {"ci/new.yml", text("x\n")}});
    CHECK(reached(r, base, head) == std::set<std::string>{".github/workflows/test.yml <- .github/workflows",
                                                          ".github/workflows/new.yml <- .github/workflows"});
  }

  TEST_CASE("a chain of links and a `..` in a target are followed") {
    ScratchRepo r("links-chain");
    auto base = r.commit("main", "", {{"real/owners", text("* @a\n")},
                                      {"hop/b", symlink_to("../real/./owners")},
                                      {"hop/a", symlink_to("b")},
                                      {"CODEOWNERS", symlink_to("hop/a")}});
    auto head = r.commit("pr", base, {{"real/owners", text("* @b\n")}});
    CHECK(reached(r, base, head) == std::set<std::string>{"CODEOWNERS <- CODEOWNERS"});
  }

  TEST_CASE("a link added that points into a protected path reaches it; a link to a folder above one too") {
    ScratchRepo r("links-added");
    auto base = r.commit("main", "", {{".github/workflows/ci.yml", text("on: [push]\n")}, {"README.md", text("x\n")}});
    auto head = r.commit("pr", base, {{"ci.yml", symlink_to(".github/workflows/ci.yml")}, {"gh", symlink_to(".github")}});
    CHECK(reached(r, base, head) == std::set<std::string>{".github/workflows/ci.yml <- ci.yml",
                                                          ".github/workflows/ci.yml <- gh"});
  }

  TEST_CASE("near misses: a link to an ordinary file, a loop, an absolute target, a target outside the repository") {
    ScratchRepo r("links-negative");
    auto base = r.commit("main", "", {{"README.md", text("x\n")},
                                      {"docs/README.md", symlink_to("../README.md")},
                                      {"loop/a", symlink_to("b")},
                                      {"loop/b", symlink_to("a")},
                                      {"CODEOWNERS", symlink_to("/etc/CODEOWNERS")},
                                      {".github/CODEOWNERS", symlink_to("../../outside/owners")}});
    auto head = r.commit("pr", base, {{"README.md", text("y\n")}, {"loop/c", symlink_to("a")},
                                      {"etc-link", symlink_to("/.github/workflows/ci.yml")}});
    CHECK(reached(r, base, head).empty());
  }

  TEST_CASE("a workflows link to the repository root reaches a file edited at the root") {
    ScratchRepo r("links-root");
    auto base = r.commit("main", "", {{"deploy.yml", text("on: push\n")},
                                      {".github/workflows", symlink_to("..")}});
    auto head = r.commit("pr", base, {{"deploy.yml", text("on: pull_request_target\n")}});
    CHECK(reached(r, base, head) == std::set<std::string>{".github/workflows/deploy.yml <- .github/workflows"});
  }

  TEST_CASE("a link added at a protected folder's path reaches the files of the folder it names") {
    ScratchRepo r("links-at-protected");
    auto base = r.commit("main", "", {{"ci/test.yml", text("on: push\n")}, {"README.md", text("x\n")}});
    auto head = r.commit("pr", base, {{".github/workflows", symlink_to("../ci")}});
    CHECK(reached(r, base, head) == std::set<std::string>{".github/workflows/test.yml <- .github/workflows"});
  }

  TEST_CASE("the link walk is bounded") {
    ScratchRepo r("links-bounded");
    auto base = r.commit("main", "", {{"docs/owners.txt", text("* @org/core\n")},
                                      {"z/CODEOWNERS", symlink_to("../docs/owners.txt")},
                                      {"CODEOWNERS", symlink_to("docs/owners.txt")}});
    auto head = r.commit("pr", base, {{"docs/owners.txt", text("* @mallory\n")}});
    // A walk cut short would answer from the links it saw (fail open): it
    // throws, and the review turns that into "needs a person".
    git::LinkLimits few;
    few.max_entries = 2;
    CHECK_THROWS_AS(reached(r, base, head, few), reviewer::Error);
    CHECK(reached(r, base, head).size() == 1);  // z/CODEOWNERS is not protected here
    // So does a resolution past its step budget (deep folders, loops).
    git::LinkLimits short_steps;
    short_steps.max_steps = 2;
    CHECK_THROWS_AS(reached(r, base, head, short_steps), reviewer::Error);
  }
}
