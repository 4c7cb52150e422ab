#include "reviewer/core/size_stats.h"

#include <set>

namespace reviewer {

std::string area_of(std::string_view path) {
  auto slash = path.find('/');
  return slash == std::string_view::npos ? std::string("(root)") : std::string(path.substr(0, slash));
}

long changed_bytes(const FileDiff& f) {
  long n = 0;
  for (const Hunk& h : f.hunks) {
    for (const DiffLine& l : h.lines) {
      if (l.origin != LineOrigin::context) n += static_cast<long>(l.content.size()) + 1;
    }
  }
  return n;
}

SizeStats measure_size(const Diff& diff, const std::function<bool(std::string_view)>& excluded,
                       const AutoApproveLimits& limits) {
  SizeStats s;
  std::set<std::string> areas;
  for (const auto& f : diff.files) {
    if (f.excluded() || excluded(f.path())) {
      s.excluded_files += 1;
      continue;
    }
    s.files += 1;
    s.lines_added += f.additions;
    s.lines_deleted += f.deletions;
    s.bytes_changed += changed_bytes(f);
    areas.insert(area_of(f.path()));
  }
  s.areas = static_cast<int>(areas.size());
  s.label = size_label(s.lines_added + s.lines_deleted);
  s.above_auto_approve_limit = s.lines_added + s.lines_deleted > limits.max_lines || s.files > limits.max_files ||
                               s.areas > limits.max_areas || s.bytes_changed > limits.max_bytes;
  return s;
}

}  // namespace reviewer
