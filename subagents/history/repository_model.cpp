#include "subagents/history/repository_model.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"
#include "reviewer/core/utc_time.h"
#include "subagents/history/learning.h"

namespace reviewer::history {

namespace {

// Seconds since a "YYYY-MM-DDTHH:MM:SSZ" time; a huge number when it does
// not parse (so the model counts as stale).
double age_seconds(const std::string& iso) {
  const auto then = parse_utc_iso8601(iso);
  if (!then) return 1e18;
  return std::chrono::duration<double>(std::chrono::system_clock::now() - *then).count();
}

ModelChoice prior(std::string note) {
  ModelChoice c;
  c.model = prior_model();
  c.note = std::move(note);
  return c;
}

}  // namespace

ModelChoice current_model(const IndexView& index, const HistoryConfig& cfg, const std::filesystem::path& dir,
                          bool retrain, std::size_t as_of) {
  as_of = std::min(as_of, index.commit_count());
  const bool past = as_of < index.commit_count();
  if (index.shallow()) {
    return prior("insufficient history: the repository's history is shallow or grafted, so reverts and fixes "
                 "before its cut are unknown; the shipped prior model was used");
  }
  if (static_cast<long>(as_of) < cfg.min_commits) {
    return prior(fmt::format("insufficient history: {} commit{} on the default branch (at least {} needed); "
                             "the shipped prior model was used",
                             as_of, as_of == 1 ? "" : "s", cfg.min_commits));
  }
  const auto file = model_file(dir);
  if (!retrain && !past) {
    if (auto m = load_model(file); m && m->kind == "repository" && age_seconds(m->trained_at) < cfg.retrain_hours * 3600) {
      return ModelChoice{std::move(*m), "", false};
    }
  }
  ModelChoice c;
  try {
    c.model = train_repository_model(index, cfg.label_maturity_days, cfg.min_positives, as_of);
  } catch (const Error& e) {
    return prior(fmt::format("{}; the shipped prior model was used", e.what()));
  }
  c.model.trained_at = utc_now_iso8601();
  c.trained = true;
  if (past) return c;
  try {
    save_model(c.model, file);
  } catch (const Error&) {
    // Unsaved, the model still judges this review; the next one retrains.
  }
  return c;
}

}  // namespace reviewer::history
