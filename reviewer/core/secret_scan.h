// The secret values the safety agent's scan found in a change's added lines,
// handed to the pipeline's redactor, so that the change is scanned for
// secrets once instead of twice (on a 57 MB import each scan cost about a
// seventh of the review, and the redactor's ran after every agent).
//
// Written by the safety agent only, on its own thread, while the other
// agents run; read by the redactor once every agent's thread has been
// joined. A file the scan did not finish (a deadline, a file kind safety
// does not read line by line) is not `scanned`: the redactor scans it
// itself, so what leaves is masked whether or not the scan ran.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace reviewer {

struct SecretScan {
  struct File {
    // Every added line of the file was scanned with every secret rule,
    // whatever the rule's languages, paths, `unless` or `requires` (the
    // mask would rather hide a harmless value than show a credential).
    bool scanned = false;
    // Distinct (value, rule name) pairs: what a secret rule found there
    // and judged plausible, at most kMaxValues of them.
    std::vector<std::pair<std::string, std::string>> values;
  };
  // The redactor keeps at most this many values of a whole change.
  static constexpr std::size_t kMaxValues = 256;

  std::string rules_version;  // the rule set that scanned (its guidance version)
  std::vector<File> files;    // parallel to Diff::files
};

}  // namespace reviewer
