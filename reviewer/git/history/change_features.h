// The features of one change against the history before it: used for every
// commit as it is indexed and for a pull request under review, so the model
// sees the same thing in training and in use. `as_of` is the number of
// first-parent commits the change comes after: everything later is ignored,
// so a change whose base is older than the index's tip sees only its past.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reviewer/git/history/features.h"
#include "reviewer/git/history/index_view.h"

namespace reviewer::history {

struct ChangedFile {
  std::string old_path, new_path;  // empty when added / deleted
  int added = 0, deleted = 0;
  std::optional<std::uint32_t> old_lines;  // lines before the change; unset: the index's count
  const std::string& path() const { return new_path.empty() ? old_path : new_path; }
};

struct ChangeShape {
  std::int64_t time = 0;
  std::optional<std::uint32_t> author;  // empty: someone the history has never seen
  bool fix = false;
  std::vector<ChangedFile> files;
};

FeatureVector change_features(const IndexView& index, const ChangeShape& change, std::size_t as_of);

// What a file's history looked like before commit `as_of` (views into the
// index's own lists where it can: valid while the index is).
struct FileView {
  std::span<const std::uint32_t> commits;  // ascending, all < as_of
  std::span<const std::uint32_t> authors;  // distinct, ascending
  std::int64_t last_time = 0;
  std::uint32_t fixes = 0, reverts = 0;
  std::vector<std::uint32_t> own_authors;  // storage when recounted
};
FileView file_view(const IndexView& index, const FileFacts& file, std::size_t as_of);

// The prefix of an ascending list of commit indices below `as_of`.
std::size_t count_before(std::span<const std::uint32_t> commits, std::size_t as_of);

}  // namespace reviewer::history
