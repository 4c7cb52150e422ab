// The repository index at a commit: for each text source file of the tree,
// the names it defines and every occurrence of identifiers, string and
// number literals, with line numbers. Built from git objects with libgit2
// (never the working directory) and cached on disk keyed by tree id.
//
// Cache: one file per tree, "<cache_dir>/<tree id>.idx". The default
// cache_dir is "<git dir>/reviewer-index" (inside .git for a work tree, in
// the repository itself for a bare mirror), so the cache lives and dies with
// the repository and needs no configuration. A new tree is built from the
// newest cached tree: blobs whose id is unchanged are copied, only new blobs
// are read. The latest `keep` index files are kept. A cache file whose
// header, file table or paths are corrupt, or that is foreign, is ignored
// and rebuilt; damage found later, in the blocks a lookup reads, is an
// error (reviewer::Error), never "no hits".
//
// Thread-safety: a RepoIndex is immutable and may be shared across threads.
// Building uses the given git_repository, which must not be shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <git2.h>

#include "reviewer/git/index/index_format.h"
#include "reviewer/git/index/language.h"
#include "reviewer/git/index/symbols.h"

namespace reviewer::index {

struct IndexOptions {
  std::filesystem::path cache_dir;        // empty: "<git dir>/reviewer-index"
  std::size_t max_file_bytes = 1 << 20;   // larger blobs are skipped (status oversized)
  // Paths guidance marks as generated, vendored or lock files; vendor/,
  // third_party/ and node_modules/ are always skipped.
  std::function<bool(std::string_view path)> excluded;
  // Identifies the `excluded` predicate (e.g. the guidance globs joined):
  // an index built with other settings is rebuilt rather than reused.
  std::string fingerprint;
  int keep = 3;                           // index files kept in cache_dir
  bool write_cache = true;                // false: build in memory only
};

struct IndexStats {
  std::size_t files = 0;     // blobs in the tree
  std::size_t indexed = 0;   // with a block
  std::size_t read = 0;      // blobs read and analysed in this build
  std::size_t reused = 0;    // blocks copied from the previous index
  bool from_cache = false;   // the tree's index was already on disk
  std::string base_tree;     // the tree an incremental build started from
};

struct Hit {
  std::uint32_t file = 0;
  std::uint32_t line = 0;
  OccKind kind = OccKind::ident;
  std::int16_t argc = kUnknownArity;
};

struct DefHit {
  std::uint32_t file = 0;
  std::uint32_t line = 0;
  DefKind kind = DefKind::function;
  std::int16_t min_arity = kUnknownArity, max_arity = kUnknownArity;
  bool has_self = false;
};

class RepoIndex {
 public:
  // The index of the tree of `rev` (a commit or tree sha, or any rev-spec):
  // from the cache, or built (incrementally when a previous index exists).
  // Throws reviewer::Error when the revision cannot be resolved or a blob
  // cannot be read; cache write failures are not errors (the index is
  // still returned, built in memory).
  static RepoIndex open(git_repository* repo, std::string_view rev, const IndexOptions& options,
                        IndexStats* stats = nullptr);

  const std::string& tree_id() const;
  std::uint32_t file_count() const;
  std::string_view path(std::uint32_t file) const;
  Lang lang(std::uint32_t file) const;
  FileStatus status(std::uint32_t file) const;
  // The file with this path, or -1.
  long find_file(std::string_view path) const;

  // Occurrences of `text` in a space (identifiers include calls and
  // definition sites), file by file in path order, lines ascending. Stops
  // after `limit` hits (callers that only need "more than N" pass N + 1).
  // These lookups throw reviewer::Error when the cached file is damaged or
  // cannot be read.
  std::vector<Hit> occurrences(Space space, std::string_view text, std::size_t limit = SIZE_MAX) const;
  std::vector<DefHit> definitions(std::string_view name) const;
  // The same occurrences, one by one, until `fn` returns false.
  void visit(Space space, std::string_view text, const std::function<bool(const Hit&)>& fn) const;

  struct Data;  // the index's bytes (built, mapped or read from its file), shared by copies

 private:
  explicit RepoIndex(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

// The cache file of a tree: "<cache_dir>/<tree>.idx".
std::filesystem::path cache_file(const std::filesystem::path& cache_dir, std::string_view tree);

}  // namespace reviewer::index
