// The history agent's settings: the guidance section "history"
// (guidance/default/history.yml documents every key).
#pragma once

#include <optional>

#include "guidance/guidance.h"
#include "reviewer/git/history/classify.h"

namespace reviewer::history {

struct HistoryConfig {
  // The risk threshold: the probability below which this share of the
  // repository's recent past changes fall...
  double approve_share = 0.6;
  // ...or an absolute probability, which wins when set.
  std::optional<double> threshold;
  double label_maturity_days = 90;  // younger commits are never negatives
  long min_positives = 30;          // fewer: the shipped prior model
  long min_commits = 200;           // fewer indexed commits: the prior too
  double retrain_hours = 24;        // a repository model older than this is retrained
  bool first_change = true;         // history/first-change: the author's first change here
  Classifier classifier;            // history.fix
};

// Reads and checks the section; throws reviewer::Error naming the key.
HistoryConfig load_history_config(const Guidance& g);

}  // namespace reviewer::history
