// A very large change (above thresholds.partial_review) is reviewed whole by
// safety and in part by logic, which says so; the run never approves.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "reviewer/git/builder.h"
#include "reviewer/pipeline/review.h"
#include "reviewer/report/render.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

// A `pr` branch adding `files` files of ten lines under vendor/; with
// `key`, one more line at the end of the last file holds an AWS access key
// id (assembled here so that this source holds none).
ReviewRequest partial_import(const std::string& label, int files, const std::string& guidance, bool key = true) {
  auto dir = test::scratch_dir(label);
  auto b = git::RepoBuilder::create(dir / "repo");
  auto root = b.commit("main", "", {{"README.md", {std::string("lib\n")}}}, "init");
  std::map<std::string, git::FileChange> added;
  for (int f = 0; f < files; ++f) {
    std::string text;
    for (int i = 0; i < 10; ++i) text += fmt::format("int v{}_{} = {};\n", f, i, i);
    if (key && f == files - 1) text += std::string("const char* id = \"AK") + "IAQYLPMN5HHHFPZAM2\";\n";
    added[fmt::format("vendor/lib/f{:03}.c", f)] = {text};
  }
  b.commit("pr", root, added, "Vendor lib 1.2\n\nImports lib 1.2 because the build needs its parser.");
  test::write_text(dir / "org" / "t.yml", guidance);
  ReviewRequest req;
  req.repo = dir / "repo";
  req.base = "main";
  req.head = "pr";
  req.guidance_dirs = {dir / "org"};
  return req;
}

const AgentReport& partial_agent(const ReviewResult& r, const std::string& name) {
  for (const auto& a : r.agents) {
    if (a.name == name) return a;
  }
  throw std::runtime_error("no agent " + name);
}

}  // namespace

namespace {

// A review of `pr` against `main` in a repository of these two commits,
// with the default guidance.
ReviewResult review_of(const std::string& label, const std::map<std::string, git::FileChange>& base,
                       const std::map<std::string, git::FileChange>& head) {
  auto dir = test::scratch_dir(label);
  auto b = git::RepoBuilder::create(dir / "repo");
  auto root = b.commit("main", "", base, "init");
  b.commit("pr", root, head, "Update notes\n\nKeeps the notes current for the release.");
  ReviewRequest req;
  req.repo = dir / "repo";
  req.base = "main";
  req.head = "pr";
  return review_repository(req);
}

bool has_finding(const ReviewResult& r, const std::string& rule, const std::string& path) {
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) {
      if (f.rule == rule && f.path == path) return true;
    }
  }
  return false;
}

// An AWS access key id, assembled so that this source holds none.
const std::string kKeyLine = std::string("id = \"AK") + "IAQYLPMN5HHHFPZAM2\"\n";

}  // namespace

TEST_SUITE("pipeline::review what no line rule reads") {
  TEST_CASE("a text file made binary by one NUL byte is reported and never approved") {
    const auto r = review_of("nul-trick", {{"notes.txt", {std::string("hello\n")}}},
                             {{"notes.txt", {std::string("hello\0\n", 7) + kKeyLine}}});
    CHECK(r.decision.kind != DecisionKind::approve);
    CHECK(has_finding(r, "safety/file/binary-added", "notes.txt"));
  }

  TEST_CASE("an image that is not one is reported; a real one is not") {
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1", 20);
    const auto r = review_of("fake-png", {{"README.md", {std::string("docs\n")}}},
                             {{"docs/logo.png", {png}}, {"docs/key.png", {std::string("\0\0", 2) + kKeyLine}}});
    CHECK(r.decision.kind != DecisionKind::approve);
    CHECK(has_finding(r, "safety/file/binary-added", "docs/key.png"));
    CHECK_FALSE(has_finding(r, "safety/file/binary-added", "docs/logo.png"));
  }

  TEST_CASE("a submodule replaced by a file has that file's lines judged") {
    const auto r = review_of("unsubmodule", {{"deps/lib", {std::string(40, '1'), GIT_FILEMODE_COMMIT}}},
                             {{"deps/lib", {kKeyLine}}});
    CHECK(r.decision.kind == DecisionKind::request_changes);
    CHECK(has_finding(r, "safety/secret/aws-access-key", "deps/lib"));
  }

  TEST_CASE("a file over the per-file cap has its first megabyte judged, and a person decides") {
    std::string big = kKeyLine;
    while (big.size() <= (std::size_t{1} << 20)) big += "int filler_line_of_the_generated_table = 0;\n";
    const auto r = review_of("over-cap", {{"README.md", {std::string("docs\n")}}}, {{"src/big_table.c", {big}}});
    CHECK(has_finding(r, "safety/secret/aws-access-key", "src/big_table.c"));
    CHECK(r.decision.kind == DecisionKind::request_changes);
  }
}

TEST_SUITE("pipeline::review partial") {
  TEST_CASE("above the limit safety still finds the secret at the very end; logic is partial and says so") {
    const auto r = review_repository(
        partial_import("partial-import", 40, "thresholds:\n  partial_review:\n    max_lines: 50\n"));
    CHECK(r.decision.kind == DecisionKind::request_changes);  // the key: never an approval
    const auto& safety = partial_agent(r, "safety");
    CHECK(safety.partial.empty());
    CHECK(std::any_of(safety.findings.begin(), safety.findings.end(), [](const Finding& f) {
      return f.rule == "safety/secret/aws-access-key" && f.path == "vendor/lib/f039.c";
    }));
    const auto& logic = partial_agent(r, "logic");
    CHECK(logic.status == AgentStatus::ok);
    CHECK(logic.partial.find("checked the first 5 of 40 files (50 of 401 changed lines)") != std::string::npos);
    CHECK(partial_agent(r, "size").partial.empty());

    const auto json = nlohmann::json::parse(render(r, Format::json));
    for (const auto& a : json["agents"]) {
      CHECK_MESSAGE(a.contains("partial") == (a["name"] == "logic"), a["name"]);
    }
  }

  TEST_CASE("a partial review without findings needs a human, with the note among the reasons") {
    auto req = partial_import("partial-clean", 12, "thresholds:\n  partial_review:\n    max_bytes: 100\n", false);
    const auto r = review_repository(req);
    CHECK(r.decision.kind == DecisionKind::needs_human);
    CHECK(std::any_of(r.decision.reasons.begin(), r.decision.reasons.end(), [](const std::string& reason) {
      return reason.starts_with("agent 'logic' reviewed part of the change: the change is above the partial-review limit");
    }));
    // Below the limit the same change is reviewed whole.
    test::write_text(req.guidance_dirs[0] / "t.yml", "thresholds:\n  partial_review:\n    max_bytes: 100000\n");
    CHECK(partial_agent(review_repository(req), "logic").partial.empty());
  }
}
