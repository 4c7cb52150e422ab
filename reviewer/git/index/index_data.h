// The bytes of one repository index (index_format.h) and the reads a query
// makes in them. Internal to repo_index.cpp.
//
// A cache file opened for queries is read with pread, not mapped. A review
// asks few questions (git.git's 9,777-line change: 73), but a common name
// has candidates in hundreds of files, and each file's block lies
// elsewhere in the file: through a mapping, every page read also maps the
// pages around it that the page cache holds (the kernel's fault-around,
// 64 KB; madvise(MADV_RANDOM) does not stop it), so those 73 lookups left
// 19.4 of 25 MB resident, the largest single cost of a review's memory.
// Read into small buffers, a lookup costs a few system calls per
// candidate file and keeps nothing. The header, file table and paths are
// read once and kept (a few hundred KB). An index that is the base of an
// incremental build is mapped instead: its blocks are copied whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reviewer/git/index/index_format.h"
#include "reviewer/git/index/repo_index.h"

namespace reviewer::index {

struct RepoIndex::Data {
  // The source of the bytes: a buffer (an index built in memory), a mapping
  // (a base to copy blocks from), or an open file read by offset.
  std::string buffer;
  void* map = nullptr;
  std::size_t map_size = 0;
  int fd = -1;
  const char* bytes = nullptr;  // the buffer or the mapping; nullptr when read through fd
  std::size_t size = 0;

  // Read and checked once by validate().
  Header header{};
  std::vector<FileEntry> entries;
  std::string paths;
  std::string tree;

  Data() = default;
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;
  ~Data();

  // Reads and checks the header, the file table and the paths. Blocks and
  // postings are checked when read.
  bool validate();

  // Copies n bytes at `at`; false when they lie outside the index. Throws
  // reviewer::Error when they cannot be read (a file truncated under us).
  bool read(std::uint64_t at, void* out, std::size_t n) const;
  // read() for a lookup, where bytes outside the index mean a damaged file:
  // throws reviewer::Error. A lookup never answers "no hits" from a damaged
  // index: that would tell the logic agent a removed name is unused.
  void need(std::uint64_t at, void* out, std::size_t n) const;
  [[noreturn]] static void damaged(const char* what);

  // The files that may hold a symbol of this hash, ascending (calls fn(file)
  // until it returns false).
  template <class Fn>
  void candidates(std::uint64_t hash, Fn fn) const {
    std::uint32_t range[2];
    const std::uint32_t b = bucket_of(hash, header.bucket_bits);
    need(header.buckets_off + std::uint64_t{b} * 4, range, sizeof range);
    if (range[0] > range[1] || range[1] > header.npostings) damaged("a bucket's postings");
    std::vector<std::uint32_t> files(range[1] - range[0]);
    need(header.postings_off + std::uint64_t{range[0]} * 4, files.data(), files.size() * 4);
    std::uint32_t last = UINT32_MAX;
    for (std::uint32_t f : files) {
      if (f >= header.nfiles) damaged("a posting's file");
      if (f == last) continue;
      last = f;
      if (!fn(f)) return;
    }
  }

  // The symbol's entry in file i and the block's header (false when
  // absent; throws, as need(), when the block is damaged).
  bool find_sym(std::uint32_t i, std::uint64_t hash, Sym* out, BlockHeader* block) const;
  // The symbol's occurrences or definitions in file i (throw when damaged).
  std::vector<Occ> occs(std::uint32_t i, const BlockHeader& block, const Sym& sym) const;
  std::vector<Def> defs(std::uint32_t i, const BlockHeader& block, const Sym& sym) const;

  // A whole block, from a buffer or a mapping only (an incremental build's base).
  std::string_view block(std::uint32_t i) const;
  std::string_view path(std::uint32_t i) const { return std::string_view(paths).substr(entries[i].path_off, entries[i].path_len); }

 private:
  std::uint64_t block_at(std::uint32_t i) const { return header.data_off + entries[i].data_off; }
};

// A cache file: read by offset (`mapped` false: for queries) or mapped (the
// base of an incremental build). nullptr when absent or invalid.
std::shared_ptr<RepoIndex::Data> open_index_file(const std::filesystem::path& p, bool mapped);

}  // namespace reviewer::index
