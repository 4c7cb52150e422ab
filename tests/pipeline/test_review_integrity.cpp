// Changes that weaken the checks themselves are never approved by the bot
// (the red team of the approval path, session 18): tests disabled without
// deleting them, protected paths reached through symlinks. Each class has
// near misses that must still be approved.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "reviewer/git/builder.h"
#include "reviewer/pipeline/review.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

using IntegrityFiles = std::map<std::string, git::FileChange>;

// A small Python service on main (plus `base`), and a `pr` branch that
// applies `change`, reviewed with a clean title and body.
ReviewResult review_change_of(const std::string& label, IntegrityFiles base, const IntegrityFiles& change) {
  auto dir = test::scratch_dir(label);
  auto b = git::RepoBuilder::create(dir / "repo");
  base["app/__init__.py"] = {std::string("\"\"\"Small config service.\"\"\"\n")};
  base["app/config.py"] = {std::string(
      "import json\n\n\ndef load_config(path):\n    with open(path) as fh:\n        return json.load(fh)\n")};
  base["tests/test_config.py"] = {std::string(
      "from app.config import load_config\n\n\ndef test_load(tmp_path):\n    p = tmp_path / \"c.json\"\n"
      "    p.write_text('{\"port\": 1}')\n    assert load_config(str(p))[\"port\"] == 1\n")};
  base["README.md"] = {std::string("# cfgsvc\n\nA small config service.\n")};
  auto root = b.commit("main", "", base, "Initial import");
  b.commit("pr", root, change, "fix: handle an empty config file");
  ReviewRequest req;
  req.repo = dir / "repo";
  req.base = "main";
  req.head = "pr";
  req.title = "fix: handle an empty config file in load_config";
  req.body = "Fixes #42. load_config crashed with a KeyError when the config file was empty; it now falls back "
             "to the defaults.";
  return review_repository(req);
}

bool integrity_has_rule(const ReviewResult& r, const std::string& rule) {
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) {
      if (f.rule == rule) return true;
    }
  }
  return false;
}

std::string integrity_text(const char* s) { return s; }

}  // namespace

TEST_SUITE("pipeline::checks weakened") {
  TEST_CASE("tests disabled by the runner's config, a conftest hook, the test target or assert True: request_changes") {
    struct Case {
      const char* label;
      IntegrityFiles base, change;
      const char* rule;
    };
    const std::vector<Case> cases = {
        {"int-pytest-ini",
         {{"pytest.ini", {integrity_text("[pytest]\ntestpaths = tests\n")}}},
         {{"pytest.ini", {integrity_text("[pytest]\ntestpaths = tests\naddopts = --ignore=tests -p no:cacheprovider\n")}}},
         "logic/tests-disabled"},
        {"int-conftest",
         {},
         {{"tests/conftest.py",
           {integrity_text("import pytest\n\n\ndef pytest_collection_modifyitems(config, items):\n    for item in items:\n"
                 "        item.add_marker(pytest.mark.skip(reason=\"flaky on CI\"))\n")}}},
         "logic/tests-disabled"},
        {"int-makefile",
         {{"Makefile", {integrity_text("test:\n\tpytest -q\n")}}},
         {{"Makefile", {integrity_text("test:\n\t@echo \"tests run in the nightly job\"\n")}}},
         "logic/test-target-disabled"},
        // The target's own line edited too: still the same target.
        {"int-makefile-target-line",
         {{"Makefile", {integrity_text("test:\n\tpytest -q\n")}}},
         {{"Makefile", {integrity_text("test: ## run the tests\n\t@true\n")}}},
         "logic/test-target-disabled"},
        // A continuation line's option is an option, not make's '-' prefix.
        {"int-makefile-continuation",
         {{"Makefile", {integrity_text("test:\n\tpytest -q tests\n")}}},
         {{"Makefile", {integrity_text("test:\n\tpytest -q tests \\\n\t\t-k \"not slow\"\n")}}},
         "logic/test-target-disabled"},
        {"int-assert-true",
         {},
         {{"tests/test_config.py",
           {integrity_text("from app.config import load_config\n\n\ndef test_load(tmp_path):\n    p = tmp_path / \"c.json\"\n"
                 "    p.write_text('{\"port\": 1}')\n    load_config(str(p))\n    assert True\n")}}},
         "logic/assertion-trivial"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.label);
      ReviewResult r = review_change_of(c.label, c.base, c.change);
      CHECK(r.decision.kind == DecisionKind::request_changes);
      CHECK(integrity_has_rule(r, c.rule));
    }
  }

  TEST_CASE("near misses are still approved: a platform skip with a reason, a Makefile edited outside its test target") {
    ReviewResult skip = review_change_of(
        "int-skipif", {},
        {{"tests/test_config.py",
          {integrity_text("import sys\n\nimport pytest\n\nfrom app.config import load_config\n\n\ndef test_load(tmp_path):\n"
                "    p = tmp_path / \"c.json\"\n    p.write_text('{\"port\": 1}')\n"
                "    assert load_config(str(p))[\"port\"] == 1\n\n\n"
                "@pytest.mark.skipif(sys.platform == \"win32\", reason=\"posix paths only\")\n"
                "def test_posix_path(tmp_path):\n    p = tmp_path / \"c.json\"\n    p.write_text('{}')\n"
                "    assert load_config(str(p)) == {}\n")}}});
    CHECK(skip.decision.kind == DecisionKind::approve);
    ReviewResult make = review_change_of("int-make-lint", {{"Makefile", {integrity_text("lint:\n\tflake8 app\n\ntest:\n\tpytest -q\n")}}},
                                         {{"Makefile", {integrity_text("lint:\n\tflake8 --max-line-length 100 app\n\ntest:\n\tpytest -q\n")}}});
    CHECK(make.decision.kind == DecisionKind::approve);
  }
}

TEST_SUITE("pipeline::protected paths through symlinks") {
  git::FileChange symlink_to(const char* target) { return {std::string(target), GIT_FILEMODE_LINK}; }

  TEST_CASE("CODEOWNERS or a workflow edited through an existing link, or a link added into one: needs_human") {
    ReviewResult owners = review_change_of(
        "int-link-owners",
        {{"docs/owners.txt", {integrity_text("* @org/core\n")}}, {".github/CODEOWNERS", symlink_to("../docs/owners.txt")}},
        {{"docs/owners.txt", {integrity_text("* @mallory\n")}}});
    CHECK(owners.decision.kind == DecisionKind::needs_human);
    REQUIRE(!owners.decision.reasons.empty());
    CHECK(owners.decision.reasons[0].find(".github/CODEOWNERS (through the link") != std::string::npos);

    ReviewResult workflow = review_change_of(
        "int-link-workflows",
        {{"ci/test.yml", {integrity_text("on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -q\n")}},
         {".github/workflows", symlink_to("../ci")}},
        {{"ci/test.yml", {integrity_text("on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -q || true\n")}}});
    CHECK(workflow.decision.kind == DecisionKind::needs_human);

    ReviewResult added = review_change_of("int-link-added", {{".github/workflows/ci.yml", {integrity_text("on: [push]\n")}}},
                                          {{"ci.yml", symlink_to(".github/workflows/ci.yml")}});
    CHECK(added.decision.kind == DecisionKind::needs_human);
  }

  TEST_CASE("near miss: a file edited that an ordinary link points to is still approved") {
    ReviewResult r = review_change_of("int-link-readme", {{"docs/README.md", symlink_to("../README.md")}},
                                      {{"README.md", {integrity_text("# cfgsvc\n\nA small config service with defaults.\n")}}});
    CHECK(r.decision.kind == DecisionKind::approve);
  }
}
