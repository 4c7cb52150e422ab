// The simulation library (tests/data/simulations/cases.json): 30+ pull
// requests with the decision a careful reviewer expects. Any agent, policy
// or guidance change that flips one of them fails here, before it lands.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "reviewer/git/builder.h"
#include "subagents/safety/corpus.h"

using namespace reviewer;
using namespace reviewer::test;
using nlohmann::json;

namespace {

// Builds one repository: `main` from the library's base files and one
// branch per case; writes the JSONL cases file `reviewer simulate` reads.
std::filesystem::path build_library(const std::filesystem::path& dir, size_t* count) {
  json lib = json::parse(read_text(std::string(REVIEWER_SOURCE_DIR) + "/tests/data/simulations/cases.json"));
  auto repo = git::RepoBuilder::create(dir / "repo");
  std::map<std::string, git::FileChange> base;
  for (const auto& [path, text] : lib["base"].items()) base[path] = {text.get<std::string>()};
  std::string main = repo.commit("main", "", base, "Initial import\n");
  std::string jsonl;
  for (const auto& c : lib["cases"]) {
    std::map<std::string, git::FileChange> changes;
    for (const auto& [path, v] : c["changes"].items()) {
      if (v.is_null()) {
        changes[path] = {std::nullopt};
      } else if (v.is_object()) {
        changes[path] = {v["symlink"].get<std::string>(), GIT_FILEMODE_LINK};
      } else {
        changes[path] = {expand_corpus_markers(v.get<std::string>())};
      }
    }
    const std::string branch = "case/" + c["name"].get<std::string>();
    repo.commit(branch, main, changes, c["title"].get<std::string>() + "\n");
    jsonl += json{{"name", c["name"]}, {"repo", "repo"}, {"base", "main"}, {"head", branch},
                  {"title", c["title"]}, {"body", c["body"]}, {"expected", c["expected"]}}
                 .dump() + "\n";
  }
  *count = lib["cases"].size();
  write_text(dir / "cases.jsonl", jsonl);
  return dir / "cases.jsonl";
}

}  // namespace

TEST_SUITE("cli::simulate") {
  TEST_CASE("every case of the simulation library gets its expected decision") {
    auto dir = scratch_dir("simulations");
    size_t count = 0;
    auto cases = build_library(dir, &count);
    REQUIRE(count >= 30);
    auto r = reviewer_cli("simulate --cases '" + cases.string() + "'");
    MESSAGE(r.out);
    CHECK(r.err == "");
    CHECK(r.out.find(fmt::format("{} cases, {} with an expected decision, {} matched, 0 could not run", count,
                                 count, count)) != std::string::npos);
    CHECK(r.rc == 0);
  }

  TEST_CASE("a baseline comparison lists the cases a guidance change flips") {
    auto dir = scratch_dir("simulations-baseline");
    size_t count = 0;
    auto cases = build_library(dir, &count);
    auto strict = dir / "strict";
    write_text(strict / "limits.yml", "thresholds:\n  auto_approve:\n    max_lines: 3\n");
    auto r = reviewer_cli("simulate --cases '" + cases.string() + "' --guidance '" + strict.string() +
                          "' --baseline '" + (dir / "empty").string() + "'");
    // The baseline folder does not exist: a clear error, exit 1.
    CHECK(r.rc == 1);
    std::filesystem::create_directories(dir / "empty");
    r = reviewer_cli("simulate --cases '" + cases.string() + "' --guidance '" + strict.string() +
                     "' --baseline '" + (dir / "empty").string() + "'");
    CHECK(r.rc == 1);  // stricter limits break expectations
    CHECK(r.out.find("Changes against the baseline guidance:") != std::string::npos);
    CHECK(r.out.find("clean-fix-with-test: approve -> needs_human") != std::string::npos);
    CHECK(r.out.find("docs-typo: approve ->") == std::string::npos);  // 2 lines: still within 3
  }

  TEST_CASE("a malformed cases file names the line") {
    auto dir = scratch_dir("simulations-bad");
    write_text(dir / "cases.jsonl", "{\"repo\": \".\", \"head\": \"HEAD\"}\nnot json\n");
    auto r = reviewer_cli("simulate --cases '" + (dir / "cases.jsonl").string() + "'");
    CHECK(r.rc == 1);
    CHECK(r.err.find("cases.jsonl:2: not a JSON object") != std::string::npos);
  }
}
