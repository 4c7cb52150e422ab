#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "git/fixture.h"
#include "reviewer/core/error.h"

using namespace reviewer;
using namespace reviewer::test;
namespace fs = std::filesystem;

namespace {

// The message of the reviewer::Error that `f` throws ("" when none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == std::string::npos; }

}  // namespace

TEST_SUITE("git::Repository") {
  TEST_CASE("opening a folder that is not a repository names the folder") {
    const auto dir = scratch_dir("not_a_repo");
    const std::string msg = error_of([&] { git::Repository::open(dir); });
    CHECK(msg == "'" + dir.string() + "' is not a git repository");
  }

  TEST_CASE("opening a missing path says it does not exist") {
    const auto dir = scratch_dir("missing") / "nowhere";
    const std::string msg = error_of([&] { git::Repository::open(dir); });
    CHECK(msg == "'" + dir.string() + "' does not exist");
  }

  TEST_CASE("a shallow repository is refused") {
    ScratchRepo r("shallow");
    auto c = r.commit("main", "", {{"a.txt", text("a\n")}});
    write_text(r.dir / ".git" / "shallow", c + "\n");
    const std::string msg = error_of([&] { git::Repository::open(r.dir); });
    CHECK(one_line(msg));
    CHECK(msg.find(r.dir.string()) != std::string::npos);
    CHECK(msg.find("shallow") != std::string::npos);
  }

  TEST_CASE("a corrupt object gives a one-line error naming the repository") {
    ScratchRepo r("corrupt", /*bare=*/true);
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"a.txt", text("b\n")}});
    const fs::path object = r.dir / "objects" / head.substr(0, 2) / head.substr(2);
    REQUIRE(fs::exists(object));
    fs::permissions(object, fs::perms::owner_read | fs::perms::owner_write);
    write_text(object, "this is not a zlib stream");
    auto repo = r.open();
    const std::string msg = error_of([&] { repo.diff(base, head, base, {}); });
    CHECK(one_line(msg));
    CHECK(msg.find(r.dir.string()) != std::string::npos);
  }

  TEST_CASE("a repository without an object database is not a repository") {
    ScratchRepo r("no_objects", /*bare=*/true);
    r.commit("main", "", {{"a.txt", text("a\n")}});
    fs::remove_all(r.dir / "objects");
    const std::string msg = error_of([&] { git::Repository::open(r.dir); });
    CHECK(one_line(msg));
    CHECK(msg.find(r.dir.string()) != std::string::npos);
  }

  TEST_CASE("an unknown revision is an error naming the revision") {
    ScratchRepo r("unknown_rev");
    r.commit("main", "", {{"a.txt", text("a\n")}});
    auto repo = r.open();
    CHECK(error_of([&] { repo.resolve("no-such-branch"); }) ==
          "unknown revision 'no-such-branch' in '" + r.dir.string() + "'");
    CHECK(error_of([&] { repo.resolve(std::string(40, 'a')); }).find("unknown revision") == 0);
    CHECK(error_of([&] { repo.resolve(""); }).find("unknown revision") == 0);
    CHECK(error_of([&] { repo.resolve("main^{tree}"); }).find("is a tree, not a commit") != std::string::npos);
  }

  TEST_CASE("rev-specs resolve to commit shas") {
    ScratchRepo r("resolve");
    auto c1 = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto c2 = r.commit("main", c1, {{"a.txt", text("b\n")}});
    auto repo = r.open();
    CHECK(repo.resolve("main") == c2);
    CHECK(repo.resolve("main~1") == c1);
    CHECK(repo.resolve(c1) == c1);
    CHECK(repo.resolve(c1.substr(0, 10)) == c1);
    CHECK(repo.resolve("HEAD") == c2);  // the builder points HEAD at main
  }

  TEST_CASE("the merge base gives three-dot semantics after main moved on") {
    ScratchRepo r("merge_base");
    auto root = r.commit("main", "", {{"a.txt", text("a\n")}, {"other.txt", text("o\n")}});
    r.commit("main", root, {{"other.txt", text("main moved on\n")}});
    auto pr = r.commit("pr", root, {{"a.txt", text("pr change\n")}});
    auto repo = r.open();
    const std::string mb = repo.merge_base(repo.resolve("main"), pr);
    CHECK(mb == root);
    Diff d = repo.diff(mb, pr, mb, {});
    REQUIRE(d.files.size() == 1);
    CHECK(d.files[0].path() == "a.txt");
    // The two-dot diff would also show main's change, reversed.
    CHECK(repo.diff("main", pr, "main", {}).files.size() == 2);
  }

  TEST_CASE("commits without shared history have no merge base") {
    ScratchRepo r("no_history");
    auto a = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto b = r.commit("orphan", "", {{"b.txt", text("b\n")}});
    auto repo = r.open();
    CHECK(error_of([&] { repo.merge_base(a, b); }).find("share no history") != std::string::npos);
  }

  TEST_CASE("the default branch prefers origin/HEAD, then main, master, trunk, develop") {
    ScratchRepo r("default_branch");
    auto c = r.commit("master", "", {{"a.txt", text("a\n")}});
    CHECK(r.open().default_branch() == "master");
    r.commit("main", c, {});
    CHECK(r.open().default_branch() == "main");
    git_reference* ref = nullptr;
    git_oid oid;
    REQUIRE(git_oid_fromstr(&oid, c.c_str()) == 0);
    REQUIRE(git_reference_create(&ref, r.builder.get(), "refs/remotes/origin/trunk", &oid, 1, nullptr) == 0);
    git_reference_free(ref);
    REQUIRE(git_reference_symbolic_create(&ref, r.builder.get(), "refs/remotes/origin/HEAD",
                                          "refs/remotes/origin/trunk", 1, nullptr) == 0);
    git_reference_free(ref);
    CHECK(r.open().default_branch() == "origin/trunk");
  }

  TEST_CASE("a bare mirror's default branch is what its HEAD names") {
    ScratchRepo r("bare_default", /*bare=*/true);
    auto c = r.commit("develop", "", {{"a.txt", text("a\n")}});
    r.commit("master", c, {});
    git_reference* ref = nullptr;
    REQUIRE(git_reference_symbolic_create(&ref, r.builder.get(), "HEAD", "refs/heads/develop", 1, nullptr) == 0);
    git_reference_free(ref);
    auto repo = r.open();
    CHECK(repo.bare());
    CHECK(repo.default_branch() == "develop");
  }

  TEST_CASE("an empty repository's default branch is HEAD") {
    ScratchRepo r("empty_repo");
    CHECK(r.open().default_branch() == "HEAD");
  }

  TEST_CASE("commit() reads summary, body, author, time and parents") {
    ScratchRepo r("commit_info");
    auto c1 = r.builder.commit("main", "", {{"a.txt", text("a\n")}}, "Root", 1700000000);
    auto c2 = r.builder.commit("main", c1, {{"a.txt", text("b\n")}},
                               "Fix the parser\n\nIt crashed on empty input.\nSecond line.\n", 1700000123);
    auto info = r.open().commit("main");
    CHECK(info.sha == c2);
    CHECK(info.summary == "Fix the parser");
    CHECK(info.body == "It crashed on empty input.\nSecond line.");
    CHECK(info.message == "Fix the parser\n\nIt crashed on empty input.\nSecond line.\n");
    CHECK(info.author_name == "reviewer demo");
    CHECK(info.author_email == "demo@reviewer.invalid");
    CHECK(info.time == 1700000123);
    REQUIRE(info.parents.size() == 1);
    CHECK(info.parents[0] == c1);
    auto root = r.open().commit(c1);
    CHECK(root.summary == "Root");
    CHECK(root.body.empty());
    CHECK(root.parents.empty());
  }

  TEST_CASE("read_file returns a file's bytes at a commit, or nothing") {
    ScratchRepo r("read_file");
    auto c = r.commit("main", "", {{"dir/a.txt", text("hello world\n")}, {"l", text("dir/a.txt", GIT_FILEMODE_LINK)}});
    auto repo = r.open();
    CHECK(repo.read_file(c, "dir/a.txt") == std::optional<std::string>("hello world\n"));
    CHECK(repo.read_file("main", "l") == std::optional<std::string>("dir/a.txt"));
    CHECK_FALSE(repo.read_file(c, "dir/missing.txt"));
    CHECK_FALSE(repo.read_file(c, "dir"));
    CHECK_FALSE(repo.read_file(c, ""));
    CHECK_FALSE(repo.read_file(c, "../etc/passwd"));
    bool truncated = false;
    CHECK(repo.read_file(c, "dir/a.txt", 5, &truncated) == std::optional<std::string>("hello"));
    CHECK(truncated);
    repo.read_file(c, "dir/a.txt", 100, &truncated);
    CHECK_FALSE(truncated);
    CHECK_THROWS_AS(repo.read_file("nope", "dir/a.txt"), Error);
  }

  TEST_CASE("list_files lists files and symlinks but not submodules") {
    ScratchRepo r("list_files");
    auto c = r.commit("main", "", {{"a.txt", text("a\n")},
                                   {"deep/er/b.txt", text("b\n")},
                                   {"link", text("a.txt", GIT_FILEMODE_LINK)},
                                   {"sub", text(std::string(40, '3'), GIT_FILEMODE_COMMIT)}});
    auto files = r.open().list_files(c);
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"a.txt", "deep/er/b.txt", "link"});
  }

  TEST_CASE("a sub-folder of a work tree opens its repository") {
    ScratchRepo r("subfolder");
    r.commit("main", "", {{"a.txt", text("a\n")}});
    fs::create_directories(r.dir / "sub" / "dir");
    auto repo = git::Repository::open(r.dir / "sub" / "dir");
    CHECK_FALSE(repo.bare());
    CHECK(repo.resolve("main").size() == 40);
  }
}

