// The index file: its layout is flat_format.h. Loaded whole for an update
// (FlatIndex read with every section, then decoded); a review whose base is
// indexed reads it in place instead (open_index).
#include <fmt/format.h>

#include <cmath>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/git/history/flat_index.h"
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

// Every id points into its table and every number is usable, or the file
// is refused: the index is read by code that indexes arrays with them.
void validate_index(const HistoryIndex& ix) {
  auto bad = [](const char* what) { throw Error(Error::Code::invalid_input, fmt::format("history index: bad {}", what)); };
  const std::size_t n = ix.commits.size();
  if (ix.tip != (n ? ix.commits.back().sha : std::string())) bad("tip");
  // Ascending (repeats allowed: bounds are what matters to the readers).
  auto commit_list = [&](const std::vector<std::uint32_t>& v, const char* what) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] >= n || (i > 0 && v[i] < v[i - 1])) bad(what);
    }
  };
  for (const auto& c : ix.commits) {
    if (c.author >= ix.authors.size()) bad("author");
    if ((c.reverted_by != CommitRecord::kNone && c.reverted_by >= n) || (c.fixed_by != CommitRecord::kNone && c.fixed_by >= n)) {
      bad("label");
    }
    for (float f : c.features) {
      if (!std::isfinite(f) || f < 0) bad("feature");
    }
  }
  for (const auto& f : ix.files) {
    commit_list(f.commits, "commit list of a file");
    commit_list(f.blamed, "blamed list of a file");
    for (auto a : f.authors) {
      if (a >= ix.authors.size()) bad("file author");
    }
    for (auto o : f.origin) {
      if (o > n) bad("line origin");
    }
  }
  for (const auto& a : ix.authors) {
    commit_list(a.commits, "commit list of an author");
    for (const auto& [file, list] : a.files) {
      if (file >= ix.files.size()) bad("author file");
      commit_list(list, "commit list of an author's file");
    }
    for (const auto& [k, list] : a.folders) commit_list(list, "commit list of an author's folder");
    for (const auto& [k, list] : a.subsystems) commit_list(list, "commit list of an author's subsystem");
  }
  for (const auto& [k, v] : ix.merged_ids) {
    if (v >= n) bad("merge");
  }
  for (const auto* ids : {&ix.file_ids, &ix.former_ids}) {
    for (const auto& [k, v] : *ids) {
      if (v >= ix.files.size()) bad("path");
    }
  }
  for (const auto& [k, v] : ix.commit_ids) {
    if (v >= n) bad("commit id");
  }
  for (const auto& [k, v] : ix.author_ids) {
    if (v >= ix.authors.size()) bad("author id");
  }
}

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
