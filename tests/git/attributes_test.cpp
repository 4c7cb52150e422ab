#include <doctest/doctest.h>

#include "git/fixture.h"
#include "reviewer/git/attributes.h"
#include "reviewer/git/wildmatch.h"

using namespace reviewer;
using namespace reviewer::test;
using git::AttrValue;

TEST_SUITE("git::wildmatch") {
  TEST_CASE("patterns follow git's rules for paths") {
    struct Case {
      const char* pattern;
      const char* text;
      bool match;
    };
    const Case cases[] = {
        {"foo", "foo", true},          {"foo", "foobar", false},        {"*.txt", "a.txt", true},
        {"*.txt", "dir/a.txt", false}, {"dir/*.txt", "dir/a.txt", true}, {"dir/*", "dir/sub/a", false},
        {"**/a.txt", "a.txt", true},   {"**/a.txt", "x/y/a.txt", true}, {"a/**", "a/b/c", true},
        {"a/**", "a", false},          {"a/**/b", "a/b", true},         {"a/**/b", "a/x/y/b", true},
        {"a**b", "a/b", false},        {"a**b", "axxb", true},          {"?.c", "a.c", true},
        {"?.c", "/.c", false},         {"[abc].c", "b.c", true},        {"[!abc].c", "b.c", false},
        {"[a-c]x", "bx", true},        {"[]]", "]", true},              {"[[:digit:]]*", "7up", true},
        {"\\*", "*", true},            {"\\*", "a", false},             {"[", "[", false},
        {"*", "", true},               {"**", "any/path/at/all", true},
    };
    for (const auto& c : cases) {
      CAPTURE(c.pattern);
      CAPTURE(c.text);
      CHECK(git::wildmatch(c.pattern, c.text) == c.match);
    }
  }

  TEST_CASE("a pathological pattern finishes quickly") {
    const std::string text(200, 'a');
    CHECK_FALSE(git::wildmatch("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
    CHECK_FALSE(git::wildmatch("**/*a**/*a**/*a**/*a**/*b", text + "/" + text));
  }
}

namespace {

// Attributes of a commit whose tree holds `files`.
struct AttrRepo {
  explicit AttrRepo(const Files& files) : r("attrs") {
    sha = r.commit("main", "", files);
    git_object* obj = nullptr;
    REQUIRE(git_revparse_single(&obj, r.builder.get(), (sha + "^{tree}").c_str()) == 0);
    tree.reset(reinterpret_cast<git_tree*>(obj));
  }
  ScratchRepo r;
  std::string sha;
  git::TreePtr tree;
};

}  // namespace

TEST_SUITE("git::Attributes") {
  TEST_CASE("deeper files and later lines win; set, unset, unspecified and values") {
    AttrRepo a({{".gitattributes", text("*.js linguist-generated\n"
                                        "/top.js -linguist-generated\n"
                                        "lib/*.js !linguist-generated\n"
                                        "docs/** linguist-vendored=false\n"
                                        "# a comment\n"
                                        "build/ linguist-generated\n"
                                        "!neg linguist-generated\n"
                                        "\"with space.txt\" linguist-generated\n")},
                {"app/.gitattributes", text("*.js -linguist-generated\nspecial.js linguist-generated=yes\n")},
                {"x", text("x\n")}});
    git::Attributes attrs(a.tree.get());
    CHECK(attrs.linguist("any/deep/file.js", "linguist-generated") == true);
    CHECK(attrs.linguist("top.js", "linguist-generated") == false);
    CHECK(attrs.linguist("sub/top.js", "linguist-generated") == true);  // anchored pattern
    CHECK_FALSE(attrs.linguist("lib/x.js", "linguist-generated"));       // reset to unspecified
    CHECK(attrs.linguist("lib/deeper/x.js", "linguist-generated") == true);
    CHECK(attrs.linguist("docs/guide.md", "linguist-vendored") == false);
    CHECK_FALSE(attrs.linguist("build/out.c", "linguist-generated"));  // folder patterns match no file
    CHECK_FALSE(attrs.linguist("neg", "linguist-generated"));
    CHECK(attrs.linguist("with space.txt", "linguist-generated") == true);
    CHECK(attrs.linguist("app/main.js", "linguist-generated") == false);  // deeper file overrides
    CHECK(attrs.linguist("app/special.js", "linguist-generated") == true);
    CHECK(attrs.get("app/special.js", "linguist-generated").value == "yes");
    CHECK_FALSE(attrs.linguist("readme.md", "linguist-generated"));
  }

  TEST_CASE("the binary macro and top-level [attr] macros expand") {
    AttrRepo a({{".gitattributes", text("[attr]gen linguist-generated -diff\n*.pb gen\n*.bin binary\n")},
                {"sub/.gitattributes", text("[attr]ignored linguist-vendored\n*.v ignored\n")}});
    git::Attributes attrs(a.tree.get());
    CHECK(attrs.linguist("m.pb", "linguist-generated") == true);
    CHECK(attrs.get("m.pb", "diff").state == AttrValue::State::unset);
    CHECK(attrs.get("x.bin", "diff").state == AttrValue::State::unset);
    CHECK(attrs.get("x.txt", "diff").state == AttrValue::State::unspecified);
    CHECK_FALSE(attrs.linguist("sub/a.v", "linguist-vendored"));  // macros only at the top level
  }

  TEST_CASE("no tree means no attributes") {
    git::Attributes attrs(nullptr);
    CHECK_FALSE(attrs.linguist("a.js", "linguist-generated"));
  }
}
