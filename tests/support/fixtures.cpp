#include "support/fixtures.h"

namespace reviewer::test {

FileDiff file_with_lines(const std::string& path, const std::vector<std::string>& added,
                         const std::vector<std::string>& deleted) {
  FileDiff f;
  f.old_path = path;
  f.new_path = path;
  f.kind = ChangeKind::modified;
  f.old_mode = f.new_mode = 0100644;
  Hunk h;
  h.old_start = 1;
  h.new_start = 1;
  h.old_lines = static_cast<int>(deleted.size());
  h.new_lines = static_cast<int>(added.size());
  int n = 1;
  for (const auto& d : deleted) h.lines.push_back({.origin = LineOrigin::deleted, .old_line = n++, .content = d});
  n = 1;
  for (const auto& a : added) h.lines.push_back({.origin = LineOrigin::added, .new_line = n++, .content = a});
  f.additions = static_cast<int>(added.size());
  f.deletions = static_cast<int>(deleted.size());
  f.hunks.push_back(std::move(h));
  own_text(f);  // the lines viewed the caller's strings
  return f;
}

FileDiff file_with_counts(const std::string& path, int added, int deleted) {
  std::vector<std::string> a, d;
  for (int i = 0; i < added; ++i) a.push_back("line " + std::to_string(i));
  for (int i = 0; i < deleted; ++i) d.push_back("old " + std::to_string(i));
  return file_with_lines(path, a, d);
}

Risk sample_risk() {
  Risk k;
  k.probability = 0.4213;
  k.threshold = 0.25;
  k.threshold_source = "approve_share 0.60 of 3412 past changes";
  k.above_threshold = true;
  k.model = "repository";
  k.model_version = "lr-1";
  k.explanation = "first change by @mallory to src/[x].c <b>; reverted 3 times";
  k.features = {{"nf", 12, 0.4},  {"exp", 0, 0.81}, {"sexp", 40, -0.5}, {"la", 120, 0.3},
                {"age", 3, 0.2}, {"fix", 1, 0.1},   {"ndev", 2, 0.05}};
  k.indexed_commit = std::string(40, 'd');
  k.indexed_commits = 3412;
  k.labelled_positives = 56;
  return k;
}

}  // namespace reviewer::test
