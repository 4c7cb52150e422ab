#include "audit/risk_row.h"

#include "audit/rows.h"

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

RowValues risk_row(const std::string& run_id, const Risk& risk) {
  return {"review_risk",
          {{"run_id", run_id}, {"probability_micro", micro(risk.probability)},
           {"threshold_micro", micro(risk.threshold)}, {"threshold_source", risk.threshold_source},
           {"above_threshold", std::int64_t{risk.above_threshold}}, {"model", risk.model},
           {"model_version", risk.model_version}, {"explanation", risk.explanation},
           {"features", features_json(risk)}, {"indexed_commit", risk.indexed_commit},
           {"indexed_commits", std::int64_t{risk.indexed_commits}},
           {"labelled_positives", std::int64_t{risk.labelled_positives}}, {"note", risk.note}}};
}

}  // namespace reviewer::audit
