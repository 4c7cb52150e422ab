// safety/file/lockfile-host-moved: a lockfile (or an index setting) whose
// download host changes is a supply-chain change a bot must not approve; an
// ordinary version bump on the same registry is not reported.
#include <doctest/doctest.h>

#include <algorithm>

#include "safety_fixtures.h"
#include "subagents/logic/corpus.h"
#include "subagents/safety/safety_agent.h"

using namespace reviewer;

namespace {

const std::string kRule = "safety/file/lockfile-host-moved";

const Finding* moved(const std::string& unified_diff) {
  static thread_local std::vector<Finding> found;
  AgentContext ctx = test::context_with({});
  ctx.diff = test::parse_unified_diff(unified_diff);
  found = make_safety_agent()->review(ctx);
  auto it = std::find_if(found.begin(), found.end(), [](const Finding& f) { return f.rule == kRule; });
  return it == found.end() ? nullptr : &*it;
}

}  // namespace

TEST_SUITE("safety::lockfile host") {
  TEST_CASE("a package-lock resolved URL moved to another host is a warning naming both hosts") {
    const Finding* f = moved(
        "--- a/package-lock.json\n+++ b/package-lock.json\n@@ -6,4 +6,4 @@\n"
        "     \"node_modules/left-pad\": {\n"
        "-      \"version\": \"1.3.0\",\n"
        "-      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"
        "+      \"version\": \"1.3.0\",\n"
        "+      \"resolved\": \"https://npm-mirror.cdn-edge.example.net/left-pad/-/left-pad-1.3.0.tgz\",\n"
        "       \"integrity\": \"sha512-XI5M\"\n");
    REQUIRE(f);
    CHECK(f->severity == Severity::warning);
    CHECK(f->path == "package-lock.json");
    CHECK(f->evidence.find("npm-mirror.cdn-edge.example.net") != std::string::npos);
    CHECK(f->evidence.find("registry.npmjs.org") != std::string::npos);
  }

  TEST_CASE("yarn.lock, Cargo.lock, Gemfile.lock, poetry.lock and a pip index moved are reported") {
    CHECK(moved("--- a/yarn.lock\n+++ b/yarn.lock\n@@ -1,3 +1,3 @@\n left-pad@^1.3.0:\n   version \"1.3.0\"\n"
                "-  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#abc\"\n"
                "+  resolved \"https://yarn.evil.example/left-pad/-/left-pad-1.3.0.tgz#abc\"\n"));
    CHECK(moved("--- a/Cargo.lock\n+++ b/Cargo.lock\n@@ -1,4 +1,4 @@\n [[package]]\n name = \"serde\"\n"
                " version = \"1.0.1\"\n"
                "-source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
                "+source = \"registry+https://crates.mirror.example/index\"\n"));
    CHECK(moved("--- a/Gemfile.lock\n+++ b/Gemfile.lock\n@@ -1,3 +1,3 @@\n GEM\n"
                "-  remote: https://rubygems.org/\n+  remote: https://gems.example.org/\n   specs:\n"));
    CHECK(moved("--- a/poetry.lock\n+++ b/poetry.lock\n@@ -1,3 +1,3 @@\n [package.source]\n type = \"legacy\"\n"
                "-url = \"https://pypi.org/simple\"\n+url = \"https://pypi.example.net/simple\"\n"));
    CHECK(moved("--- a/requirements.txt\n+++ b/requirements.txt\n@@ -1,2 +1,2 @@\n"
                "---index-url https://pypi.org/simple\n+--index-url https://pypi.example.net/simple\n requests==2.31.0\n"));
  }

  TEST_CASE("a user part ending in a backslash or query does not hide the real host") {
    // URL parsers read '\\' as '/' and '?' as the query: the download is from evil.example.
    CHECK(moved("--- a/package-lock.json\n+++ b/package-lock.json\n@@ -1,1 +1,1 @@\n"
                "-      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"
                "+      \"resolved\": \"https://evil.example\\\\@registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"));
    CHECK(moved("--- a/package-lock.json\n+++ b/package-lock.json\n@@ -1,1 +1,1 @@\n"
                "-      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"
                "+      \"resolved\": \"https://evil.example?@registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"));
  }

  TEST_CASE("near misses: a version bump on the same registry, a new lockfile, a new dependency on a known host") {
    CHECK_FALSE(moved(
        "--- a/package-lock.json\n+++ b/package-lock.json\n@@ -6,4 +6,4 @@\n"
        "     \"node_modules/left-pad\": {\n"
        "-      \"version\": \"1.3.0\",\n"
        "-      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"
        "+      \"version\": \"1.3.1\",\n"
        "+      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.1.tgz\",\n"
        "       \"integrity\": \"sha512-XI5M\"\n"));
    CHECK_FALSE(moved("--- /dev/null\n+++ b/yarn.lock\n@@ -0,0 +1,3 @@\n+left-pad@^1.3.0:\n+  version \"1.3.0\"\n"
                      "+  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#abc\"\n"));
    CHECK_FALSE(moved("--- a/Cargo.lock\n+++ b/Cargo.lock\n@@ -1,4 +1,4 @@\n [[package]]\n name = \"serde\"\n"
                      "-version = \"1.0.1\"\n+version = \"1.0.2\"\n"
                      " source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"));
    // A dependency update that adds a package with npm's funding block or
    // composer's homepage and support links: sponsor pages, not downloads.
    CHECK_FALSE(moved(
        "--- a/package-lock.json\n+++ b/package-lock.json\n@@ -6,4 +6,12 @@\n"
        "     \"node_modules/left-pad\": {\n"
        "-      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"
        "+      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.1.tgz\",\n"
        "+      \"funding\": [\n"
        "+        {\n"
        "+          \"type\": \"github\",\n"
        "+          \"url\": \"https://github.com/sponsors/someone\"\n"
        "+        }\n"
        "+      ],\n"
        "+      \"funding\": { \"url\": \"https://opencollective.com/left-pad\" },\n"
        "       \"integrity\": \"sha512-XI5M\"\n"));
    CHECK_FALSE(moved("--- a/composer.lock\n+++ b/composer.lock\n@@ -1,3 +1,5 @@\n"
                      "-                \"url\": \"https://api.github.com/repos/a/b/zipball/1\",\n"
                      "+                \"url\": \"https://api.github.com/repos/a/b/zipball/2\",\n"
                      "+            \"homepage\": \"https://b.example.org\",\n"
                      "+            \"support\": {\"issues\": \"https://tracker.example.org/b\"},\n"
                      "             \"type\": \"library\",\n"));
    // A host moved in an ordinary source file is not a lockfile's business.
    CHECK_FALSE(moved("--- a/app/urls.py\n+++ b/app/urls.py\n@@ -1,1 +1,1 @@\n"
                      "-API = \"https://api.example.org/v1\"\n+API = \"https://api.example.net/v1\"\n"));
  }
}
