// Keeps a repository's history index (and its risk model) current outside
// any review's deadline: `serve` calls it after each mirror fetch, so the
// history agent finds the index warm and the model retrained on schedule.
#pragma once

#include <filesystem>
#include <string>

#include "guidance/guidance.h"

namespace reviewer {

struct HistoryRefresh {
  std::size_t added = 0;   // commits indexed now
  bool rebuilt = false;
  bool retrained = false;  // the model was stale (history.retrain_hours) and was retrained
  double seconds = 0;
};

// Brings the index of `repo` up to `base_sha` (the base branch's tip) and
// retrains a stale model. Throws reviewer::Error on unreadable repositories
// or invalid history guidance; the review itself then fails closed.
HistoryRefresh refresh_history(const std::filesystem::path& repo, const std::string& base_sha, const Guidance& g);

}  // namespace reviewer
