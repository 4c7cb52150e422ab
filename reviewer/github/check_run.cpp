#include "reviewer/github/check_run.h"

#include <algorithm>

namespace reviewer::github {

std::string check_conclusion(DecisionKind d, bool human_approved_head) {
  switch (d) {
    case DecisionKind::approve: return "success";
    case DecisionKind::request_changes: return "failure";
    case DecisionKind::comment:
    case DecisionKind::needs_human: return human_approved_head ? "success" : "action_required";
  }
  return "action_required";  // fail closed
}

std::string status_state(DecisionKind d, bool human_approved_head) {
  std::string c = check_conclusion(d, human_approved_head);
  return c == "action_required" ? "pending" : c;
}

std::vector<nlohmann::json> check_annotations(const ReviewResult& r) {
  std::vector<nlohmann::json> out;
  for (const auto& agent : r.agents) {
    for (const auto& f : agent.findings) {
      if (f.shadow || f.path.empty() || f.line <= 0) continue;
      auto file = std::find_if(r.diff.files.begin(), r.diff.files.end(),
                               [&](const FileDiff& d) { return d.new_path == f.path; });
      if (file == r.diff.files.end()) continue;  // deleted or untouched: no line at head to point at
      if (file->path_redacted) continue;         // masked (it held a secret): no file GitHub knows
      const char* level = f.severity == Severity::info      ? "notice"
                          : f.severity == Severity::warning ? "warning"
                                                            : "failure";
      nlohmann::json a = {{"path", f.path},
                          {"start_line", f.line},
                          {"end_line", std::max(f.line, f.end_line)},
                          {"annotation_level", level},
                          {"message", truncate_utf8(f.message.empty() ? f.rule : f.message, 60000)},
                          {"title", truncate_utf8(f.rule, 255)}};
      if (!f.suggestion.empty()) a["raw_details"] = truncate_utf8(f.suggestion, 60000);
      out.push_back(std::move(a));
    }
  }
  return out;
}

std::string truncate_utf8(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  static const std::string note = "\n\n…(truncated)";
  std::size_t cut = max > note.size() ? max - note.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + (max > note.size() ? note : "");
}

}  // namespace reviewer::github
