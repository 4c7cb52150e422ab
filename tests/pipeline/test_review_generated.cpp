// Generated and vendored files are never a hiding place: the same dangerous
// change gets the same decision wherever it lives (issue 17, item 1).
#include <doctest/doctest.h>

#include <set>

#include "reviewer/git/builder.h"
#include "reviewer/pipeline/review.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

constexpr const char* kDangerous =
    "import pickle\n"
    "import subprocess\n"
    "\n"
    "\n"
    "def run(cmd, blob):\n"
    "    subprocess.run(cmd, shell=True)\n"
    "    return pickle.loads(blob)\n";

// A repository whose `pr` branch adds kDangerous at `path`; `base_files`
// are on main (e.g. a .gitattributes).
ReviewResult review_adding(const std::string& label, const std::string& path,
                           std::map<std::string, git::FileChange> base_files = {}) {
  auto dir = test::scratch_dir(label);
  auto b = git::RepoBuilder::create(dir / "repo");
  base_files["README.md"] = {std::string("tasks\n")};
  auto root = b.commit("main", "", base_files, "init");
  b.commit("pr", root, {{path, {std::string(kDangerous)}}},
           "Run tasks from the queue\n\nAdds a task runner because jobs need to run shell commands.");
  ReviewRequest req;
  req.repo = dir / "repo";
  req.base = "main";
  req.head = "pr";
  return review_repository(req);
}

std::set<std::string> rules_of(const ReviewResult& r, const std::string& agent) {
  std::set<std::string> out;
  for (const auto& a : r.agents) {
    if (a.name != agent) continue;
    for (const auto& f : a.findings) out.insert(f.rule);
  }
  return out;
}

}  // namespace

TEST_SUITE("pipeline::generated and vendored files") {
  TEST_CASE("shell=True and pickle.loads are request_changes in source, generated and vendored files alike") {
    for (std::string path :
         {"src/tasks.py", "src/tasks_pb2.py", "src/tasks.generated.py", "vendor/tasks.py"}) {
      CAPTURE(path);
      ReviewResult r = review_adding("gen-" + path, path);
      CHECK(r.decision.kind == DecisionKind::request_changes);
      const auto safety = rules_of(r, "safety");
      CHECK(safety.count("safety/code/python-shell-true"));
      CHECK(safety.count("safety/code/python-unsafe-deserialization"));
    }
  }

  TEST_CASE("a generated file still leaves the size count, and without its source it is a warning") {
    ReviewResult r = review_adding("gen-size", "src/tasks_pb2.py");
    CHECK(r.size.excluded_files == 1);
    CHECK(r.size.files == 0);
    CHECK(rules_of(r, "size").count("size/generated-without-source"));
  }

  TEST_CASE(".gitattributes at the base marking a file generated does not hide it from the rules") {
    ReviewResult r = review_adding("gen-attr", "src/jobs.py",
                                   {{".gitattributes", {std::string("src/jobs.py linguist-generated\n")}}});
    CHECK(r.size.excluded_files == 1);
    CHECK(r.decision.kind == DecisionKind::request_changes);
  }

  TEST_CASE("a lockfile alone is never approved: its manifest did not change") {
    auto dir = test::scratch_dir("gen-lock");
    auto b = git::RepoBuilder::create(dir / "repo");
    auto root = b.commit(
        "main", "",
        {{"package.json", {std::string("{\"name\": \"a\", \"dependencies\": {\"x\": \"1.0.0\"}}\n")}},
         {"package-lock.json", {std::string("{\"lockfileVersion\": 3}\n")}}},
        "init");
    b.commit("pr", root,
             {{"package-lock.json", {std::string("{\"lockfileVersion\": 3, \"packages\": {}}\n")}}},
             "Refresh the lockfile\n\nRegenerates the lockfile because npm changed its format.");
    ReviewRequest req;
    req.repo = dir / "repo";
    req.base = "main";
    req.head = "pr";
    ReviewResult r = review_repository(req);
    CHECK(r.decision.kind == DecisionKind::comment);
    CHECK(rules_of(r, "size").count("size/generated-without-source"));
  }
}
