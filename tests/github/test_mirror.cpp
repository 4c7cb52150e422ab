#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "fake_github.h"
#include "reviewer/core/error.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/mirror.h"
#include "support/file_mode.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::git;
namespace fs = std::filesystem;

namespace {

// A source repository with commits made directly through libgit2 (no work
// tree): `main` and refs/pull/<n>/head as GitHub serves them.
class Source {
 public:
  explicit Source(const fs::path& p) : path_(p) {
    git_repository* raw = nullptr;
    check(git_repository_init(&raw, p.c_str(), 1), "init source");
    repo_.reset(raw);
  }
  std::string commit(const std::string& ref, const std::string& parent, const std::string& file,
                     const std::string& content) {
    git_oid blob, tree, commit;
    check(git_blob_create_from_buffer(&blob, repo_.get(), content.data(), content.size()), "blob");
    git_treebuilder* tb = nullptr;
    check(git_treebuilder_new(&tb, repo_.get(), nullptr), "treebuilder");
    TreeBuilderPtr tbp(tb);
    check(git_treebuilder_insert(nullptr, tb, file.c_str(), &blob, GIT_FILEMODE_BLOB), "insert");
    check(git_treebuilder_write(&tree, tb), "write tree");
    git_tree* t = nullptr;
    check(git_tree_lookup(&t, repo_.get(), &tree), "tree");
    TreePtr tp(t);
    git_signature* sig = nullptr;
    check(git_signature_new(&sig, "T", "t@example.com", 1700000000, 0), "sig");
    SignaturePtr sp(sig);
    CommitPtr parent_commit;
    const git_commit* parents[1] = {nullptr};
    if (!parent.empty()) {
      git_oid poid;
      git_oid_fromstr(&poid, parent.c_str());
      git_commit* pc = nullptr;
      check(git_commit_lookup(&pc, repo_.get(), &poid), "parent");
      parent_commit.reset(pc);
      parents[0] = pc;
    }
    check(git_commit_create(&commit, repo_.get(), nullptr, sig, sig, nullptr, "m", t, parent.empty() ? 0 : 1, parents),
          "commit");
    git_reference* ref_out = nullptr;
    check(git_reference_create(&ref_out, repo_.get(), ref.c_str(), &commit, 1, "test"), "ref");
    git_reference_free(ref_out);
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &commit);
    return buf;
  }
  std::string url() const { return "file://" + path_.string(); }

 private:
  fs::path path_;
  RepositoryPtr repo_;
};

}  // namespace

