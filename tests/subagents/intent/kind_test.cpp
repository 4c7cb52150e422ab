#include <doctest/doctest.h>

#include "intent_fixture.h"
#include "subagents/intent/declared_kind.h"
#include "subagents/intent/intent_config.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

const char* kBody = "The retry policy was undocumented, so users guessed the timeout. This explains it.";

Diff diff_of(std::vector<FileDiff> files) {
  Diff d;
  d.files = std::move(files);
  return d;
}

std::string kind_of(const std::string& title, std::vector<std::string> labels = {}, const std::string& body = "") {
  return intent::detect_intent(pr_with(title, body, std::move(labels)), intent::default_intent_config()).kind;
}

}  // namespace

TEST_SUITE("intent declared kind") {
  TEST_CASE("the kind comes from the Conventional Commits prefix, then GitHub's revert title, title words, labels") {
    CHECK(kind_of("docs: explain retries") == "docs");
    CHECK(kind_of("feat(api)!: drop v1 endpoints") == "feat");
    CHECK(kind_of("chore(deps): bump lodash from 4.17.20 to 4.17.21") == "deps");
    CHECK(kind_of("[style] run clang-format") == "style");
    CHECK(kind_of("Revert \"Add login throttling\"") == "revert");
    CHECK(kind_of("Undo it", {}, "This reverts commit 0123456789abcdef0123456789abcdef01234567.") == "revert");
    CHECK(kind_of("Bump requests from 2.30.0 to 2.31.0") == "deps");
    CHECK(kind_of("Add unit tests for the parser") == "test");
    CHECK(kind_of("Refactor the session store") == "refactor");
    CHECK(kind_of("Update README with install steps") == "docs");
    CHECK(kind_of("ABC-12: Fix crash on empty cart") == "fix");
    CHECK(kind_of("Session store cleanup ideas", {"documentation"}) == "docs");
    CHECK(kind_of("Address review comments") == "");
    CHECK(kind_of("Something") == "");
  }

  TEST_CASE("only kinds that promise no behaviour change can be copy changes") {
    auto cfg = intent::default_intent_config();
    CHECK(intent::detect_intent(pr_with("Fix typo in login error", ""), cfg).copy);
    CHECK(intent::detect_intent(pr_with("docs: wording of the banner", ""), cfg).copy);
    CHECK_FALSE(intent::detect_intent(pr_with("feat: typo-tolerant search", ""), cfg).copy);
  }
}

