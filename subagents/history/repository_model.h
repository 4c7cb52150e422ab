// Which model scores a repository's changes: its own, trained on its own
// history and retrained on a schedule, or the shipped prior when the
// history is too thin to learn from (and the report says why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "reviewer/git/history/index_view.h"
#include "subagents/history/history_config.h"
#include "subagents/history/risk_model.h"

namespace reviewer::history {

struct ModelChoice {
  RiskModel model;
  std::string note;      // why the prior is used; empty for the repository's own model
  bool trained = false;  // trained (and saved) by this call
};

// The model for `index`, from "<dir>/model.json" when it is fresh (younger
// than cfg.retrain_hours), else trained now and saved there. `retrain`
// forces training. A model that cannot be saved is still used.
// With `as_of` below the index's size (a change based on an older commit),
// a model is trained in memory on what was known then, never saved: labels
// from after the base must not judge it.
ModelChoice current_model(const IndexView& index, const HistoryConfig& cfg, const std::filesystem::path& dir,
                          bool retrain = false, std::size_t as_of = SIZE_MAX);

}  // namespace reviewer::history
