// The index file: its layout is flat_format.h. Loaded whole for an update
// (FlatIndex read with every section, then decoded); a review whose base is
// indexed reads it in place instead (open_index), and an update right after
// such a review reads only the sections the review did not.
#include <fmt/format.h>

#include <functional>

#include "reviewer/core/private_files.h"
#include "reviewer/git/history/flat_index.h"
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

std::filesystem::path index_file(const std::filesystem::path& dir) { return dir / "history.idx"; }

namespace {

// The index `read` reads whole, decoded; else an empty index, and `why`
// says why.
HistoryIndex decoded(const std::function<std::unique_ptr<FlatIndex>(std::string* why)>& read, std::string* why) {
  std::string reason;
  try {
    const auto flat = read(&reason);
    if (flat) return flat->decode();
  } catch (const std::exception& e) {  // bad_alloc included: never trusted, rebuilt
    reason = fmt::format("the index file is corrupt ({})", e.what());
  }
  if (why) *why = std::move(reason);
  return {};
}

}  // namespace

HistoryIndex load_index(const std::filesystem::path& file, std::string* why) {
  return decoded([&](std::string* reason) { return FlatIndex::open(file, reason, /*whole=*/true); }, why);
}

HistoryIndex load_index(const FlatIndex& opened, const std::filesystem::path& file, std::string* why) {
  if (opened.stamp() != stamp_of(file)) return load_index(file, why);
  return decoded([&](std::string* reason) { return opened.completed(file, reason); }, why);
}

void save_index(const HistoryIndex& index, const std::filesystem::path& file) {
  write_private_file(file, encode_index(index));
}

}  // namespace reviewer::history
