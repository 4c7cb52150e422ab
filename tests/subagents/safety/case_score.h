// Recall, precision and false-positive rate of a scanner over labelled
// cases, with what it missed and what it flagged wrongly: shared by the
// corpus tests and bench/corpus_bench.
#pragma once

#include <string>
#include <vector>

namespace reviewer::test {

struct CaseScore {
  int positives = 0, found = 0, negatives = 0, false_positives = 0;
  std::vector<std::string> misses, false_alarms;

  // One case: `hit` is the rule that flagged it, empty when none did.
  void add(bool positive, const std::string& hit, const std::string& label) {
    if (positive) {
      ++positives;
      if (!hit.empty()) ++found;
      else misses.push_back(label);
    } else {
      ++negatives;
      if (!hit.empty()) {
        ++false_positives;
        false_alarms.push_back(label + ": " + hit);
      }
    }
  }
  double recall() const { return positives ? double(found) / positives : 1.0; }
  double precision() const { return found + false_positives ? double(found) / (found + false_positives) : 1.0; }
  double fp_rate() const { return negatives ? double(false_positives) / negatives : 0.0; }
};

}  // namespace reviewer::test
