#include <doctest/doctest.h>

#include "intent_fixture.h"
#include "subagents/intent/checks.h"
#include "subagents/intent/intent_agent.h"
#include "reviewer/core/error.h"
#include "reviewer/git/builder.h"
#include "reviewer/git/repository.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

const char* kSha = "0123456789abcdef0123456789abcdef01234567";

Diff original() {
  Diff d;
  d.files.push_back(file_change("src/login.py", {" def login(user):", "+    throttle(user)", "-    pass"}));
  d.files.push_back(file_change("src/throttle.py", {"+def throttle(user):", "+    sleep(1)"}, ChangeKind::added));
  return d;
}

Diff exact_revert() {
  Diff d;
  d.files.push_back(file_change("src/login.py", {" def login(user):", "-    throttle(user)", "+    pass"}));
  d.files.push_back(file_change("src/throttle.py", {"-def throttle(user):", "-    sleep(1)"}, ChangeKind::deleted));
  return d;
}

std::vector<Finding> check(const Diff& pr, const Diff& orig) {
  std::vector<Finding> out;
  intent::check_revert(pr, orig, kSha, intent::default_intent_config(), out);
  return out;
}

AgentContext revert_context(const Diff& diff) {
  AgentContext ctx;
  ctx.pr = pr_with("Revert \"Add login throttling\"",
                   std::string("This reverts commit ") + kSha + ".\n\nThrottling locked out users, because the "
                   "clock was wrong.");
  ctx.diff = diff;
  ctx.guidance = load_guidance_texts({});
  ctx.repo_path = "/nonexistent/repo";
  return ctx;
}

}  // namespace

TEST_SUITE("intent revert check") {
  TEST_CASE("an exact inverse of the reverted commit raises nothing") { CHECK(check(exact_revert(), original()).empty()); }

  TEST_CASE("a revert that also changes another file or keeps part of the change is reported") {
    auto extra = exact_revert();
    extra.files.push_back(file_change("src/billing.py", {"-    rate = 1", "+    rate = 2"}));
    auto f = check(extra, original());
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule == "intent/kind-mismatch/revert-not-inverse");
    CHECK(f[0].path == "src/billing.py");
    CHECK(f[0].severity == Severity::warning);

    auto partial = exact_revert();
    partial.files.pop_back();  // leaves throttle.py in place
    auto g = check(partial, original());
    REQUIRE(g.size() == 1);
    CHECK(g[0].message.find("src/throttle.py") != std::string::npos);

    auto altered = exact_revert();
    altered.files[0] = file_change("src/login.py", {" def login(user):", "-    throttle(user)", "+    return None"});
    auto h = check(altered, original());
    REQUIRE(h.size() == 1);
    CHECK(h[0].path == "src/login.py");
  }

  TEST_CASE("the agent checks a revert through its commit lookup, and says when it cannot") {
    std::string asked;
    auto agent = make_intent_agent([&](const std::filesystem::path&, std::string_view sha) -> std::optional<Diff> {
      asked = std::string(sha);
      return original();
    });
    auto extra = exact_revert();
    extra.files.push_back(file_change("src/billing.py", {"-    rate = 1", "+    rate = 2"}));
    auto f = agent->review(revert_context(extra));
    CHECK(asked == kSha);
    CHECK(has_rule(f, "intent/kind-mismatch/revert-not-inverse"));
    CHECK(agent->review(revert_context(exact_revert())).empty());

    auto missing = make_intent_agent([](const std::filesystem::path&, std::string_view) { return std::optional<Diff>(); });
    auto g = missing->review(revert_context(exact_revert()));
    const Finding* u = find_rule(g, "intent/kind-mismatch/revert-unverified");
    REQUIRE(u);
    CHECK(u->severity == Severity::info);
    CHECK(has_rule(make_intent_agent(CommitDiffLookup{})->review(revert_context(exact_revert())),
                   "intent/kind-mismatch/revert-unverified"));
  }

  TEST_CASE("the default agent reads the reverted commit from the repository with libgit2") {
    const auto dir = scratch_dir("intent-revert") / "repo";
    auto repo = git::RepoBuilder::create(dir);
    const std::string base = repo.commit("main", "", {{"src/login.py", {"def login(user):\n    pass\n"}}}, "base");
    const std::string feature = repo.commit(
        "main", base,
        {{"src/login.py", {"def login(user):\n    throttle(user)\n"}},
         {"src/throttle.py", {"def throttle(user):\n    sleep(1)\n"}}},
        "Add login throttling");
    const std::string reverted = repo.commit(
        "main", feature, {{"src/login.py", {"def login(user):\n    pass\n"}}, {"src/throttle.py", {std::nullopt}}},
        "Revert");
    const std::string sloppy = repo.commit(
        "other", feature, {{"src/login.py", {"def login(user):\n    return None\n"}}}, "Revert badly");

    auto context = [&](const std::string& head, const std::string& sha) {
      AgentContext ctx;
      ctx.pr = pr_with("Revert \"Add login throttling\"",
                       "This reverts commit " + sha + ".\n\nThrottling locked out users, because the clock was wrong.");
      ctx.diff = git::Repository::open(dir).diff(feature, head, feature, {});
      ctx.guidance = load_guidance_texts({});
      ctx.repo_path = dir;
      return ctx;
    };
    auto agent = make_intent_agent();
    auto good = agent->review(context(reverted, feature.substr(0, 10)));
    INFO(rules_of(good));
    CHECK_FALSE(has_rule(good, "intent/kind-mismatch/revert-not-inverse"));
    CHECK_FALSE(has_rule(good, "intent/kind-mismatch/revert-unverified"));
    auto bad = agent->review(context(sloppy, feature));
    const Finding* m = find_rule(bad, "intent/kind-mismatch/revert-not-inverse");
    REQUIRE(m);
    CHECK(bad.size() >= 2);  // login.py differs and throttle.py is left in place
    auto unknown = agent->review(context(reverted, "deadbeefdeadbeef"));
    CHECK(has_rule(unknown, "intent/kind-mismatch/revert-unverified"));

    auto broken = context(reverted, feature);
    broken.repo_path = scratch_dir("intent-not-a-repo");
    CHECK_THROWS_AS(agent->review(broken), Error);  // fail closed: the runner marks the agent failed
  }
}
