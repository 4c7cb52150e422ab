// How big and how broad a change is (the "size" object of the JSON output).
#pragma once

#include <string>

namespace reviewer {

struct SizeStats {
  std::string label;       // XS, S, M, L, XL, XXL (Prow's thresholds)
  int lines_added = 0;     // excluded files not counted
  int lines_deleted = 0;
  int files = 0;           // files counted (not excluded)
  int areas = 0;           // distinct top-level areas touched
  int excluded_files = 0;  // generated, vendored and lock files
  bool above_auto_approve_limit = false;
};

// Prow's size label for a number of changed lines (added + deleted):
// XS < 10, S < 30, M < 100, L < 500, XL < 1000, XXL >= 1000.
std::string size_label(int changed_lines);

}  // namespace reviewer
