// How a cached repository index is read: by offset, not mapped
// (reviewer/git/index/index_data.h says why).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "git_index/repo_fixture.h"
#include "reviewer/core/error.h"
#include "reviewer/git/index/repo_index.h"
#include "support/testutil.h"

using namespace reviewer;
using namespace reviewer::index;
namespace fs = std::filesystem;

namespace {

// Whether this process maps `file` (a line of /proc/self/maps names it).
bool mapped_here(const fs::path& file) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find(file.string()) != std::string::npos) return true;
  }
  return false;
}

// Files that all use one name, and one file with many symbols (more than a
// single read of its symbol table covers).
test::Files wide_tree() {
  test::Files files;
  for (int i = 0; i < 40; ++i) files["use/u" + std::to_string(100 + i) + ".py"] = "common_call(" + std::to_string(i) + ")\n";
  std::string many;
  for (int i = 0; i < 700; ++i) many += "def fn_" + std::to_string(i) + "(a, b):\n    return common_call(a)\n";
  files["lib/many.py"] = many;
  return files;
}

// wide_tree() committed and indexed, then opened again from the cache.
struct Cached {
  fs::path dir;
  git::RepositoryPtr repo;
  IndexOptions opts;
  IndexStats stats;
  RepoIndex idx;
  explicit Cached(const std::string& label)
      : dir(test::scratch_dir(label)), repo(test::init_repo(dir)), opts(with_cache(dir)), idx(open_twice()) {}
  fs::path file() const { return cache_file(opts.cache_dir, idx.tree_id()); }

 private:
  static IndexOptions with_cache(const fs::path& dir) {
    IndexOptions o;
    o.cache_dir = dir / "cache";
    return o;
  }
  RepoIndex open_twice() {
    const std::string c = test::commit_files(repo.get(), wide_tree(), "");
    RepoIndex::open(repo.get(), c, opts);
    return RepoIndex::open(repo.get(), c, opts, &stats);
  }
};

}  // namespace

TEST_SUITE("index::RepoIndex reads") {
  TEST_CASE("a cached index answers without mapping its file") {
    Cached fx("index-reads-unmapped");
    const RepoIndex& idx = fx.idx;
    REQUIRE(fx.stats.from_cache);
    CHECK(idx.occurrences(Space::ident, "common_call").size() == 740);
    CHECK(idx.definitions("fn_0").size() == 1);
    // Through a mapping, every page read also maps its neighbours: on
    // git.git, 73 lookups left 19 of the file's 25 MB resident.
    CHECK_FALSE(mapped_here(fx.file()));
  }

  TEST_CASE("every symbol of a file with hundreds of them is found") {
    Cached fx("index-reads-many");
    const RepoIndex& idx = fx.idx;
    int found = 0;
    for (int i = 0; i < 700; ++i) {
      auto defs = idx.definitions("fn_" + std::to_string(i));
      found += defs.size() == 1 && defs[0].line == static_cast<std::uint32_t>(2 * i + 1) && defs[0].max_arity == 2;
    }
    CHECK(found == 700);
    CHECK(idx.definitions("fn_700").empty());
    CHECK(idx.occurrences(Space::ident, "no_such_name").empty());
  }

  TEST_CASE("a cache file damaged past its file table is an error when a lookup reads there, not \"no hits\"") {
    Cached fx("index-reads-damaged");
    const RepoIndex& idx = fx.idx;
    const auto size = fs::file_size(fx.file());
    {
      // The header, file table and paths, checked at open, stay; the blocks,
      // buckets and postings after them become 0xff.
      std::fstream f(fx.file(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(size / 2));
      const std::string ff(size - size / 2, '\xff');
      f.write(ff.data(), static_cast<std::streamsize>(ff.size()));
    }
    CHECK_THROWS_WITH_AS(idx.occurrences(Space::ident, "common_call"), doctest::Contains("damaged"), reviewer::Error);
    CHECK_THROWS_WITH_AS(idx.definitions("fn_1"), doctest::Contains("damaged"), reviewer::Error);
  }

  TEST_CASE("a cache file truncated under a reader is an error, not a fault and not \"no hits\"") {
    Cached fx("index-reads-truncated");
    const RepoIndex& idx = fx.idx;
    fs::resize_file(fx.file(), fs::file_size(fx.file()) / 2);  // the postings, at the end, are gone
    // "No occurrence" would tell the logic agent a removed name is unused.
    CHECK_THROWS_AS(idx.occurrences(Space::ident, "common_call"), reviewer::Error);
    CHECK_THROWS_AS(idx.definitions("fn_1"), reviewer::Error);
    CHECK(idx.path(static_cast<std::uint32_t>(idx.find_file("lib/many.py"))) == "lib/many.py");
  }
}
