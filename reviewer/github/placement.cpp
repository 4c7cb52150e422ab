#include "reviewer/github/placement.h"

#include <fmt/format.h>

#include "reviewer/github/markdown.h"

namespace reviewer::github {
namespace {

const FileDiff* find_file(const Diff& diff, const std::string& path) {
  for (const auto& f : diff.files) {
    if (f.new_path == path || (f.kind == ChangeKind::deleted && f.old_path == path)) return &f;
  }
  return nullptr;
}

// Index of the hunk holding `line` on the chosen side, or -1. LEFT counts
// only deleted lines of a deleted file; RIGHT counts added and context lines.
int hunk_of(const FileDiff& f, int line, bool left) {
  for (std::size_t h = 0; h < f.hunks.size(); ++h) {
    for (const auto& l : f.hunks[h].lines) {
      if (left ? (l.origin != LineOrigin::added && l.old_line == line)
               : (l.origin != LineOrigin::deleted && l.new_line == line)) {
        return static_cast<int>(h);
      }
    }
  }
  return -1;
}

}  // namespace

std::string comment_body(const Finding& f) {
  std::string body = fmt::format("**{}** `{}`: {}", to_string(f.severity), markdown_escape(f.rule).substr(0, 200),
                                 markdown_escape(f.message));
  if (!f.evidence.empty()) body += fmt::format("\n\nEvidence: {}", markdown_escape(f.evidence));
  if (!f.suggestion.empty()) body += fmt::format("\n\nSuggestion: {}", markdown_escape(f.suggestion));
  body += fmt::format("\n\n<!-- reviewer:finding={} -->", markdown_escape(f.id));
  return body;
}

Placement place_findings(const std::vector<Finding>& findings, const Diff& diff, std::size_t max_comments) {
  Placement out;
  for (const auto& f : findings) {
    if (f.shadow) continue;  // recorded in the audit log only
    const FileDiff* file = f.path.empty() || f.line <= 0 ? nullptr : find_file(diff, f.path);
    // A masked path (it held a secret) names no file GitHub knows.
    if (!file || file->binary || file->path_redacted) {
      out.unplaced.push_back(f);
      continue;
    }
    const bool left = file->kind == ChangeKind::deleted;
    int h = hunk_of(*file, f.line, left);
    if (h < 0) {
      out.unplaced.push_back(f);
      continue;
    }
    if (out.comments.size() >= max_comments) {
      out.unplaced.push_back(f);
      ++out.over_cap;
      continue;
    }
    InlineComment c;
    c.path = file->path();
    c.side = left ? "LEFT" : "RIGHT";
    c.line = f.line;
    // A range only when its end is in the same hunk; else the first line alone.
    if (f.end_line > f.line && hunk_of(*file, f.end_line, left) == h) {
      c.start_line = f.line;
      c.start_side = c.side;
      c.line = f.end_line;
    }
    c.body = comment_body(f);
    c.finding_id = f.id;
    out.comments.push_back(std::move(c));
  }
  return out;
}

}  // namespace reviewer::github
