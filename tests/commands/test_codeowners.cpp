#include <doctest/doctest.h>

#include "reviewer/commands/codeowners.h"
#include "reviewer/git/builder.h"
#include "reviewer/git/repository.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::commands;

namespace {

// The example file of GitHub's "About code owners" page, section by
// section (one per TEST_CASE below, since several sections reuse patterns).
std::string owners_of(const Codeowners& co, const std::string& path) {
  const CodeownersRule* r = co.match(path);
  if (!r) return "(no rule)";
  std::string s;
  for (const auto& o : r->owners) {
    s += s.empty() ? "" : " ";
    s += o.kind == Owner::Kind::team ? "@" + o.org + "/" + o.name : o.kind == Owner::Kind::user ? "@" + o.name : o.name;
  }
  return s;
}

const char* kGitHubExample = R"(# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like
# `docs/getting-started.md` but not further nested files like
# `docs/build-app/troubleshooting.md`.
docs/* docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the `/docs`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the `/scripts` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a `/logs` directory such as
# `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
# in a `/logs` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as its owners are left empty. Without an owner, changes
# to `apps/github` can be made with the approval of any user who has
# write access to the repository.
/apps/ @octocat
/apps/github

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
)";

}  // namespace

TEST_SUITE("commands::codeowners") {
  TEST_CASE("GitHub's documented example file parses without errors, inline comment included") {
    Codeowners co = parse_codeowners(kGitHubExample);
    CHECK(co.errors.empty());
    CHECK(co.rules.size() == 14);
    CHECK(co.rules[1].pattern == "*.js");
    REQUIRE(co.rules[1].owners.size() == 1);  // "#This is an inline comment." is not an owner
    CHECK(co.rules[1].owners[0].name == "js-owner");
  }

  TEST_CASE("GitHub's documented examples: each pattern owns what the docs say") {
    // Each section alone, as the docs explain it.
    struct Case { const char* file; const char* path; const char* owners; };
    const Case cases[] = {
        {"* @g1 @g2\n", "README.md", "@g1 @g2"},
        {"* @g1 @g2\n", "a/b/c.txt", "@g1 @g2"},
        {"* @g1\n*.js @js-owner\n", "src/deep/app.js", "@js-owner"},
        {"* @g1\n*.js @js-owner\n", "src/app.ts", "@g1"},
        {"*.go docs@example.com\n", "cmd/main.go", "docs@example.com"},
        {"*.txt @octo-org/octocats\n", "notes/a.txt", "@octo-org/octocats"},
        {"/build/logs/ @doctocat\n", "build/logs/x.log", "@doctocat"},
        {"/build/logs/ @doctocat\n", "build/logs/deep/er/x.log", "@doctocat"},
        {"/build/logs/ @doctocat\n", "src/build/logs/x.log", "(no rule)"},
        {"docs/* docs@example.com\n", "docs/getting-started.md", "docs@example.com"},
        {"docs/* docs@example.com\n", "docs/build-app/troubleshooting.md", "(no rule)"},
        {"apps/ @octocat\n", "apps/x.js", "@octocat"},
        {"apps/ @octocat\n", "deep/in/apps/x/y.js", "@octocat"},
        {"apps/ @octocat\n", "apps", "(no rule)"},  // a file named apps is not a folder
        {"/docs/ @doctocat\n", "docs/a/b/c.md", "@doctocat"},
        {"/docs/ @doctocat\n", "src/docs/c.md", "(no rule)"},
        {"/scripts/ @doctocat @octocat\n", "scripts/deploy.sh", "@doctocat @octocat"},
        {"**/logs @octocat\n", "build/logs/a.log", "@octocat"},
        {"**/logs @octocat\n", "scripts/logs/a.log", "@octocat"},
        {"**/logs @octocat\n", "deeply/nested/logs/a/b.log", "@octocat"},
        {"**/logs @octocat\n", "logs/a.log", "@octocat"},
        {"**/logs @octocat\n", "catalogs/a.log", "(no rule)"},
        {"/apps/ @octocat\n/apps/github\n", "apps/web/x.js", "@octocat"},
        {"/apps/ @octocat\n/apps/github\n", "apps/github/x.js", ""},  // owners left empty
        {"/apps/ @octocat\n/apps/github @doctocat\n", "apps/github/x.js", "@doctocat"},
        {"/apps/ @octocat\n/apps/github @doctocat\n", "apps/githubber/x.js", "@octocat"},
        {"/apps/ @octocat\n/apps/github @doctocat\n", "apps/other.js", "@octocat"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.file);
      CAPTURE(c.path);
      CHECK(owners_of(parse_codeowners(c.file), c.path) == c.owners);
    }
  }

  TEST_CASE("in the whole documented file the last matching pattern wins") {
    Codeowners co = parse_codeowners(kGitHubExample);
    CHECK(owners_of(co, "README.md") == "@global-owner1 @global-owner2");
    CHECK(owners_of(co, "src/index.js") == "@js-owner");
    CHECK(owners_of(co, "build/logs/out.txt") == "@octocat");   // **/logs comes after *.txt and /build/logs/
    CHECK(owners_of(co, "docs/getting-started.md") == "@doctocat");  // /docs/ comes after docs/*
    CHECK(owners_of(co, "apps/github/index.js") == "@doctocat");
    CHECK(owners_of(co, "lib/apps/x.go") == "@octocat");          // apps/ anywhere, after *.go
    CHECK(owners_of(co, "scripts/run.go") == "@doctocat @octocat");
  }

  TEST_CASE("paths and patterns are case-sensitive") {
    Codeowners co = parse_codeowners("/Docs/ @a\n*.JS @b\n");
    CHECK(owners_of(co, "docs/x.md") == "(no rule)");
    CHECK(owners_of(co, "Docs/x.md") == "@a");
    CHECK(owners_of(co, "x.js") == "(no rule)");
  }

  TEST_CASE("unsupported syntax is skipped with a line number, as GitHub skips it") {
    Codeowners co = parse_codeowners("* @all\n!*.md @nobody\n*.[ch] @c-team\n\\#file @x\nsrc/ not-an-owner @ok\n");
    REQUIRE(co.errors.size() == 4);
    CHECK(co.errors[0].find("line 2") == 0);
    CHECK(co.errors[1].find("line 3") == 0);
    CHECK(co.errors[2].find("line 4") == 0);
    CHECK(co.errors[3].find("line 5: 'not-an-owner'") == 0);
    CHECK(owners_of(co, "README.md") == "@all");
    CHECK(owners_of(co, "a.c") == "@all");
    CHECK(owners_of(co, "src/a.c") == "@ok");
  }

  TEST_CASE("reviewers for changed files: users and this organization's teams, e-mails and other orgs skipped") {
    Codeowners co = parse_codeowners("* @lead\n*.js @js @o/web\n*.go gopher@example.com\n/ext/ @other-org/t @lead\n");
    auto set = reviewers_for(co, {"a.js", "b.js", "README.md", "main.go", "ext/x"}, "O");
    CHECK(set.users == std::vector<std::string>{"js", "lead"});
    CHECK(set.teams == std::vector<std::string>{"web"});
    CHECK(set.skipped.size() == 2);
  }

  TEST_CASE("CODEOWNERS is read at the base commit, from the first of GitHub's locations") {
    auto dir = test::scratch_dir("codeowners-repo");
    auto b = git::RepoBuilder::create(dir / "repo");
    std::string base = b.commit("main", "", {{"CODEOWNERS", {std::string("* @root-file\n")}},
                                            {"docs/CODEOWNERS", {std::string("* @docs-file\n")}}}, "base");
    std::string base2 = b.commit("main", base, {{".github/CODEOWNERS", {std::string("* @github-file\n")}}}, "add .github");
    // The PR's head edits CODEOWNERS to name its author: never read.
    std::string head = b.commit("feature", base2, {{".github/CODEOWNERS", {std::string("* @mallory\n")}}}, "pr");
    auto repo = git::Repository::open(dir / "repo");
    std::string where;
    CHECK(read_codeowners(repo, base, &where) == std::optional<std::string>("* @root-file\n"));
    CHECK(where == "CODEOWNERS");
    CHECK(read_codeowners(repo, base2, &where) == std::optional<std::string>("* @github-file\n"));
    CHECK(where == ".github/CODEOWNERS");
    std::string docs_only = b.commit("other", "", {{"docs/CODEOWNERS", {std::string("* @docs-file\n")}}}, "docs only");
    CHECK(read_codeowners(repo, docs_only, &where) == std::optional<std::string>("* @docs-file\n"));
    std::string none = b.commit("none", "", {{"README", {std::string("x")}}}, "none");
    CHECK_FALSE(read_codeowners(repo, none).has_value());
    std::string huge = b.commit("huge", "", {{"CODEOWNERS", {std::string(kMaxCodeownersBytes, '#')}}}, "huge");
    CHECK_FALSE(read_codeowners(repo, huge).has_value());  // GitHub ignores files of 3 MB or more
    (void)head;
  }
}
