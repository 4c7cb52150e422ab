// Issue 3: a secret found in a diff never leaves the safety agent raw — not
// in any output format, not on stderr, not in the audit log.
#include <doctest/doctest.h>

#include "cli/cli_fixture.h"
#include "reviewer/git/builder.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {

// A repository in a fresh scratch folder whose `main` holds app.py.
struct MainRepo {
  explicit MainRepo(const std::string& scratch)
      : dir(scratch_dir(scratch)),
        b(git::RepoBuilder::create(dir / "repo")),
        base(b.commit("main", "", {{"app.py", {"x = 1\n"}}}, "init\n")) {}
  std::string path() const { return (dir / "repo").string(); }
  std::filesystem::path dir;
  git::RepoBuilder b;
  std::string base;
};

}  // namespace

TEST_SUITE("cli::redaction") {
  TEST_CASE("a committed secret appears raw in no output format and no audit row") {
    MainRepo repo("redaction");
    auto& [dir, b, base] = repo;
    // Built from pieces so this source holds no credential-shaped literal.
    const std::string key = std::string("AKIA") + "ZQ4RT7XK" + "2LMWPV9N";
    const std::string secret = std::string("wJalr") + "XUtnFEMI9K7MDENGbPxRfiCY" + "0Q3zK8sLpT";
    b.commit("leak", base,
             {{"app.py", {"x = 1\nAWS_ACCESS_KEY_ID = \"" + key + "\"\naws_secret_access_key = \"" + secret + "\"\n"}}},
             "Add storage config\n\nUses " + key + " for uploads.\n");
    auto db = dir / "audit.db";
    for (const char* format : {"text", "json", "sarif", "markdown"}) {
      CAPTURE(format);
      auto r = reviewer_cli("review --repo '" + repo.path() + "' --base main --head leak --format " +
                            format + " --audit-db '" + db.string() + "'");
      CHECK(r.rc == 2);  // request_changes
      CHECK(r.out.find("aws-access-key") != std::string::npos);
      CHECK(r.out.find(key) == std::string::npos);
      CHECK(r.out.find(secret) == std::string::npos);
      CHECK(r.err.find(key) == std::string::npos);
      CHECK(r.err.find(secret) == std::string::npos);
    }
    // Every byte of the database, not only the columns we know of.
    std::string dump;
    REQUIRE(run_command("sqlite3 '" + db.string() + "' .dump", &dump) == 0);
    CHECK(dump.find("aws-access-key") != std::string::npos);
    CHECK(dump.find(key) == std::string::npos);
    CHECK(dump.find(secret) == std::string::npos);
  }
}

namespace {

// One pull request per position of the secret (issue 17, item 3).
struct Placed {
  std::string name;    // the position
  std::string branch;  // its branch in the repository
  std::string title, body;
};

// Branches of a repository, each holding `secret` in one position; the
// title and body are given explicitly except for the title and body cases.
std::vector<Placed> place_everywhere(git::RepoBuilder& b, const std::string& base, const std::string& secret) {
  const std::string title = "Update the storage client", body = "Moves the client set-up because uploads failed.";
  auto code = [&](const std::string& branch, const std::string& line) {
    b.commit(branch, base, {{"app.py", {"x = 1\n" + line + "\n"}}}, "Update the client\n");
  };
  std::vector<Placed> out;
  code("added-code", "client = connect(key=\"" + secret + "\", region=\"eu\")");
  out.push_back({"added code", "added-code", title, body});
  code("commented-out", "# client = connect(key=\"" + secret + "\")");
  out.push_back({"commented-out code", "commented-out", title, body});
  code("string-literal", "print(\"rotate " + secret + " before Friday\")");
  out.push_back({"string literal", "string-literal", title, body});
  code("in-title", "y = 2");
  out.push_back({"title", "in-title", "Rotate " + secret, body});
  code("in-body", "y = 2");
  out.push_back({"body", "in-body", title, "The old key " + secret + " is revoked."});
  code("rotate-" + secret, "y = 2");
  out.push_back({"branch name", "rotate-" + secret, title, body});
  b.commit("in-commit", base, {{"app.py", {"x = 1\ny = 2\n"}}}, "Rotate the key\n\nThe old one was " + secret + ".\n");
  out.push_back({"commit message", "in-commit", title, body});
  b.commit("in-path", base, {{"keys/" + secret + ".txt", {"rotated monthly\n"}}}, "Add the key list\n");
  out.push_back({"file path", "in-path", title, body});
  return out;
}

}  // namespace

TEST_SUITE("cli::redaction") {
  TEST_CASE("the same secret in each position of a PR appears raw in no output, stderr or audit row") {
    MainRepo repo("redaction-positions");
    auto& [dir, b, base] = repo;
    // Built from pieces so this source holds no credential-shaped literal.
    const std::string key = std::string("AKIA") + "T3QW7RZ2" + "M5KX9NLP";
    auto db = dir / "audit.db";
    for (const auto& p : place_everywhere(b, base, key)) {
      for (const char* format : {"text", "json", "sarif", "markdown"}) {
        CAPTURE(p.name);
        CAPTURE(format);
        write_text(dir / "body.txt", p.body);
        auto r = reviewer_cli("review --repo '" + repo.path() + "' --base main --head '" + p.branch +
                              "' --title '" + p.title + "' --body-file '" + (dir / "body.txt").string() +
                              "' --format " + format + " --audit-db '" + db.string() + "'");
        CHECK(r.rc == 2);  // the secret is reported wherever it is: request_changes
        CHECK(r.out.find("aws-access-key") != std::string::npos);
        CHECK(r.out.find(key) == std::string::npos);
        CHECK(r.out.find(key.substr(0, 12)) == std::string::npos);  // nor cut short
        CHECK(r.err.find(key) == std::string::npos);
      }
    }
    std::string dump;
    REQUIRE(run_command("sqlite3 '" + db.string() + "' .dump", &dump) == 0);
    CHECK(dump.find("aws-access-key") != std::string::npos);
    CHECK(dump.find(key) == std::string::npos);
    CHECK(dump.find(key.substr(0, 12)) == std::string::npos);
  }
}

TEST_SUITE("cli::redaction") {
  TEST_CASE("simulate over a range names each commit by its masked summary") {
    MainRepo repo("redaction-simulate");
    const std::string key = std::string("AKIA") + "H4ZQ8RWT" + "3MKP7XLN";
    repo.b.commit("leak", repo.base, {{"app.py", {"x = 2\n"}}}, "Rotate " + key + "\n");
    auto r = reviewer_cli("simulate --repo '" + repo.path() + "' --range main..leak");
    CHECK(r.out.find("Rotate [redacted: safety/secret/aws-access-key]") != std::string::npos);
    CHECK(r.out.find(key) == std::string::npos);
    CHECK(r.err.find(key) == std::string::npos);
  }
}
