// The on-disk layout of a repository index: one file per tree, read by
// offset (index_data.h) so a warm review costs a header check, not a parse. Each
// file's block is position-independent, so an incremental build copies the
// blocks of unchanged blobs byte for byte from the previous tree's index.
//
//   Header | FileEntry[nfiles] | path bytes | 8-aligned file blocks |
//   bucket starts u32[nbuckets + 1] | postings u32[npostings]
//   block:  BlockHeader | Sym[nsym] (sorted by hash) | Occ[nocc] | Def[ndef]
//
// The postings map a symbol hash's bucket to the files that hold a symbol
// in that bucket (ascending), so a query visits only candidate files
// instead of binary-searching every file. They are rebuilt on every build
// with a counting sort: linear in the number of symbols, no blob reads.
//
// All integers little-endian (the cache is local to the machine).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reviewer/git/index/symbols.h"

namespace reviewer::index {

constexpr char kMagic[8] = {'R', 'V', 'I', 'D', 'X', '\x01', '\0', '\0'};
constexpr std::uint32_t kFormatVersion = 2;

// Why a file has no block.
enum class FileStatus : std::uint8_t { indexed, binary, generated, excluded, oversized, unsupported };

// Which namespace a symbol's hash is in: identifiers, string literals, numbers.
enum class Space : std::uint8_t { ident = 1, string = 2, number = 3 };

#pragma pack(push, 1)
struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t nfiles;
  char tree[40];
  std::uint64_t paths_off, data_off, total_size;
  std::uint64_t settings;       // hash of the options that change content (IndexOptions)
  std::uint64_t buckets_off;    // u32[nbuckets + 1]
  std::uint64_t postings_off;   // u32[npostings]
  std::uint32_t bucket_bits, npostings;
};
struct FileEntry {
  std::uint64_t data_off;  // relative to Header::data_off
  std::uint32_t data_len;
  std::uint32_t path_off;  // relative to Header::paths_off
  std::uint32_t path_len;
  std::uint8_t lang, status;
  std::uint16_t pad;
  std::uint8_t blob[20];
};
struct BlockHeader {
  std::uint32_t nsym, nocc, ndef, pad;
};
struct Sym {
  std::uint64_t hash;
  std::uint32_t occ_first, occ_count, def_first, def_count;
};
struct Occ {
  std::uint32_t line;
  std::int16_t argc;
  std::uint8_t kind;  // OccKind
  std::uint8_t pad;
};
struct Def {
  std::uint32_t line;
  std::int16_t min_arity, max_arity;
  std::uint8_t kind;  // DefKind
  std::uint8_t has_self;
  std::uint16_t pad;
};
#pragma pack(pop)

inline std::uint32_t bucket_of(std::uint64_t hash, std::uint32_t bits) {
  return static_cast<std::uint32_t>((hash ^ (hash >> 29)) & ((std::uint64_t{1} << bits) - 1));
}

// A stable 64-bit hash of a symbol in a space (FNV-1a; not a security boundary).
std::uint64_t symbol_hash(Space space, std::string_view text);

Space space_of(OccKind kind);

// Encodes one file's analysis as a block (8-aligned length).
std::string encode_block(const Analysis& analysis);

}  // namespace reviewer::index
