// MemoryIndex: IndexView over a HistoryIndex in memory.
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

namespace {

template <class Map>
auto find_in(const Map& m, std::string_view key) {
  return m.find(std::string(key));
}

}  // namespace

std::optional<std::uint32_t> MemoryIndex::commit_id(std::string_view sha) const {
  auto it = find_in(ix_.commit_ids, sha);
  if (it == ix_.commit_ids.end()) return std::nullopt;
  return it->second;
}

bool MemoryIndex::merged(std::string_view sha) const { return find_in(ix_.merged_ids, sha) != ix_.merged_ids.end(); }

std::optional<FileFacts> MemoryIndex::file_as_of(std::string_view path, std::size_t as_of) const {
  const FileState* fs = ix_.file_as_of(path, as_of);
  if (!fs) return std::nullopt;
  return FileFacts{static_cast<std::uint32_t>(fs - ix_.files.data()), fs->commits, fs->authors, fs->last_time, fs->fixes,
                   fs->reverts, fs->lines};
}

std::optional<std::uint32_t> MemoryIndex::author_id(std::string_view key) const {
  auto it = find_in(ix_.author_ids, key);
  if (it == ix_.author_ids.end()) return std::nullopt;
  return it->second;
}

std::span<const std::uint32_t> MemoryIndex::author_file_commits(std::uint32_t author, std::uint32_t file) const {
  const auto& files = ix_.authors[author].files;
  auto it = files.find(file);
  if (it == files.end()) return {};
  return it->second;
}

std::span<const std::uint32_t> MemoryIndex::author_subsystem_commits(std::uint32_t author, std::string_view subsystem) const {
  const auto& subsystems = ix_.authors[author].subsystems;
  auto it = find_in(subsystems, subsystem);
  if (it == subsystems.end()) return {};
  return it->second;
}

}  // namespace reviewer::history
