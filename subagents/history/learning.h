// What the risk model learns from, and how well it does: training sets cut
// at a point in time (no label from after it leaks in), and the time-split
// evaluation of `reviewer risk eval`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reviewer/git/history/index_view.h"
#include "subagents/history/risk_model.h"

namespace reviewer::history {

// Rows as they were known at `as_of`: commits that landed before it (bulk
// imports aside), positive when reverted or blamed by a fix before it.
// Commits younger than `maturity_days` at `as_of` are never negatives: their
// revert or fix may simply not have happened yet.
// Only the first `upto` commits of the line are considered.
std::vector<TrainingRow> training_rows(const IndexView& index, std::int64_t as_of, double maturity_days,
                                       std::size_t upto = SIZE_MAX);

// The repository's own model, trained on everything known just after the
// first `as_of` commits (all of them by default). Throws reviewer::Error
// when there is too little to learn from (fewer than `min_positives`
// labelled positives).
RiskModel train_repository_model(const IndexView& index, double maturity_days, long min_positives,
                                 std::size_t as_of = SIZE_MAX);

struct EvalBucket {
  std::string name;        // "all", or a size label XS..XXL
  long positives = 0, negatives = 0;
  long positives_approved = 0, negatives_approved = 0;
  double share_a() const { return positives ? double(positives_approved) / double(positives) : 0; }
  double share_b() const { return negatives ? double(negatives_approved) / double(negatives) : 0; }
};

struct EvalResult {
  std::int64_t split = 0;
  long train_rows = 0, train_positives = 0;
  long test_rows = 0, test_positives = 0;
  double auc = 0;
  double threshold = 0;
  std::string threshold_source;
  std::vector<EvalBucket> buckets;  // "all" first, then by size
};

// What counts as a bad change on the test side of an evaluation (the model
// is trained on `any` whatever this says): reverted or blamed by a fix
// (`any`, what the model learns), reverted only (`revert`: a later commit
// reverted it), or blamed by a fix only (`fix`, SZZ). The others are every
// other change, so under `revert` a change a fix blamed counts as an other.
enum class EvalLabel { any, revert, fix };

// Whether `c` is a bad change under `label`, by what was known at time `t`.
bool labelled_at(const CommitFacts& c, EvalLabel label, std::int64_t t);

struct EvalOptions {
  std::optional<std::int64_t> split;   // default: 75% of the mature history before it
  EvalLabel label = EvalLabel::any;
  double maturity_days = 90;
  double approve_share = 0.6;
  std::optional<double> threshold;     // an absolute probability instead of the share
};

// Trains on commits before the split (labels known then), scores the mature
// commits after it against every label known now. Throws reviewer::Error
// when either side is empty or has no positive.
EvalResult evaluate(const IndexView& index, const EvalOptions& options);

// The area under the ROC curve (ties count half).
double roc_auc(const std::vector<double>& scores, const std::vector<bool>& positive);

}  // namespace reviewer::history
