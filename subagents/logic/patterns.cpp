#include <set>

#include "subagents/logic/checks.h"

namespace reviewer::logic {

namespace {

std::string_view text_of(const SideLine& l, View v) {
  switch (v) {
    case View::raw: return l.line->content;
    case View::comment: return l.view.comment;
    case View::code: break;
  }
  return l.view.code;
}

bool path_ok(const Pattern& p, const FileView& f) {
  if (p.only_tests && !f.is_test) return false;
  if (p.skip_tests && f.is_test) return false;
  if (!p.paths.empty() && !p.paths.matches(f.path)) return false;
  return p.exclude_paths.empty() || !p.exclude_paths.matches(f.path);
}

bool line_matches(const Pattern& p, const SideLine& l) {
  const std::string_view t = text_of(l, p.view);
  if (t.empty() || !RE2::PartialMatch(t, *p.match)) return false;
  return !p.exclude || !RE2::PartialMatch(t, *p.exclude);
}

// The new-side line nearest after a deletion (where a comment can anchor).
int anchor_line(const HunkView& h, const DiffLine* deleted) {
  int last = h.hunk->new_start;
  bool after = false;
  for (const DiffLine& l : h.hunk->lines) {
    if (&l == deleted) after = true;
    if (l.origin == LineOrigin::deleted) continue;
    if (after) return l.new_line;
    last = l.new_line;
  }
  return last > 0 ? last : 1;
}

void added_side(const Rule& rule, const Pattern& p, const FileView& f, const HunkView& h,
                std::set<int>& seen, std::vector<Finding>& out) {
  for (size_t i = 0; i < h.new_side.size(); ++i) {
    const SideLine& l = h.new_side[i];
    if (l.line->origin != LineOrigin::added || !line_matches(p, l)) continue;
    if (p.next) {
      if (i + 1 >= h.new_side.size() || !h.new_side[i + 1].changed() ||
          !RE2::PartialMatch(text_of(h.new_side[i + 1], p.view), *p.next)) {
        continue;
      }
    }
    if (!seen.insert(l.line->new_line).second) continue;
    out.push_back(make_finding(rule, f.path, l.line->new_line,
                               p.view == View::comment ? l.view.comment : l.view.code));
  }
}

void deleted_side(const Rule& rule, const Pattern& p, const FileView& f, const HunkView& h,
                  std::set<int>& seen, std::vector<Finding>& out) {
  if (h.cut) return;  // its replacement may lie past the cut: unknown, so no finding
  const RE2& replacement = p.unless_added ? *p.unless_added : *p.match;
  bool required = !p.requires_added;
  for (const SideLine& a : h.new_side) {
    if (!a.changed()) continue;
    if (RE2::PartialMatch(text_of(a, p.view), replacement)) return;
    required = required || RE2::PartialMatch(text_of(a, p.view), *p.requires_added);
  }
  if (!required) return;
  if (p.unless_deleted) {
    for (const SideLine& d : h.old_side) {
      if (d.changed() && RE2::PartialMatch(text_of(d, p.view), *p.unless_deleted)) return;
    }
  }
  for (size_t i = 0; i < h.old_side.size(); ++i) {
    const SideLine& l = h.old_side[i];
    if (!l.changed() || !line_matches(p, l)) continue;
    if (p.next && (i + 1 >= h.old_side.size() || !RE2::PartialMatch(text_of(h.old_side[i + 1], p.view), *p.next))) {
      continue;
    }
    int at = anchor_line(h, l.line);
    if (!seen.insert(at).second) continue;
    out.push_back(make_finding(rule, f.path, at, l.view.code,
                               "(removed at line " + std::to_string(l.line->old_line) + " of the base)"));
    return;  // one finding per hunk and rule is enough to point at it
  }
}

// Whether a line of the file's new side that the diff shows (context or
// added) matches `re`: what the change itself lets a rule see of the file.
bool shown(const FileView& f, const RE2& re, View v) {
  for (const HunkView& h : f.hunks) {
    for (const SideLine& l : h.new_side) {
      if (RE2::PartialMatch(text_of(l, v), re)) return true;
    }
  }
  return false;
}

}  // namespace

void run_patterns(const Config& cfg, const FileView& f, std::vector<Finding>& out) {
  for (const Rule& rule : cfg.rules) {
    if (!rule.enabled || rule.patterns.empty() || !rule.applies_to(f.lang)) continue;
    std::set<int> seen;
    for (const Pattern& p : rule.patterns) {
      if (!p.applies_to(f.lang) || !path_ok(p, f)) continue;
      // A deleted file is judged as a whole (test-deleted, the coverage
      // check), never line by line.
      if (f.diff->kind == ChangeKind::deleted) continue;
      if (p.skip_added_files && f.diff->kind == ChangeKind::added) continue;
      if (p.side == Side::added && p.unless_shown && shown(f, *p.unless_shown, p.view)) continue;
      for (const HunkView& h : f.hunks) {
        if (p.side == Side::added) {
          added_side(rule, p, f, h, seen, out);
        } else {
          deleted_side(rule, p, f, h, seen, out);
        }
      }
    }
  }
}

}  // namespace reviewer::logic
