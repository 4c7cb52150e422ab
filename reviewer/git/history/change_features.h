// The features of one change against the history before it: used for every
// commit as it is indexed and for a pull request under review, so the model
// sees the same thing in training and in use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reviewer/git/history/features.h"
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

struct ChangedFile {
  std::string old_path, new_path;  // empty when added / deleted
  int added = 0, deleted = 0;
  const std::string& path() const { return new_path.empty() ? old_path : new_path; }
};

struct ChangeShape {
  std::int64_t time = 0;
  std::optional<std::uint32_t> author;  // empty: someone the history has never seen
  bool fix = false;
  std::vector<ChangedFile> files;
};

FeatureVector change_features(const HistoryIndex& index, const ChangeShape& change);

}  // namespace reviewer::history