TEST_SUITE("git::Mirror") {
  TEST_CASE("the first fetch creates the mirror; later fetches are incremental") {
    auto dir = test::scratch_dir("mirror-fetch");
    Source src(dir / "src.git");
    std::string base = src.commit("refs/heads/main", "", "a.txt", std::string(20000, 'a'));
    std::string head = src.commit("refs/pull/3/head", base, "a.txt", std::string(20000, 'b'));

    Mirror m(dir / "data", "octo/repo", src.url());
    CHECK(m.path() == dir / "data" / "mirrors" / "octo" / "repo.git");
    FetchResult r1 = m.fetch_pull("main", 3, {});
    CHECK(r1.first_fetch);
    // The code of private repositories: folders for this user only.
    CHECK(test::mode_of(dir / "data" / "mirrors") == 0700);
    CHECK(test::mode_of(dir / "data" / "mirrors" / "octo") == 0700);
    CHECK(test::mode_of(m.path()) == 0700);
    CHECK(r1.base_sha == base);
    CHECK(r1.head_sha == head);
    CHECK(r1.received_objects >= 4);

    std::string head2 = src.commit("refs/pull/3/head", head, "a.txt", std::string(20000, 'c'));
    FetchResult r2 = m.fetch_pull("main", 3, {});
    CHECK_FALSE(r2.first_fetch);
    CHECK(r2.head_sha == head2);
    CHECK(r2.received_objects < r1.received_objects + 3);  // only the new commit's objects
    CHECK(r2.received_objects <= 3);
  }

  TEST_CASE("concurrent fetches of one mirror are serialised by its lock and all succeed") {
    auto dir = test::scratch_dir("mirror-lock");
    Source src(dir / "src.git");
    std::string base = src.commit("refs/heads/main", "", "a.txt", "x");
    for (int n = 1; n <= 4; ++n) src.commit("refs/pull/" + std::to_string(n) + "/head", base, "f.txt", std::to_string(n));
    Mirror m(dir / "data", "o/r", src.url());
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int n = 1; n <= 4; ++n) {
      threads.emplace_back([&, n] {
        git::Library lib;
        try {
          Mirror(dir / "data", "o/r", src.url()).fetch_pull("main", n, {});
          ++ok;
        } catch (const std::exception& e) {
          MESSAGE(e.what());
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 4);
    CHECK(m.fetch_pull("main", 2, {}).base_sha == base);
  }

  TEST_CASE("a held lock makes a fetch time out instead of corrupting the mirror") {
    auto dir = test::scratch_dir("mirror-held");
    Source src(dir / "src.git");
    src.commit("refs/heads/main", "", "a.txt", "x");
    Mirror m(dir / "data", "o/r", src.url());
    fs::create_directories(m.path().parent_path());
    FileLock held(m.path().string() + ".lock", std::chrono::milliseconds(100));
    FetchOptions o;
    o.lock_timeout = std::chrono::milliseconds(100);
    try {
      m.fetch({"+refs/heads/main:refs/heads/main"}, o);
      FAIL("expected a timeout");
    } catch (const Error& e) {
      CHECK(e.code() == Error::Code::timeout);
      CHECK(std::string(e.what()).find("locked") != std::string::npos);
    }
  }

  TEST_CASE("the size limit aborts a fetch with a clear error") {
    auto dir = test::scratch_dir("mirror-size");
    Source src(dir / "src.git");
    std::string big;
    for (int i = 0; i < 200000; ++i) big += std::to_string(i * 7919);  // poorly compressible
    std::string base = src.commit("refs/heads/main", "", "big.txt", big);
    src.commit("refs/pull/1/head", base, "big.txt", big + "x");
    Mirror m(dir / "data", "o/r", src.url());
    FetchOptions o;
    o.max_bytes = 1000;
    try {
      m.fetch_pull("main", 1, o);
      FAIL("expected the size limit");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("exceeded 1000 bytes") != std::string::npos);
    }
  }

  TEST_CASE("bad repository names and branch names are refused") {
    auto dir = test::scratch_dir("mirror-names");
    CHECK_THROWS_AS(Mirror(dir, "../etc", "file:///x"), Error);
    CHECK_THROWS_AS(Mirror(dir, "o/r/x", "file:///x"), Error);
    CHECK_THROWS_AS(Mirror(dir, "o/..", "file:///x"), Error);
    CHECK_THROWS_AS(Mirror(dir, "noslash", "file:///x"), Error);
    Mirror m(dir, "o/r", "file:///nonexistent");
    CHECK_THROWS_AS(m.fetch_pull("main..x", 1, {}), Error);
    CHECK_THROWS_AS(m.fetch_pull("main", 0, {}), Error);
  }

  TEST_CASE("a mirror lives at mirrors/<owner>/<name>.git and only plain owner/name is accepted") {
    CHECK(Mirror("/m", "octo/hello-world", "").path() == "/m/mirrors/octo/hello-world.git");
    CHECK_THROWS_AS(Mirror("/m", "../etc", ""), Error);
    CHECK_THROWS_AS(Mirror("/m", "a/..", ""), Error);
    CHECK_THROWS_AS(Mirror("/m", "a/b/c", ""), Error);
    CHECK_THROWS_AS(Mirror("/m", "noslash", ""), Error);
  }

  TEST_CASE("a missing PR ref or an unreachable remote is an error naming the repository") {
    auto dir = test::scratch_dir("mirror-missing");
    Source src(dir / "src.git");
    src.commit("refs/heads/main", "", "a.txt", "x");
    Mirror m(dir / "data", "o/r", src.url());
    try {
      m.fetch_pull("main", 9, {});
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("o/r") != std::string::npos);
    }
    Mirror gone(dir / "data", "o/gone", "file://" + (dir / "nowhere.git").string());
    CHECK_THROWS_AS(gone.fetch_pull("main", 1, {}), Error);
  }
}

TEST_SUITE("git::Mirror over HTTP") {
  TEST_CASE("credentials go through the callback as x-access-token, once, and never into the error") {
    test::FakeGitHub server;
    // A server that rejects every credential: libgit2 must ask once, then stop.
    server.on("GET", "/o/r.git/info/refs", [](const test::Recorded&) {
      return test::FakeResponse{401, nullptr, {{"WWW-Authenticate", "Basic realm=\"GitHub\""}}};
    });
    auto dir = test::scratch_dir("mirror-http");
    Mirror m(dir / "data", "o/r", server.url() + "/o/r.git");
    FetchOptions o;
    int asked = 0;
    o.password = [&] {
      ++asked;
      return std::string("s3cret-token");
    };
    try {
      m.fetch_pull("main", 1, o);
      FAIL("expected the fetch to fail");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
      CHECK(std::string(e.what()).find("o/r") != std::string::npos);
    }
    CHECK(asked == 1);
    auto reqs = server.requests("GET", "/o/r.git/info/refs");
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].headers.count("authorization") == 0);
    CHECK(reqs[0].query == "service=git-upload-pack");
    // base64("x-access-token:s3cret-token")
    CHECK(reqs[1].headers["authorization"] == "Basic eC1hY2Nlc3MtdG9rZW46czNjcmV0LXRva2Vu");
  }
}
