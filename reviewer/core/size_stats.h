// How big and how broad a change is (the "size" object of the JSON output).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "reviewer/core/diff.h"

namespace reviewer {

struct SizeStats {
  std::string label;       // XS, S, M, L, XL, XXL (Prow's thresholds)
  int lines_added = 0;     // excluded files not counted
  int lines_deleted = 0;
  int files = 0;           // files counted (not excluded)
  int areas = 0;           // distinct top-level areas touched
  int excluded_files = 0;  // generated, vendored and lock files
  bool above_auto_approve_limit = false;
  // Last, so that positional initialisers of the fields above stay right.
  long bytes_changed = 0;  // of the added and deleted lines the diff kept, with their line ends
};

// Above these a bot does not approve on its own (guidance:
// thresholds.auto_approve).
struct AutoApproveLimits {
  int max_lines = 400;   // added + deleted, excluded files not counted
  int max_files = 25;
  int max_areas = 4;
  // Lines are not the only measure: 60 KB of code on three lines is no
  // small change (minified or machine-written code).
  int max_bytes = 40000;  // added + deleted bytes, excluded files not counted
};

// The area of a path: its top-level folder, or "(root)" for files at the
// top. Breadth is how many areas a change touches.
std::string area_of(std::string_view path);

// The bytes of the added and deleted lines `f` holds, each with its line
// end (a truncated file holds fewer than its counts).
long changed_bytes(const FileDiff& f);

// Counts lines, bytes, files and areas of the files of `diff` that are counted:
// not generated, vendored or lock files (FileDiff::excluded) and not
// `excluded`. Labels the size and compares it with `limits`.
SizeStats measure_size(const Diff& diff, const std::function<bool(std::string_view)>& excluded,
                       const AutoApproveLimits& limits);

// Prow's size label for a number of changed lines (added + deleted):
// XS < 10, S < 30, M < 100, L < 500, XL < 1000, XXL >= 1000.
std::string size_label(int changed_lines);

}  // namespace reviewer
