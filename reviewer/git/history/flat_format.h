// The history index file (version 9): a header, then sections of
// fixed-size records, sorted lookup tables and two pools (32-bit lists and
// string bytes), so a review can look up the few files and the author it
// needs in place instead of rebuilding every map (FlatIndex). Everything is
// little-endian, as the machines we run on; each section starts at a
// multiple of 8 bytes and carries its own checksum, so a reader verifies
// exactly the sections it reads.
//
// The sections a review reads come first; the ones only an update needs
// (subjects, each file's blamed commits and line origins) come last, so a
// review reads one prefix of the file.
//
// The file is ours but read as untrusted: every offset, count and id is
// checked against what it points into before use (flat_index.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reviewer/git/history/features.h"

namespace reviewer::history::flat {

inline constexpr char kMagic[8] = {'R', 'V', 'H', 'I', 'S', 'T', '\0', '\n'};

enum Section : std::uint32_t {
  // Read by a review.
  kCommits,      // CommitRec per commit, oldest first
  kCommitIds,    // KeyId: sha -> commit, sorted by key
  kMerged,       // KeyId: side-branch sha -> the merge that brought it, sorted
  kFiles,        // FileRec per file id
  kLiveIds,      // KeyId: live path -> file id, sorted
  kFormerIds,    // KeyId: path deleted or renamed away -> its last file id, sorted
  kAuthors,      // AuthorRec per author id
  kAuthorIds,    // KeyId: author key -> author id, sorted
  kAuthorFiles,  // FileList: per author a run sorted by file id
  kAuthorKeys,   // KeyList: per author a run of folders, then one of subsystems, each sorted by key
  kLists,        // uint32 pool (ListRef)
  kStrings,      // byte pool (StrRef)
  // Read only to update the index.
  kSubjects,      // StrRef per commit, into kExtraStrings
  kFileExtra,     // FileExtra per file id, into kExtraLists
  kExtraLists,    // uint32 pool
  kExtraStrings,  // byte pool
  kSectionCount
};
inline constexpr std::uint32_t kFirstExtra = kSubjects;

struct StrRef {
  std::uint32_t offset = 0, size = 0;  // bytes into a byte pool
};
struct ListRef {
  std::uint32_t offset = 0, count = 0;  // entries into a uint32 pool
};

struct SectionEntry {
  std::uint64_t offset = 0, size = 0;  // bytes from the start of the file
  std::uint64_t checksum = 0;          // of the section's bytes
};

struct Header {
  char magic[8] = {};
  std::uint32_t version = 0;
  std::uint32_t sections = 0;  // kSectionCount
  std::uint64_t flags = 0;     // kShallow
  SectionEntry table[kSectionCount] = {};
  std::uint64_t checksum = 0;  // of the bytes above
};
inline constexpr std::uint64_t kShallow = 1;

struct CommitRec {
  std::int64_t time = 0, reverted_at = 0, fixed_at = 0;
  std::uint32_t author = 0, reverted_by = 0, fixed_by = 0;
  std::uint32_t flags = 0;  // kFixFlag | kRevertFlag | kBulkFlag
  StrRef sha;
  float features[kFeatureCount] = {};
};
inline constexpr std::uint32_t kFixFlag = 1, kRevertFlag = 2, kBulkFlag = 4;

struct FileRec {
  StrRef path;
  ListRef commits, authors;
  std::int64_t last_time = 0;
  std::uint32_t fixes = 0, reverts = 0, lines = 0, alive = 0;
};

struct FileExtra {
  ListRef blamed, origin;
};

struct AuthorRec {
  StrRef key;
  ListRef commits;
  std::uint32_t files_begin = 0, files_count = 0;  // into kAuthorFiles
  std::uint32_t folders_begin = 0, folders_count = 0;  // into kAuthorKeys
  std::uint32_t subsystems_begin = 0, subsystems_count = 0;  // into kAuthorKeys
};

struct KeyId {
  StrRef key;
  std::uint32_t id = 0;
};

struct FileList {
  std::uint32_t file = 0;
  ListRef list;
};

struct KeyList {
  StrRef key;
  ListRef list;
};

// A 64-bit checksum of `bytes` (four xxHash64-style lanes, several GB/s):
// a corrupted section goes unnoticed with a chance of about 2^-64. It
// detects corruption; it is no defence against someone who can write the
// file (they could write any index, and the SHA-256 of version 6 was no
// defence either).
std::uint64_t checksum(std::string_view bytes);

}  // namespace reviewer::history::flat
