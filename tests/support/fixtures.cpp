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
  for (const auto& d : deleted) h.lines.push_back({LineOrigin::deleted, n++, 0, d});
  n = 1;
  for (const auto& a : added) h.lines.push_back({LineOrigin::added, 0, n++, a});
  f.additions = static_cast<int>(added.size());
  f.deletions = static_cast<int>(deleted.size());
  f.hunks.push_back(std::move(h));
  return f;
}

FileDiff file_with_counts(const std::string& path, int added, int deleted) {
  std::vector<std::string> a, d;
  for (int i = 0; i < added; ++i) a.push_back("line " + std::to_string(i));
  for (int i = 0; i < deleted; ++i) d.push_back("old " + std::to_string(i));
  return file_with_lines(path, a, d);
}

}  // namespace reviewer::test
