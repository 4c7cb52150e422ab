#include <doctest/doctest.h>

#include <filesystem>

#include "git/fixture.h"
#include "reviewer/core/error.h"

using namespace reviewer;
using namespace reviewer::test;
namespace fs = std::filesystem;

TEST_SUITE("git::RepoBuilder") {
  TEST_CASE("commits go onto the branch without touching the work tree") {
    ScratchRepo r("builder_basic");
    auto c1 = r.commit("main", "", {{"a/b/c.txt", text("c\n")}, {"top.txt", text("t\n")}});
    CHECK(c1.size() == 40);
    CHECK(r.builder.head_of("main") == c1);
    CHECK_FALSE(fs::exists(r.dir / "top.txt"));
    CHECK_FALSE(fs::exists(r.dir / "a"));
    auto repo = r.open();
    CHECK_FALSE(repo.bare());
    CHECK(repo.read_file(c1, "a/b/c.txt") == std::optional<std::string>("c\n"));
  }

  TEST_CASE("a child commit keeps its parent's files and applies changes and deletions") {
    ScratchRepo r("builder_child");
    auto c1 = r.commit("main", "", {{"keep.txt", text("k\n")}, {"dir/gone.txt", text("g\n")}, {"edit.txt", text("1\n")}});
    auto c2 = r.commit("pr", c1, {{"dir/gone.txt", removed()}, {"edit.txt", text("2\n")}});
    auto repo = r.open();
    auto files = repo.list_files(c2);
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"edit.txt", "keep.txt"});  // the emptied folder is gone
    CHECK(repo.commit(c2).parents == std::vector<std::string>{c1});
    CHECK(r.builder.head_of("main") == c1);
    CHECK(r.builder.head_of("pr") == c2);
  }

  TEST_CASE("modes are stored as given: executable, symlink, gitlink") {
    ScratchRepo r("builder_modes");
    const std::string sub(40, 'a');
    auto c = r.commit("main", "", {{"run.sh", text("#!/bin/sh\n", GIT_FILEMODE_BLOB_EXECUTABLE)},
                                   {"link", text("run.sh", GIT_FILEMODE_LINK)},
                                   {"vendor/lib", text(sub, GIT_FILEMODE_COMMIT)}});
    auto repo = r.open();
    git_object* obj = nullptr;
    REQUIRE(git_revparse_single(&obj, repo.get(), (c + "^{tree}").c_str()) == 0);
    git::ObjectPtr tree(obj);
    auto mode_of = [&](const char* path) {
      git_tree_entry* e = nullptr;
      REQUIRE(git_tree_entry_bypath(&e, reinterpret_cast<git_tree*>(tree.get()), path) == 0);
      git::TreeEntryPtr entry(e);
      return static_cast<std::uint32_t>(git_tree_entry_filemode(entry.get()));
    };
    CHECK(mode_of("run.sh") == GIT_FILEMODE_BLOB_EXECUTABLE);
    CHECK(mode_of("link") == GIT_FILEMODE_LINK);
    CHECK(mode_of("vendor/lib") == GIT_FILEMODE_COMMIT);
  }

  TEST_CASE("the same changes at the same time give the same commit in any repository") {
    ScratchRepo a("builder_det_a");
    ScratchRepo b("builder_det_b", /*bare=*/true);
    Files files{{"x/y.txt", text("same\n")}};
    CHECK(a.builder.commit("main", "", files, "msg", 1234) == b.builder.commit("main", "", files, "msg", 1234));
  }

  TEST_CASE("a bare repository is created bare and reopened when present") {
    ScratchRepo r("builder_bare", /*bare=*/true);
    auto c = r.commit("main", "", {{"a.txt", text("a\n")}});
    CHECK(fs::exists(r.dir / "HEAD"));
    CHECK(r.open().bare());
    auto again = git::RepoBuilder::create(r.dir, true);
    CHECK(again.head_of("main") == c);
  }

  TEST_CASE("a missing branch or parent is an error") {
    ScratchRepo r("builder_errors");
    CHECK_THROWS_AS(r.builder.head_of("nope"), Error);
    CHECK_THROWS_AS(r.commit("main", "nope", {{"a.txt", text("a\n")}}), Error);
  }
}
