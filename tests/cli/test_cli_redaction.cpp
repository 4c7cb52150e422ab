// Issue 3: a secret found in a diff never leaves the safety agent raw — not
// in any output format, not on stderr, not in the audit log.
#include <doctest/doctest.h>

#include "cli/cli_fixture.h"
#include "reviewer/git/builder.h"

using namespace reviewer;
using namespace reviewer::test;

TEST_SUITE("cli::redaction") {
  TEST_CASE("a committed secret appears raw in no output format and no audit row") {
    auto dir = scratch_dir("redaction");
    auto b = git::RepoBuilder::create(dir / "repo");
    auto base = b.commit("main", "", {{"app.py", {"x = 1\n"}}}, "init\n");
    // Built from pieces so this source holds no credential-shaped literal.
    const std::string key = std::string("AKIA") + "ZQ4RT7XK" + "2LMWPV9N";
    const std::string secret = std::string("wJalr") + "XUtnFEMI9K7MDENGbPxRfiCY" + "0Q3zK8sLpT";
    b.commit("leak", base,
             {{"app.py", {"x = 1\nAWS_ACCESS_KEY_ID = \"" + key + "\"\naws_secret_access_key = \"" + secret + "\"\n"}}},
             "Add storage config\n\nUses " + key + " for uploads.\n");
    auto db = dir / "audit.db";
    for (const char* format : {"text", "json", "sarif", "markdown"}) {
      CAPTURE(format);
      auto r = reviewer_cli("review --repo '" + (dir / "repo").string() + "' --base main --head leak --format " +
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
