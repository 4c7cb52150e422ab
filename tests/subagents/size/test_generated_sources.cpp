// size/generated-without-source: a generated, vendored or lock file that
// changed while nothing it is made from did.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "subagents/size/size_agent.h"
#include "support/fixtures.h"

using namespace reviewer;
using reviewer::test::file_with_counts;

namespace {

std::vector<Finding> review(const std::vector<std::string>& paths, const Guidance& g = load_guidance()) {
  AgentContext ctx;
  for (const auto& p : paths) ctx.diff.files.push_back(file_with_counts(p, 3, 1));
  ctx.guidance = g;
  std::vector<Finding> out;
  for (auto& f : make_size_agent()->review(ctx)) {
    if (f.rule == "size/generated-without-source") out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> paths_of(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.path);
  return out;
}

}  // namespace

TEST_SUITE("subagents::size generated without source") {
  TEST_CASE("a protobuf module needs its .proto, by stem, anywhere in the change") {
    auto alone = review({"src/tasks_pb2.py"});
    REQUIRE(alone.size() == 1);
    CHECK(alone[0].severity == Severity::warning);
    CHECK(alone[0].path == "src/tasks_pb2.py");
    CHECK(alone[0].message.starts_with(
        "src/tasks_pb2.py is generated, vendored or a lock file, and none of its sources changed with it."));
    CHECK(alone[0].evidence == "looked for a change to: tasks.proto");
    CHECK(review({"src/tasks_pb2.py", "protos/tasks.proto"}).empty());
    CHECK(paths_of(review({"src/tasks_pb2.py", "protos/users.proto"})) ==
          std::vector<std::string>{"src/tasks_pb2.py"});
    CHECK(review({"api/tasks_grpc.pb.go", "api/tasks.pb.go", "proto/tasks.proto"}).empty());
  }

  TEST_CASE("a lockfile needs its manifest") {
    CHECK(paths_of(review({"package-lock.json"})) == std::vector<std::string>{"package-lock.json"});
    CHECK(review({"package-lock.json", "package.json"}).empty());
    CHECK(paths_of(review({"Cargo.lock", "src/main.rs"})) == std::vector<std::string>{"Cargo.lock"});
    CHECK(review({"Cargo.lock", "crates/core/Cargo.toml"}).empty());
    CHECK(paths_of(review({"go.sum", "poetry.lock", "composer.lock", "Gemfile.lock"})) ==
          std::vector<std::string>{"go.sum", "poetry.lock", "composer.lock", "Gemfile.lock"});
  }

  TEST_CASE("vendored code needs the vendoring manifest, and modules.txt does not vouch for itself") {
    CHECK(paths_of(review({"vendor/tasks.py"})) == std::vector<std::string>{"vendor/tasks.py"});
    CHECK(review({"vendor/github.com/x/y/y.go", "go.mod"}).empty());
    CHECK(review({"vendor/acme/lib/Client.php", "composer.json", "composer.lock"}).empty());
    CHECK(paths_of(review({"vendor/github.com/x/y/y.go", "vendor/modules.txt"})) ==
          std::vector<std::string>{"vendor/modules.txt"});
  }

  TEST_CASE("removing a generated file, or a file of no pair, is no finding") {
    AgentContext ctx;
    FileDiff gone = file_with_counts("src/tasks_pb2.py", 0, 10);
    gone.kind = ChangeKind::deleted;
    gone.new_path.clear();
    ctx.diff.files.push_back(gone);
    ctx.diff.files.push_back(file_with_counts("src/tasks.generated.py", 5));  // excluded, but no known source
    ctx.guidance = load_guidance();
    CHECK(make_size_agent()->review(ctx).empty());
  }

  TEST_CASE("the rule's state and severity come from guidance") {
    auto off = load_guidance_texts(
        {{"t.yml", "size:\n  rules:\n    size/generated-without-source: {state: \"off\"}\n"}});
    CHECK(review({"package-lock.json"}, off).empty());
    auto shadow = load_guidance_texts(
        {{"t.yml", "size:\n  rules:\n    size/generated-without-source: {state: shadow}\n"}});
    REQUIRE(review({"package-lock.json"}, shadow).size() == 1);
    CHECK(review({"package-lock.json"}, shadow)[0].shadow);
    auto error = load_guidance_texts(
        {{"t.yml", "size:\n  rules:\n    size/generated-without-source: {severity: error}\n"}});
    CHECK(review({"package-lock.json"}, error)[0].severity == Severity::error);
  }

  TEST_CASE("a team's pair with {dir} and {stem}") {
    auto g = load_guidance_texts(
        {{"t.yml",
          "size:\n  generated_sources:\n    - {generated: ['*.gen.go'], sources: ['{dir}/{stem}.tmpl']}\n"}});
    CHECK(review({"api/users.gen.go", "api/users.tmpl"}, g).empty());
    CHECK(paths_of(review({"api/users.gen.go", "web/users.tmpl"}, g)) ==
          std::vector<std::string>{"api/users.gen.go"});
    CHECK(review({"root.gen.go", "root.tmpl"}, g).empty());  // {dir} empty: "/root.tmpl", the root
    CHECK(review({"root.gen.go", "sub/root.tmpl"}, g).size() == 1);
  }

  TEST_CASE("a large vendored update lists ten files and counts the rest") {
    std::vector<std::string> files;
    for (int i = 0; i < 15; ++i) files.push_back("vendor/lib/f" + std::to_string(i) + ".go");
    auto found = review(files);
    REQUIRE(found.size() == 10);
    CHECK(found.back().message.ends_with("(5 more files like it in this change.)"));
  }
}