TEST_SUITE("intent kind-mismatch rules") {
  TEST_CASE("a docs PR that changes executable code is an error naming the file and line") {
    auto d = diff_of({file_change("docs/retries.md", {"+Retries wait 2 s."}),
                      file_change("src/net/retry.go", {" func backoff() int {", "-\treturn 2", "+\treturn 5"})});
    auto f = run_intent(pr_with("docs: explain the retry policy", kBody), d);
    const Finding* m = find_rule(f, "intent/kind-mismatch/docs-changes-code");
    REQUIRE(m);
    CHECK(m->severity == Severity::error);
    CHECK(m->path == "src/net/retry.go");
    CHECK(m->line == 11);
    CHECK(m->evidence.find("return 5") != std::string::npos);
    CHECK_FALSE(m->suggestion.empty());
  }

  TEST_CASE("a docs PR that only edits comments in code is fine") {
    auto d = diff_of({file_change("src/net/retry.go", {"-// Backoff waits.", "+// Backoff waits 2 s between tries.",
                                                       " func backoff() int {"}),
                      file_change("src/net/retry.py", {"-    \"\"\"Wait.\"\"\"", "+    \"\"\"Wait two seconds.\"\"\""}),
                      file_change("src/net/retry.c", {" * Wait between", "-   tries.", "+   tries, 2 s.", " */"})});
    auto f = run_intent(pr_with("docs: explain the retry policy", kBody), d);
    INFO(rules_of(f));
    CHECK_FALSE(has_rule(f, "intent/kind-mismatch/docs-changes-code"));
  }

  TEST_CASE("chore, ci and build PRs that change source code are warnings") {
    auto d = diff_of({file_change("src/app.js", {"-const limit = 10;", "+const limit = 50;"})});
    for (const char* kind : {"chore", "ci", "build"}) {
      CAPTURE(kind);
      auto f = run_intent(pr_with(std::string(kind) + ": tidy the pipeline settings", kBody), d);
      const Finding* m = find_rule(f, "intent/kind-mismatch/" + std::string(kind) + "-changes-code");
      REQUIRE(m);
      CHECK(m->severity == Severity::warning);
    }
    auto ci_ok = run_intent(pr_with("ci: cache the build", kBody),
                            diff_of({file_change(".github/workflows/ci.yml", {"+      - uses: actions/cache@v4"})}));
    CHECK_FALSE(has_rule(ci_ok, "intent/kind-mismatch/ci-changes-code"));
  }

  TEST_CASE("a test PR that changes production code is reported") {
    auto d = diff_of({file_change("tests/test_cart.py", {"+def test_empty():", "+    assert total([]) == 0"}),
                      file_change("app/cart.py", {"-    if not lines: raise ValueError()", "+    if not lines: return 0"})});
    auto f = run_intent(pr_with("test: cover the empty cart", kBody), d);
    const Finding* m = find_rule(f, "intent/kind-mismatch/test-changes-source");
    REQUIRE(m);
    CHECK(m->path == "app/cart.py");
  }

  TEST_CASE("a dependency bump that changes code beyond manifests and lock files is reported") {
    auto ok = diff_of({file_change("package.json", {"-    \"lodash\": \"4.17.20\"", "+    \"lodash\": \"4.17.21\""}),
                       file_change("package-lock.json", {"-  \"version\": \"4.17.20\"", "+  \"version\": \"4.17.21\""})});
    auto pr = pr_with("Bump lodash from 4.17.20 to 4.17.21", "Bumps lodash because of a prototype pollution fix.");
    CHECK_FALSE(has_rule(run_intent(pr, ok), "intent/kind-mismatch/deps-changes-code"));
    auto bad = ok;
    bad.files.push_back(file_change("src/merge.js", {"-  return _.merge(a, b);", "+  return Object.assign(a, b);"}));
    const auto f = run_intent(pr, bad);
    const Finding* m = find_rule(f, "intent/kind-mismatch/deps-changes-code");
    REQUIRE(m);
    CHECK(m->path == "src/merge.js");
  }

  TEST_CASE("a dependency bump may move a container base image, and only its FROM or version ARG lines") {
    auto pr = pr_with("Bump Python base image to 3.12.2",
                      "3.12.2 fixes a crash in the ssl module that we hit under load, so the image moves to it.");
    auto image = diff_of({file_change("Dockerfile", {"-FROM python:3.12.1-slim", "+FROM python:3.12.2-slim"}),
                          file_change("deploy/worker.dockerfile",
                                      {"-ARG PYTHON_VERSION=3.12.1", "+ARG PYTHON_VERSION=3.12.2"})});
    CHECK_FALSE(has_rule(run_intent(pr, image), "intent/kind-mismatch/deps-changes-code"));
    auto more = diff_of({file_change("Dockerfile", {"-FROM python:3.12.1-slim", "+FROM python:3.12.2-slim",
                                                    "+RUN pip install debugpy"})});
    CHECK(has_rule(run_intent(pr, more), "intent/kind-mismatch/deps-changes-code"));
    // Not a bump: another publisher, a stage added, an image argument moved
    // to another repository, a FROM continued on the next line.
    for (const auto& lines : std::vector<std::vector<std::string>>{
             {"-FROM python:3.12.1-slim", "+FROM ghcr.io/attacker/python:3.12.2-slim"},
             {"+FROM attacker/base:latest"},
             {"-ARG BASE_IMAGE=python:3.12-slim", "+ARG BASE_IMAGE=ghcr.io/attacker/python:3.12-slim"},
             {"-FROM python:3.12.1-slim", "+FROM \\", "+    ghcr.io/attacker/python:3.12"}}) {
      CAPTURE(lines.back());
      CHECK(has_rule(run_intent(pr, diff_of({file_change("Dockerfile", lines)})), "intent/kind-mismatch/deps-changes-code"));
    }
  }

  TEST_CASE("a style PR may reformat but not change tokens") {
    auto fmt_only = diff_of({file_change("src/a.ts", {"-const x = {a: 1, b: 2}", "+const x = {", "+  a: 1,", "+  b: 2,",
                                                      "+};", "-import b from 'b'", "-import a from 'a'",
                                                      "+import a from \"a\";", "+import b from \"b\";"})});
    auto f = run_intent(pr_with("style: run prettier", kBody), fmt_only);
    INFO(rules_of(f));
    CHECK_FALSE(has_rule(f, "intent/kind-mismatch/style-changes-code"));
    auto changed = diff_of({file_change("src/a.ts", {"-if (a < b) {", "+if (a <= b) {"})});
    const auto g = run_intent(pr_with("style: run prettier", kBody), changed);
    const Finding* m = find_rule(g, "intent/kind-mismatch/style-changes-code");
    REQUIRE(m);
    CHECK(m->severity == Severity::error);
  }

  TEST_CASE("a typo or copy PR that changes numbers, conditions or control flow is an error") {
    auto pr = pr_with("Fix typo in the login error message", "The message said 'pasword', which users reported.");
    auto copy_only = diff_of({file_change("src/login.py", {"-    raise AuthError(\"Wrong pasword\")",
                                                           "+    raise AuthError(\"Wrong password\")"}),
                              file_change("locales/en.yml", {"-  banner: Welcom back", "+  banner: Welcome back!"})});
    auto f = run_intent(pr, copy_only);
    INFO(rules_of(f));
    CHECK_FALSE(has_rule(f, "intent/kind-mismatch/copy-changes-logic"));

    auto sneaky = copy_only;
    sneaky.files.push_back(file_change("src/auth.py", {"-    if attempts > 5:", "+    if attempts > 500:"}));
    const auto g = run_intent(pr, sneaky);
    const Finding* m = find_rule(g, "intent/kind-mismatch/copy-changes-logic");
    REQUIRE(m);
    CHECK(m->severity == Severity::error);
    CHECK(m->path == "src/auth.py");
    CHECK(m->message.find("numbers") != std::string::npos);
    CHECK(m->evidence.find("500") != std::string::npos);

    auto flow = diff_of({file_change("src/login.py", {"-    raise AuthError(\"Wrong pasword\")",
                                                      "+    return None  # \"Wrong password\""})});
    const auto h = run_intent(pr, flow);
    REQUIRE(find_rule(h, "intent/kind-mismatch/copy-changes-logic"));
    CHECK(find_rule(h, "intent/kind-mismatch/copy-changes-logic")->message.find("control flow") != std::string::npos);
  }

  TEST_CASE("a typo fix in an identifier is still a copy change") {
    auto d = diff_of({file_change("src/mail.c", {"-int recieve_mail(int fd);", "+int receive_mail(int fd);"})});
    auto f = run_intent(pr_with("Fix typo in recieve_mail", "The name was misspelt, because nobody noticed."), d);
    INFO(rules_of(f));
    CHECK_FALSE(has_rule(f, "intent/kind-mismatch/copy-changes-logic"));
  }

  TEST_CASE("a refactor that changes test expectations or public signatures is reported") {
    auto moved = diff_of({file_change("tests/test_tax.py", {"-    assert tax(100) == 7", "+    assert compute_tax(100) == 7"})});
    auto pr = pr_with("refactor: rename tax helpers", "The names were confusing, so this renames them.");
    CHECK_FALSE(has_rule(run_intent(pr, moved), "intent/kind-mismatch/refactor-changes-tests"));
    auto changed = diff_of({file_change("tests/test_tax.py", {"-    assert tax(100) == 7", "+    assert tax(100) == 8"})});
    const auto f = run_intent(pr, changed);
    const Finding* m = find_rule(f, "intent/kind-mismatch/refactor-changes-tests");
    REQUIRE(m);
    CHECK(m->path == "tests/test_tax.py");
    auto sig = diff_of({file_change("src/tax.py", {"-def tax(amount):", "+def compute_tax(amount, rate):"})});
    CHECK(has_rule(run_intent(pr, sig), "intent/kind-mismatch/refactor-changes-signature"));
    auto priv = diff_of({file_change("src/tax.py", {"-def _tax(amount):", "+def _compute_tax(amount):"})});
    CHECK_FALSE(has_rule(run_intent(pr, priv), "intent/kind-mismatch/refactor-changes-signature"));
  }

  TEST_CASE("generated and vendored files never count against the declared kind") {
    auto d = diff_of({file_change("docs/api.md", {"+New section."}),
                      file_change("vendor/lib/x.go", {"-a := 1", "+a := 2"})});
    d.files[1].vendored = true;
    CHECK_FALSE(has_rule(run_intent(pr_with("docs: document the API", kBody), d),
                         "intent/kind-mismatch/docs-changes-code"));
  }
}
