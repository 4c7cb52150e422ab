#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "git_index/repo_fixture.h"
#include "reviewer/core/error.h"
#include "reviewer/git/index/repo_index.h"
#include "support/file_mode.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::index;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path dir;
  git::RepositoryPtr repo;
  IndexOptions opts;
  explicit Fixture(const std::string& label) : dir(test::scratch_dir(label)), repo(test::init_repo(dir)) {
    opts.cache_dir = dir / "cache";
  }
};

test::Files sample() {
  return {
      {"app/util.py", "def format_price(x):\n    return \"%.2f\" % x\n"},
      {"app/views.py", "from app.util import format_price\n\ndef show(p):\n    return format_price(p)\n"},
      {"web/a.js", "export const MSG = \"Name is required\";\n"},
      {"README.md", "# readme\n"},
  };
}

}  // namespace

TEST_SUITE("index::RepoIndex") {
  TEST_CASE("definitions and occurrences are found with path and line") {
    Fixture fx("index-basic");
    std::string c = test::commit_files(fx.repo.get(), sample(), "");
    IndexStats st;
    auto idx = RepoIndex::open(fx.repo.get(), c, fx.opts, &st);
    CHECK(st.files == 4);
    CHECK(st.indexed == 3);  // README.md has no lexer
    CHECK(st.read == 3);
    CHECK_FALSE(st.from_cache);
    auto defs = idx.definitions("format_price");
    REQUIRE(defs.size() == 1);
    CHECK(idx.path(defs[0].file) == "app/util.py");
    CHECK(defs[0].line == 1);
    CHECK(defs[0].max_arity == 1);
    auto hits = idx.occurrences(Space::ident, "format_price");
    REQUIRE(hits.size() == 3);
    CHECK(idx.path(hits[1].file) == "app/views.py");
    CHECK(hits[2].kind == OccKind::call);
    CHECK(hits[2].line == 4);
    CHECK(hits[2].argc == 1);
    auto strs = idx.occurrences(Space::string, "Name is required");
    REQUIRE(strs.size() == 1);
    CHECK(idx.path(strs[0].file) == "web/a.js");
    CHECK(idx.find_file("README.md") >= 0);
    CHECK(idx.status(static_cast<std::uint32_t>(idx.find_file("README.md"))) == FileStatus::unsupported);
    CHECK(idx.find_file("nope") == -1);
  }

  TEST_CASE("a second open reads the cache, keyed by tree id") {
    Fixture fx("index-cache");
    std::string c = test::commit_files(fx.repo.get(), sample(), "");
    auto first = RepoIndex::open(fx.repo.get(), c, fx.opts);
    CHECK(fs::exists(cache_file(fx.opts.cache_dir, first.tree_id())));
    IndexStats st;
    auto again = RepoIndex::open(fx.repo.get(), c, fx.opts, &st);
    CHECK(st.from_cache);
    CHECK(st.read == 0);
    CHECK(again.tree_id() == first.tree_id());
    CHECK(again.occurrences(Space::ident, "format_price").size() == 3);
  }

  TEST_CASE("an index built with other skip settings is rebuilt, not reused") {
    Fixture fx("index-settings");
    std::string c = test::commit_files(fx.repo.get(), sample(), "");
    RepoIndex::open(fx.repo.get(), c, fx.opts);
    fx.opts.fingerprint = "web/**";
    fx.opts.excluded = [](std::string_view p) { return p.starts_with("web/"); };
    IndexStats st;
    auto idx = RepoIndex::open(fx.repo.get(), c, fx.opts, &st);
    CHECK_FALSE(st.from_cache);
    CHECK(idx.occurrences(Space::string, "Name is required").empty());
    RepoIndex::open(fx.repo.get(), c, fx.opts, &st);
    CHECK(st.from_cache);
  }

  TEST_CASE("a query finds every file holding a symbol, in path order") {
    Fixture fx("index-many");
    test::Files files;
    for (int i = 0; i < 300; ++i) files["d/f" + std::to_string(1000 + i) + ".py"] = "shared_name(" + std::to_string(i) + ")\n";
    std::string c = test::commit_files(fx.repo.get(), files, "");
    auto idx = RepoIndex::open(fx.repo.get(), c, fx.opts);
    auto hits = idx.occurrences(Space::ident, "shared_name");
    REQUIRE(hits.size() == 300);
    CHECK(idx.path(hits.front().file) == "d/f1000.py");
    CHECK(idx.path(hits.back().file) == "d/f1299.py");
    CHECK(idx.occurrences(Space::ident, "shared_name", 5).size() == 5);
    CHECK(idx.occurrences(Space::number, "299").size() == 1);
  }

  TEST_CASE("without a cache the index is built in memory and nothing is written") {
    Fixture fx("index-memory");
    std::string c = test::commit_files(fx.repo.get(), sample(), "");
    fx.opts.write_cache = false;
    auto idx = RepoIndex::open(fx.repo.get(), c, fx.opts);
    CHECK(idx.definitions("format_price").size() == 1);
    CHECK_FALSE(fs::exists(fx.opts.cache_dir));
  }

  TEST_CASE("the default cache lives in the git directory") {
    Fixture fx("index-default-dir");
    std::string c = test::commit_files(fx.repo.get(), sample(), "");
    IndexOptions o;
    auto idx = RepoIndex::open(fx.repo.get(), c, o);
    CHECK(fs::exists(fx.dir / ".git" / "reviewer-index" / (idx.tree_id() + ".idx")));
  }

  TEST_CASE("the cache holds the repository's names: its folder is 0700 and its files 0600") {
    test::ScopedUmask open_umask(0);
    Fixture fx("index-private");
    std::string c = test::commit_files(fx.repo.get(), sample(), "");
    auto idx = RepoIndex::open(fx.repo.get(), c, fx.opts);
    CHECK(test::mode_of(fx.dir / "cache") == 0700);
    CHECK(test::mode_of(fx.dir / "cache" / (idx.tree_id() + ".idx")) == 0600);
  }

  TEST_CASE("an incremental build reads only the changed blobs") {
    Fixture fx("index-incremental");
    auto files = sample();
    std::string c1 = test::commit_files(fx.repo.get(), files, "");
    auto i1 = RepoIndex::open(fx.repo.get(), c1, fx.opts);
    files["app/views.py"] = "def show(p):\n    return p\n";
    files["app/new.py"] = "def fresh():\n    pass\n";
    std::string c2 = test::commit_files(fx.repo.get(), files, c1);
    IndexStats st;
    auto i2 = RepoIndex::open(fx.repo.get(), c2, fx.opts, &st);
    CHECK(st.base_tree == i1.tree_id());
    CHECK(st.read == 2);
    CHECK(st.reused == 2);
    CHECK(i2.occurrences(Space::ident, "format_price").size() == 1);
    CHECK(i2.definitions("fresh").size() == 1);
    // The copied blocks answer exactly as freshly built ones.
    IndexOptions cold = fx.opts;
    cold.cache_dir = fx.dir / "cold";
    auto fresh = RepoIndex::open(fx.repo.get(), c2, cold);
    CHECK(fresh.occurrences(Space::string, "Name is required").size() ==
          i2.occurrences(Space::string, "Name is required").size());
  }

  TEST_CASE("binary, vendored, generated, excluded and oversized files are skipped") {
    Fixture fx("index-skips");
    test::Files files = {
        {"bin/blob.c", std::string("int x;\0\0\0binary", 15)},
        {"vendor/lib/x.js", "function vendored() {}\n"},
        {"gen/api.go", "// Code generated by protoc. DO NOT EDIT.\npackage gen\nfunc Generated() {}\n"},
        {"big/huge.py", std::string(5000, 'x') + "\n"},
        {"skip/me.py", "def excluded_fn():\n    pass\n"},
        {"ok.py", "def kept():\n    pass\n"},
    };
    std::string c = test::commit_files(fx.repo.get(), files, "");
    fx.opts.max_file_bytes = 1000;
    fx.opts.excluded = [](std::string_view p) { return p.starts_with("skip/"); };
    auto idx = RepoIndex::open(fx.repo.get(), c, fx.opts);
    auto status = [&](const char* p) { return idx.status(static_cast<std::uint32_t>(idx.find_file(p))); };
    CHECK(status("bin/blob.c") == FileStatus::binary);
    CHECK(status("vendor/lib/x.js") == FileStatus::excluded);
    CHECK(status("gen/api.go") == FileStatus::generated);
    CHECK(status("big/huge.py") == FileStatus::oversized);
    CHECK(status("skip/me.py") == FileStatus::excluded);
    CHECK(status("ok.py") == FileStatus::indexed);
    CHECK(idx.definitions("vendored").empty());
    CHECK(idx.definitions("Generated").empty());
    CHECK(idx.definitions("kept").size() == 1);
  }

  TEST_CASE("a corrupt cache file is ignored and rebuilt") {
    Fixture fx("index-corrupt");
    std::string c = test::commit_files(fx.repo.get(), sample(), "");
    auto idx = RepoIndex::open(fx.repo.get(), c, fx.opts);
    fs::path f = cache_file(fx.opts.cache_dir, idx.tree_id());
    auto size = fs::file_size(f);
    fs::resize_file(f, size / 2);
    IndexStats st;
    auto again = RepoIndex::open(fx.repo.get(), c, fx.opts, &st);
    CHECK_FALSE(st.from_cache);
    CHECK(again.occurrences(Space::ident, "format_price").size() == 3);
    {
      std::ofstream out(f, std::ios::binary | std::ios::trunc);
      out << "RVIDX garbage that is not an index at all, but long enough to have a header.......";
    }
    auto third = RepoIndex::open(fx.repo.get(), c, fx.opts, &st);
    CHECK_FALSE(st.from_cache);
    CHECK(third.definitions("format_price").size() == 1);
  }

  TEST_CASE("an unknown revision is a clear error") {
    Fixture fx("index-bad-rev");
    test::commit_files(fx.repo.get(), sample(), "");
    CHECK_THROWS_WITH_AS(RepoIndex::open(fx.repo.get(), "no-such-branch", fx.opts),
                         doctest::Contains("resolve 'no-such-branch'"), reviewer::Error);
  }

  TEST_CASE("old index files are pruned to the configured number") {
    Fixture fx("index-prune");
    auto files = sample();
    std::string parent;
    fx.opts.keep = 2;
    for (int i = 0; i < 4; ++i) {
      files["n.py"] = "N = " + std::to_string(i) + "\n";
      parent = test::commit_files(fx.repo.get(), files, parent);
      RepoIndex::open(fx.repo.get(), parent, fx.opts);
    }
    int count = 0;
    for (const auto& e : fs::directory_iterator(fx.opts.cache_dir)) count += e.path().extension() == ".idx";
    CHECK(count == 2);
  }
}
