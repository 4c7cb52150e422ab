#include <doctest/doctest.h>

#include "intent_fixture.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {
Diff diff_of(std::vector<FileDiff> files) {
  Diff d;
  d.files = std::move(files);
  return d;
}
const char* kLoginBody = "The login button said 'Sign on', which confused users. This changes the login copy.";
}  // namespace

TEST_SUITE("intent scope rules") {
  TEST_CASE("an area the description never mentions is reported in an otherwise narrow PR") {
    auto d = diff_of({file_change("web/login/button.tsx", {"-  <b>Sign on</b>", "+  <b>Sign in</b>"}),
                      file_change("billing/invoice.py", {"-    rate = 0.07", "+    rate = 0.0"})});
    auto f = run_intent(pr_with("Change the login button copy", kLoginBody), d);
    const Finding* m = find_rule(f, "intent/scope/unmentioned-area");
    REQUIRE(m);
    CHECK(m->path == "billing/invoice.py");
    CHECK(m->message.find("billing") != std::string::npos);
    CHECK(m->evidence.find("billing/invoice.py (+1 -1)") != std::string::npos);
    CHECK(m->suggestion.find("billing") != std::string::npos);
  }

  TEST_CASE("areas named by folder, file name or a changed identifier count as mentioned") {
    auto d = diff_of({file_change("web/login/button.tsx", {"-  <b>Sign on</b>", "+  <b>Sign in</b>"}),
                      file_change("src/auth/session.py", {"-    ttl = 5", "+    ttl = 50"}),
                      file_change("tests/test_session.py", {"+def test_ttl(): pass"})});
    auto f = run_intent(pr_with("Change the login button copy",
                                std::string(kLoginBody) + " It also extends the session lifetime."),
                        d);
    CHECK_FALSE(has_rule(f, "intent/scope/unmentioned-area"));
    auto g = run_intent(pr_with("Change the login button copy",
                                std::string(kLoginBody) + " Also raises `SESSION_TTL`."),
                        diff_of({d.files[0], file_change("src/auth/cfg.py", {"-SESSION_TTL = 5", "+SESSION_TTL = 50"})}));
    CHECK_FALSE(has_rule(g, "intent/scope/unmentioned-area"));
  }

  TEST_CASE("broad PRs and PRs whose description names no area are left to the size agent") {
    std::vector<FileDiff> files;
    for (const char* p : {"a/x.py", "b/x.py", "c/x.py", "d/x.py", "e/x.py", "login/x.py"}) {
      files.push_back(file_change(p, {"+x = 1"}));
    }
    CHECK_FALSE(has_rule(run_intent(pr_with("Change the login copy", kLoginBody), diff_of(files)),
                         "intent/scope/unmentioned-area"));
    auto two = diff_of({file_change("alpha/x.py", {"+x = 1"}), file_change("beta/y.py", {"+y = 1"})});
    CHECK_FALSE(has_rule(run_intent(pr_with("Change the login copy", kLoginBody), two),
                         "intent/scope/unmentioned-area"));
  }

  TEST_CASE("a description that promises tests, docs or a changelog entry must keep it") {
    auto code = diff_of({file_change("src/cart.py", {"-    return 1", "+    return 2"})});
    auto f = run_intent(pr_with("Fix cart total for empty carts", std::string(kGoodBody) + " Adds unit tests."), code);
    const Finding* m = find_rule(f, "intent/scope/promise-not-kept");
    REQUIRE(m);
    CHECK(m->message.find("tests") != std::string::npos);
    auto with_tests = code;
    with_tests.files.push_back(file_change("tests/test_cart.py", {"+def test_empty(): assert total([]) == 0"}));
    CHECK_FALSE(has_rule(run_intent(pr_with("Fix cart total for empty carts",
                                            std::string(kGoodBody) + " Adds unit tests."),
                                    with_tests),
                         "intent/scope/promise-not-kept"));
    auto docs = run_intent(pr_with("Fix cart total for empty carts",
                                   "Empty carts crashed because of a None total. Also updates the docs."),
                           code);
    CHECK(has_rule(docs, "intent/scope/promise-not-kept"));
  }

  TEST_CASE("tests written beside the code they test keep the promise of tests (Rust, Go, Python)") {
    const std::string body = std::string(kGoodBody) + " Adds a parser with tests.";
    for (const auto& [path, line] : std::vector<std::pair<std::string, std::string>>{
             {"src/feed.rs", "+#[cfg(test)]"},
             {"src/feed.rs", "+    #[test]"},
             {"src/feed.rs", "+    #[tokio::test]"},
             {"feed/parse.go", "+func TestParsePercent(t *testing.T) {"},
             {"feed/parse.py", "+def test_percent():"}}) {
      CAPTURE(path);
      auto d = diff_of({file_change(path, {"+fn parse() {}", line})});
      CHECK_FALSE(has_rule(run_intent(pr_with("Parse percentage columns in feeds", body), d),
                           "intent/scope/promise-not-kept"));
    }
    // Swift, Scala and Kotlin test files by their own layouts and names.
    for (const char* path : {"Tests/FormattingTests/PercentTests.swift", "src/test/scala/feed/ParseSpec.scala",
                             "app/src/androidTest/FeedSpec.kt", "core/FeedSuite.scala"}) {
      CAPTURE(path);
      auto d = diff_of({file_change("src/feed.rs", {"+fn parse() {}"}), file_change(path, {"+  check(1)"})});
      CHECK_FALSE(has_rule(run_intent(pr_with("Parse percentage columns in feeds", body), d),
                           "intent/scope/promise-not-kept"));
    }
    // A test marker only mentioned in a string or deleted keeps nothing.
    auto d = diff_of({file_change("src/feed.rs", {"+fn parse() {}", "-    #[test]"})});
    CHECK(has_rule(run_intent(pr_with("Parse percentage columns in feeds", body), d), "intent/scope/promise-not-kept"));
  }

  TEST_CASE("negated promises and unticked checklist items are not promises") {
    auto code = diff_of({file_change("src/cart.py", {"-    return 1", "+    return 2"})});
    for (const char* body : {"Empty carts crashed because of a None total. No tests added: covered by e2e.",
                             "Empty carts crashed because of a None total. Tests will follow in a separate PR.",
                             "Empty carts crashed because of a None total.\n- [ ] Tests added\n- [x] Manually verified"}) {
      CAPTURE(body);
      CHECK_FALSE(has_rule(run_intent(pr_with("Fix cart total for empty carts", body), code),
                           "intent/scope/promise-not-kept"));
    }
  }
}
