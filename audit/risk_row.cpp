#include "audit/risk_row.h"

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace reviewer::audit {

namespace {

// A probability as the INTEGER millionths the log stores (the chain hashes
// no REAL). NULL for a NaN, an infinity or a value no probability can have,
// which a faulty model might give: llround would make those up.
Value micro(double p) {
  if (!(std::fabs(p) <= 1e6)) return Value{};
  return Value{static_cast<std::int64_t>(std::llround(p * 1e6))};
}

std::string features_json(const Risk& risk) {
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : risk.features) {
    features.push_back({{"name", f.name}, {"value", f.value}, {"contribution", f.contribution}});
  }
  return features.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void append_risk(ChainWriter& w, const std::string& run_id, const Risk& risk) {
  auto row = w.row("review_risk");
  row.set("run_id", run_id)
      .set("probability_micro", micro(risk.probability))
      .set("threshold_micro", micro(risk.threshold))
      .set("threshold_source", risk.threshold_source)
      .set("above_threshold", risk.above_threshold)
      .set("model", risk.model)
      .set("model_version", risk.model_version)
      .set("explanation", risk.explanation)
      .set("features", features_json(risk))
      .set("indexed_commit", risk.indexed_commit)
      .set("indexed_commits", std::int64_t{risk.indexed_commits})
      .set("labelled_positives", std::int64_t{risk.labelled_positives})
      .set("note", risk.note);
  w.append(row);
}

}  // namespace reviewer::audit
