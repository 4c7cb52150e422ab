// The history agent: how likely this change is to be reverted or to need a
// fix, learnt from the repository's own past (see README.md beside this
// file). Its risk feeds policy step 4b; its finding `history/high-risk`
// says why in words.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "guidance/guidance.h"
#include "subagents/agent.h"

namespace reviewer {

std::unique_ptr<Agent> make_history_agent();

// Keeps a repository's history index (and its risk model) current outside
// any review's deadline: `serve` calls it after each mirror fetch, so the
// agent finds the index in memory and the model retrained on schedule.
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
