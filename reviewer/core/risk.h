// How likely a change is to be reverted or to introduce a bug, as the
// history agent estimates it from the repository's own past (the "risk"
// object of the JSON output, DESIGN.md policy step 4b).
#pragma once

#include <string>
#include <vector>

namespace reviewer {

// One input of the risk model for this change.
struct RiskFeature {
  std::string name;           // Kamei et al. 2013 name: la, ld, lt, ns, nd, nf, entropy, fix, ndev, age, nuc, exp, rexp, sexp, ...
  double value = 0;           // the raw value (counts, days, 0/1)
  double contribution = 0;    // coefficient x standardised value: > 0 raises the risk
};

struct Risk {
  double probability = 0;     // calibrated probability of a later revert or bug fix
  double threshold = 0;       // above it the policy asks for a person (step 4b)
  std::string threshold_source;  // e.g. "approve_share 0.60 of 3,412 past changes" or "absolute 0.30"
  bool above_threshold = false;
  std::string model;          // "repository" (trained on its own history) or "prior" (shipped)
  std::string model_version;
  std::string explanation;    // the top contributing features in words
  std::vector<RiskFeature> features;  // every feature, largest contribution first
  std::string indexed_commit; // the base-branch commit the history index reached
  long indexed_commits = 0;   // first-parent commits in the index
  long labelled_positives = 0;  // reverted or bug-introducing commits the model learnt from
  std::string note;           // why the prior model was used, or other limits of the estimate
};

}  // namespace reviewer