TEST_SUITE("git::Repository::commits_in_range") {
  TEST_CASE("A..B lists B's first-parent commits not in A, oldest first") {
    ScratchRepo r("range");
    auto c1 = r.commit("main", "", {{"a.txt", text("1\n")}});
    auto c2 = r.commit("main", c1, {{"a.txt", text("2\n")}});
    auto c3 = r.commit("main", c2, {{"a.txt", text("3\n")}});
    auto c4 = r.commit("main", c3, {{"a.txt", text("4\n")}});
    auto repo = r.open();
    CHECK(repo.commits_in_range(c1 + ".." + c4) == std::vector<std::string>{c2, c3, c4});
    CHECK(repo.commits_in_range("main~3..main", 2) == std::vector<std::string>{c2, c3});
    CHECK(repo.commits_in_range("main..main").empty());
  }

  TEST_CASE("with every parent, the commits a merge brought in are listed too") {
    ScratchRepo r("range_merge");
    auto base = r.commit("main", "", {{"a.txt", text("1\n")}});
    auto side = r.commit("side", base, {{"b.txt", text("b\n")}}, "side work");
    auto ours = r.commit("main", base, {{"a.txt", text("2\n")}}, "main work");
    // The merge commit `git merge side` would write (main's tree is enough here).
    git_oid ours_id, side_id, merge_id;
    git_oid_fromstr(&ours_id, ours.c_str());
    git_oid_fromstr(&side_id, side.c_str());
    git_commit *ours_c = nullptr, *side_c = nullptr;
    REQUIRE(git_commit_lookup(&ours_c, r.builder.get(), &ours_id) == 0);
    REQUIRE(git_commit_lookup(&side_c, r.builder.get(), &side_id) == 0);
    git_tree* tree = nullptr;
    REQUIRE(git_commit_tree(&tree, ours_c) == 0);
    git_signature* sig = nullptr;
    REQUIRE(git_signature_new(&sig, "T", "t@example.org", 1700000000, 0) == 0);
    const git_commit* parents[2] = {ours_c, side_c};
    REQUIRE(git_commit_create(&merge_id, r.builder.get(), nullptr, sig, sig, nullptr, "Merge side", tree, 2, parents) == 0);
    git_signature_free(sig);
    git_tree_free(tree);
    git_commit_free(side_c);
    git_commit_free(ours_c);
    char hex[GIT_OID_HEXSZ + 1];
    const std::string merge = git_oid_tostr(hex, sizeof hex, &merge_id);

    auto repo = r.open();
    CHECK(repo.commits_in_range(base + ".." + merge) == std::vector<std::string>{ours, merge});
    auto all = repo.commits_in_range(base + ".." + merge, 100, /*first_parent=*/false);
    std::sort(all.begin(), all.end());
    std::vector<std::string> expected{ours, side, merge};
    std::sort(expected.begin(), expected.end());
    CHECK(all == expected);
  }

  TEST_CASE("a malformed or unknown range is an error naming it") {
    ScratchRepo r("range_errors");
    r.commit("main", "", {{"a.txt", text("1\n")}});
    auto repo = r.open();
    CHECK(error_of([&] { repo.commits_in_range("main"); }) == "invalid range 'main': expected A..B");
    CHECK(error_of([&] { repo.commits_in_range("a...b"); }).find("invalid range") == 0);
    CHECK(error_of([&] { repo.commits_in_range("main..nope"); }).find("unknown revision 'nope'") == 0);
  }
}
