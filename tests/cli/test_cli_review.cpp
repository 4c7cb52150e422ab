#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "reviewer/core/decision.h"
#include "reviewer/git/builder.h"

using namespace reviewer;
using namespace reviewer::test;
using nlohmann::json;

namespace {

// A repository with main and three branches: small clean change, a change
// touching a protected path, and an empty change.
struct Repo {
  std::filesystem::path dir = scratch_dir("cli-repo");
  std::string main_sha;
  Repo() {
    auto b = git::RepoBuilder::create(dir);
    main_sha = b.commit("main", "", {{"src/app.py", {"def add(a, b):\n    return a + b\n"}}}, "init\n");
    b.commit("small", main_sha, {{"src/app.py", {"def add(a, b):\n    return b + a\n"}}},
             "Swap operands in add\n\nKeeps the argument order used by callers.\n");
    b.commit("workflow", main_sha, {{".github/workflows/ci.yml", {"on: push\n"}}}, "ci: add workflow\n");
    b.commit("empty", main_sha, {}, "Nothing\n");
    b.commit("orphan", "", {{"other.txt", {"x\n"}}}, "Unrelated history\n");
  }
  std::string q() const { return "'" + dir.string() + "'"; }
};

}  // namespace

TEST_SUITE("cli::review") {
  TEST_CASE("json output follows the contract and exit code follows the decision") {
    Repo repo;
    auto r = reviewer_cli("review --repo " + repo.q() + " --base main --head small --format json --no-audit");
    CHECK(r.err == "");
    json j = json::parse(r.out);
    for (const char* key : {"run_id", "decision", "reasons", "pr", "size", "agents", "guidance_version",
                            "reviewer_version"}) {
      CHECK_MESSAGE(j.contains(key), key);
    }
    CHECK(j["pr"]["base"] == repo.main_sha);
    CHECK(j["pr"]["title"] == "Swap operands in add");
    CHECK(j["size"]["lines_added"] == 1);
    CHECK(j["size"]["lines_deleted"] == 1);
    auto decision = parse_decision(j["decision"].get<std::string>());
    REQUIRE(decision.has_value());
    CHECK(r.rc == exit_code(*decision));
    bool has_size = false;
    for (const auto& a : j["agents"]) has_size = has_size || a["name"] == "size";
    CHECK(has_size);
  }

  TEST_CASE("a protected path needs a human: exit 3") {
    Repo repo;
    auto r = reviewer_cli("review --repo " + repo.q() + " --base main --head workflow --no-audit");
    CHECK(r.rc == 3);
    CHECK(r.out.find("decision: needs_human") != std::string::npos);
    CHECK(r.out.find("touches protected path: .github/workflows/ci.yml") != std::string::npos);
  }

  TEST_CASE("an empty change is a comment: exit 0") {
    Repo repo;
    auto r = reviewer_cli("review --repo " + repo.q() + " --base main --head empty --format json --no-audit");
    CHECK(r.rc == 0);
    json j = json::parse(r.out);
    CHECK(j["decision"] == "comment");
    CHECK(j["reasons"][0] == "empty change: nothing to review");
  }

  TEST_CASE("title and body flags override the commit message") {
    Repo repo;
    auto body = scratch_dir("body") / "body.md";
    write_text(body, "Long description\n");
    auto r = reviewer_cli("review --repo " + repo.q() + " --head small --title 'Custom title' --body-file '" +
                          body.string() + "' --format json --no-audit");
    CHECK(json::parse(r.out)["pr"]["title"] == "Custom title");
  }

  TEST_CASE("the default base is the repository's default branch") {
    Repo repo;
    auto r = reviewer_cli("review --repo " + repo.q() + " --head small --format json --no-audit");
    CHECK(json::parse(r.out)["pr"]["base"] == repo.main_sha);
  }

  TEST_CASE("bad input is a one-line error with exit 1 and no audit rows") {
    Repo repo;
    auto db = scratch_dir("bad-input") / "audit.db";
    struct Case {
      std::string args;
      std::string expect;
    } cases[] = {
        {"review --repo /nonexistent/repo", "/nonexistent/repo"},
        {"review --repo " + repo.q() + " --head no-such-branch", "no-such-branch"},
        {"review --repo " + repo.q() + " --base main --head small --format yaml", "yaml"},
        {"review --repo " + repo.q() + " --guidance /nonexistent/guidance", "/nonexistent/guidance"},
        // No merge base: found while the rules compile on another thread.
        {"review --repo " + repo.q() + " --base main --head orphan", "share no history"},
        {"revew", "did you mean 'review'"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.args);
      auto r = reviewer_cli(c.args + " --audit-db '" + db.string() + "'");
      CHECK(r.rc == 1);
      CHECK(r.out == "");
      CHECK(r.err.starts_with("reviewer: error: "));
      CHECK(r.err.find(c.expect) != std::string::npos);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    CHECK_FALSE(std::filesystem::exists(db));
  }

  TEST_CASE("invalid guidance names file:line and stops the review") {
    Repo repo;
    auto g = scratch_dir("bad-guidance");
    write_text(g / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: many\n");
    auto r = reviewer_cli("review --repo " + repo.q() + " --head small --no-audit --guidance '" + g.string() + "'");
    CHECK(r.rc == 1);
    CHECK(r.err.find("team.yml:3:16: 'max_lines' must be an integer, got 'many'") != std::string::npos);
  }

  TEST_CASE("a review is recorded in the audit database given") {
    Repo repo;
    auto db = scratch_dir("audit") / "audit.db";
    auto r = reviewer_cli("review --repo " + repo.q() + " --head small --format json --audit-db '" + db.string() + "'");
    REQUIRE(r.err == "");
    auto run_id = json::parse(r.out)["run_id"].get<std::string>();
    std::string out;
    CHECK(run_command("sqlite3 '" + db.string() + "' \"select count(*) from review_runs where run_id='" +
                          run_id + "'\"", &out) == 0);
    CHECK(out == "1\n");
  }

  TEST_CASE("help lists every subcommand and review's flags") {
    auto r = reviewer_cli("--help");
    CHECK(r.rc == 0);
    CHECK(r.out.find("review") != std::string::npos);
    CHECK(r.out.find("demo") != std::string::npos);
    auto rv = reviewer_cli("review --help");
    for (const char* flag : {"--repo", "--base", "--head", "--title", "--body", "--body-file", "--format",
                             "--guidance", "--audit-db", "--no-audit"}) {
      CHECK_MESSAGE(rv.out.find(flag) != std::string::npos, flag);
    }
  }
}
