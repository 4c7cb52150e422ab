// The revert-risk model: logistic regression over the just-in-time
// features (log-scaled counts, standardised), fitted by Newton's method with
// a small L2 penalty. Unweighted, so its output is a probability calibrated
// on the repository's own history. Saved as JSON next to the history index.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/git/history/features.h"

namespace reviewer::history {

// Bumped when the transform or the file format changes: a model of
// another version is retrained.
inline constexpr int kModelVersion = 3;

struct RiskModel {
  int version = kModelVersion;
  std::string kind = "repository";   // "repository" or "prior"
  std::array<double, kFeatureCount> mean{}, scale{}, weight{};
  double bias = 0;
  // Training facts, for reports and the retraining schedule.
  std::string trained_at;            // UTC ISO 8601
  std::string indexed_tip;           // the index tip it was trained on
  long train_commits = 0, train_positives = 0;
  // Predicted probabilities of the training commits, sorted: the
  // approve-share threshold is a quantile of them.
  std::vector<float> train_scores;

  // The model's input for a feature vector: log1p of counts, standardised.
  std::array<double, kFeatureCount> standardise(const FeatureVector& x) const;
  double probability(const FeatureVector& x) const;
  // weight x standardised value, per feature: what pushed the score.
  std::array<double, kFeatureCount> contributions(const FeatureVector& x) const;
  // The probability below which `share` of the training commits fall.
  double threshold_for_share(double share) const;

  nlohmann::json to_json() const;
  static RiskModel from_json(const nlohmann::json& j);  // throws reviewer::Error
};

struct TrainingRow {
  FeatureVector x{};
  bool positive = false;
};

// Fits a model; throws reviewer::Error when rows hold no positive or no
// negative example.
RiskModel train_model(const std::vector<TrainingRow>& rows, double l2 = 1.0);

// The shipped prior, for repositories with too little history of their own.
RiskModel prior_model();

// The model file in an index directory, and its load/save. load returns
// nullopt when there is none or it is unreadable or of another version.
std::filesystem::path model_file(const std::filesystem::path& dir);
std::optional<RiskModel> load_model(const std::filesystem::path& file);
void save_model(const RiskModel& m, const std::filesystem::path& file);

}  // namespace reviewer::history
