// The index file: its layout is flat_format.h. Loaded whole for an update
// (FlatIndex read with every section, then decoded); a review whose base is
// indexed reads it in place instead (open_index).
#include <fmt/format.h>

#include "reviewer/core/private_files.h"
#include "reviewer/git/history/flat_index.h"
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

std::filesystem::path index_file(const std::filesystem::path& dir) { return dir / "history.idx"; }

HistoryIndex load_index(const std::filesystem::path& file, std::string* why) {
  auto say = [&](std::string s) {
    if (why) *why = std::move(s);
    return HistoryIndex{};
  };
  std::string reason;
  try {
    const auto flat = FlatIndex::open(file, &reason, /*whole=*/true);
    if (!flat) return say(std::move(reason));
    return flat->decode();
  } catch (const std::exception& e) {  // bad_alloc included: never trusted, rebuilt
    return say(fmt::format("the index file is corrupt ({})", e.what()));
  }
}

void save_index(const HistoryIndex& index, const std::filesystem::path& file) {
  write_private_file(file, encode_index(index));
}

}  // namespace reviewer::history
