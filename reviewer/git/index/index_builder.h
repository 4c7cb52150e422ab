// Builds the bytes of a tree's index (index_format.h): walks the tree,
// reuses the blocks of blobs the previous index already analysed, and reads
// only the others. Internal to repo_index.cpp; separate to stay readable.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <git2.h>

#include "reviewer/git/index/index_format.h"
#include "reviewer/git/index/repo_index.h"

namespace reviewer::index {

struct BaseBlock {
  Lang lang;
  FileStatus status;
  std::string_view block;
};
// Keyed by the raw 20-byte blob id.
using BaseLookup = std::unordered_map<std::string, BaseBlock>;

// Why a path is skipped before reading, or nullopt-like `indexed`.
FileStatus path_status(std::string_view path, Lang lang, const IndexOptions& options);
// Content checks: binary (a NUL in the first 8000 bytes) or generated markers.
FileStatus content_status(std::string_view content);

// The header's `settings`: what in the options changes an index's content.
std::uint64_t settings_hash(const IndexOptions& options);

// Builds the index and hands its bytes, in order, to `sink` (a file or a
// buffer). Returns the total size.
std::uint64_t build_index(git_repository* repo, git_tree* tree, const std::string& tree_id,
                          const IndexOptions& options, const BaseLookup& base, IndexStats& stats,
                          const std::function<void(std::string_view)>& sink);

}  // namespace reviewer::index
