#include "reviewer/report/render_risk.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace reviewer {

namespace {

std::string percent(double probability) { return fmt::format("{:.1f}%", probability * 100); }

// Largest contribution first whatever order the agent gave; a NaN (a model
// bug) sorts last instead of breaking the ordering stable_sort needs.
std::vector<RiskFeature> top_features(const Risk& risk, std::size_t n) {
  auto key = [](const RiskFeature& f) {
    return std::isnan(f.contribution) ? -std::numeric_limits<double>::infinity() : f.contribution;
  };
  std::vector<RiskFeature> out = risk.features;
  std::stable_sort(out.begin(), out.end(),
                   [&](const RiskFeature& a, const RiskFeature& b) { return key(a) > key(b); });
  if (out.size() > n) out.resize(n);
  return out;
}

}  // namespace

nlohmann::json risk_json(const Risk& risk) {
  using nlohmann::json;
  json features = json::array();
  for (const auto& f : risk.features) {
    features.push_back({{"name", f.name}, {"value", f.value}, {"contribution", f.contribution}});
  }
  return {{"probability", risk.probability},
          {"threshold", risk.threshold},
          {"threshold_source", risk.threshold_source},
          {"above_threshold", risk.above_threshold},
          {"model", risk.model},
          {"model_version", risk.model_version},
          {"explanation", risk.explanation},
          {"features", std::move(features)},
          {"indexed_commit", risk.indexed_commit},
          {"indexed_commits", risk.indexed_commits},
          {"labelled_positives", risk.labelled_positives},
          {"note", risk.note}};
}

RiskSummary summarize_risk(const Risk& risk) {
  constexpr std::size_t kTopFeatures = 5;
  RiskSummary s;
  s.verdict = fmt::format("{} chance of a revert or bug fix, {} the threshold of {}", percent(risk.probability),
                          risk.above_threshold ? "above" : "below", percent(risk.threshold));
  if (!risk.threshold_source.empty()) s.verdict += fmt::format(" ({})", risk.threshold_source);
  if (risk.above_threshold) s.verdict += ": a person should review this change";
  std::string model = fmt::format("{} model{}; history index: {} commits", risk.model.empty() ? "unnamed" : risk.model,
                                  risk.model_version.empty() ? "" : " " + risk.model_version, risk.indexed_commits);
  if (!risk.indexed_commit.empty()) model += fmt::format(" up to {}", risk.indexed_commit.substr(0, 12));
  model += fmt::format(", {} labelled reverted or bug-introducing", risk.labelled_positives);
  s.details.emplace_back("model", std::move(model));
  if (!risk.explanation.empty()) s.details.emplace_back("why", risk.explanation);
  if (!risk.note.empty()) s.details.emplace_back("note", risk.note);
  std::string features;
  for (const auto& f : top_features(risk, kTopFeatures)) {
    features += fmt::format("{}{} {:g} ({:+.2f})", features.empty() ? "" : ", ", f.name, f.value, f.contribution);
  }
  if (!features.empty()) s.details.emplace_back("top features", std::move(features));
  return s;
}

}  // namespace reviewer
