// Builders for safety agent tests: diffs with added lines, and contexts
// loaded with the shipped guidance.
#pragma once

#include <string>
#include <vector>

#include "guidance/guidance.h"
#include "subagents/agent.h"

namespace reviewer::test {

// A file whose hunk adds `lines`, numbered from `first_line`.
inline FileDiff added_lines(const std::string& path, const std::vector<std::string>& lines,
                            ChangeKind kind = ChangeKind::modified, int first_line = 1) {
  FileDiff fd;
  fd.old_path = kind == ChangeKind::added ? "" : path;
  fd.new_path = path;
  fd.kind = kind;
  fd.old_mode = kind == ChangeKind::added ? 0 : 0100644;
  fd.new_mode = 0100644;
  Hunk h;
  h.new_start = first_line;
  h.new_lines = static_cast<int>(lines.size());
  int n = first_line;
  for (const auto& l : lines) {
    DiffLine dl;
    dl.origin = LineOrigin::added;
    dl.new_line = n++;
    dl.content = l;
    h.lines.push_back(dl);
  }
  fd.additions = static_cast<int>(lines.size());
  fd.hunks.push_back(h);
  own_text(fd);  // the lines viewed the caller's strings
  return fd;
}

inline const Guidance& shipped_guidance() {
  static const Guidance g = load_guidance_texts({});
  return g;
}

inline AgentContext context_with(std::vector<FileDiff> files, std::string title = "Change",
                                 std::string body = "") {
  AgentContext ctx;
  ctx.pr.title = std::move(title);
  ctx.pr.body = std::move(body);
  ctx.diff.files = std::move(files);
  ctx.guidance = shipped_guidance();
  return ctx;
}

}  // namespace reviewer::test
