#include "subagents/history/learning.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/size_stats.h"

namespace reviewer::history {

namespace {

constexpr double kSecondsPerDay = 86400.0;

std::int64_t days(double d) { return static_cast<std::int64_t>(d * kSecondsPerDay); }

// The approve-share threshold is a quantile of recent scores: experience
// and file histories grow over the years, so old commits score differently
// from what the model will see next.
void use_recent_scores(RiskModel& m, const std::vector<TrainingRow>& rows) {
  const std::size_t n = std::min(rows.size(), std::max<std::size_t>(300, rows.size() / 4));
  m.train_scores.clear();
  for (std::size_t i = rows.size() - n; i < rows.size(); ++i) {
    m.train_scores.push_back(static_cast<float>(m.probability(rows[i].x)));
  }
  std::sort(m.train_scores.begin(), m.train_scores.end());
}

}  // namespace

std::vector<TrainingRow> training_rows(const IndexView& index, std::int64_t as_of, double maturity_days,
                                       std::size_t upto) {
  std::vector<TrainingRow> rows;
  const std::int64_t mature_before = as_of - days(maturity_days);
  for (std::size_t i = 0; i < std::min(upto, index.commit_count()); ++i) {
    const CommitFacts& c = index.commit(i);
    if (c.time >= as_of) break;  // the line is in time order
    if (c.bulk) continue;
    // Known by then in time, and found by one of the first `upto` commits
    // (clocks repeat: a later commit can carry the same second).
    const bool positive = c.positive_at(as_of - 1) && c.positive_within(upto);
    if (!positive && c.time >= mature_before) continue;
    rows.push_back({c.features, positive});
  }
  return rows;
}

RiskModel train_repository_model(const IndexView& index, double maturity_days, long min_positives,
                                 std::size_t as_of) {
  as_of = std::min(as_of, index.commit_count());
  if (as_of == 0) throw Error(Error::Code::invalid_input, "insufficient history: the index is empty");
  const std::int64_t now = index.commit(as_of - 1).time + 1;
  auto rows = training_rows(index, now, maturity_days, as_of);
  long pos = 0;
  for (const auto& r : rows) pos += r.positive ? 1 : 0;
  if (pos < min_positives) {
    throw Error(Error::Code::invalid_input,
                fmt::format("insufficient history: {} labelled reverted or bug-introducing changes (at least {} needed)",
                            pos, min_positives));
  }
  RiskModel m = train_model(rows);
  use_recent_scores(m, rows);
  m.indexed_tip = index.commit_sha(as_of - 1);
  return m;
}

bool labelled_at(const CommitFacts& c, EvalLabel label, std::int64_t t) {
  switch (label) {
    case EvalLabel::revert: return c.reverted_at != 0 && c.reverted_at <= t;
    case EvalLabel::fix: return c.fixed_at != 0 && c.fixed_at <= t;
    case EvalLabel::any: break;
  }
  return c.positive_at(t);  // the label the model is trained on
}

double roc_auc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
  // Mann-Whitney U over average ranks.
  double rank_sum = 0;
  double pos = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i) + static_cast<double>(j) + 1) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (positive[order[k]]) {
        rank_sum += avg_rank;
        pos += 1;
      }
    }
    i = j;
  }
  const double neg = static_cast<double>(scores.size()) - pos;
  if (pos == 0 || neg == 0) return 0.5;
  return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}

EvalResult evaluate(const IndexView& index, const EvalOptions& options) {
  if (index.commit_count() == 0) throw Error(Error::Code::invalid_input, "insufficient history: the index is empty");
  const std::int64_t now = index.commit(index.commit_count() - 1).time + 1;
  const std::int64_t mature_end = now - days(options.maturity_days);
  EvalResult out;
  if (options.split) {
    out.split = *options.split;
  } else {
    std::vector<std::int64_t> mature;
    for (std::size_t i = 0; i < index.commit_count(); ++i) {
      const CommitFacts& c = index.commit(i);
      if (c.time < mature_end) mature.push_back(c.time);
    }
    if (mature.size() < 4) throw Error(Error::Code::invalid_input, "insufficient history: too few mature commits to split");
    out.split = mature[mature.size() * 3 / 4];
  }
  const auto rows = training_rows(index, out.split, options.maturity_days);
  RiskModel model = train_model(rows);
  use_recent_scores(model, rows);
  out.train_rows = model.train_commits;
  out.train_positives = model.train_positives;
  if (options.threshold) {
    out.threshold = *options.threshold;
    out.threshold_source = fmt::format("absolute {:.3f}", *options.threshold);
  } else {
    out.threshold = model.threshold_for_share(options.approve_share);
    out.threshold_source = fmt::format("approve_share {:.2f} of {} training changes", options.approve_share, rows.size());
  }
  std::vector<double> scores;
  std::vector<bool> labels;
  std::vector<EvalBucket> buckets(1);
  buckets[0].name = "all";
  for (const auto& size : {"XS", "S", "M", "L", "XL", "XXL"}) buckets.push_back({size});
  for (std::size_t i = 0; i < index.commit_count(); ++i) {
    const CommitFacts& c = index.commit(i);
    if (c.time < out.split || c.bulk) continue;
    if (c.time >= mature_end) break;  // too young to know whether it went bad
    const double p = model.probability(c.features);
    const bool positive = labelled_at(c, options.label, now);
    scores.push_back(p);
    labels.push_back(positive);
    const bool approved = p <= out.threshold;
    const std::string label = size_label(static_cast<int>(c.features[kLA] + c.features[kLD]));
    for (auto* b : {&buckets[0], &*std::find_if(buckets.begin() + 1, buckets.end(),
                                                [&](const EvalBucket& x) { return x.name == label; })}) {
      (positive ? b->positives : b->negatives) += 1;
      if (approved) (positive ? b->positives_approved : b->negatives_approved) += 1;
    }
  }
  out.test_rows = static_cast<long>(scores.size());
  out.test_positives = buckets[0].positives;
  if (out.test_rows == 0) throw Error(Error::Code::invalid_input, "no mature commits after the split to evaluate");
  out.auc = roc_auc(scores, labels);
  out.buckets = std::move(buckets);
  return out;
}

}  // namespace reviewer::history
