#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "reviewer/report/render.h"
#include "reviewer/report/render_risk.h"

namespace reviewer {

std::string markdown_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#':
      case '~': case '!':
        out += '\\';
        out += c;
        break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '@': out += "&#64;"; break;
      case '\n': case '\r': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

const char* decision_title(DecisionKind d) {
  switch (d) {
    case DecisionKind::approve: return "✅ Approve";
    case DecisionKind::comment: return "💬 Comment";
    case DecisionKind::request_changes: return "❌ Request changes";
    case DecisionKind::needs_human: return "🧑 Needs human review";
  }
  return "Needs human review";
}

// Short on purpose: the verdict, the model and its limits, and the few
// features that raised the risk most. Every sentence carries text from the
// agent (paths, the threshold's source), so every sentence is escaped.
std::string risk_section(const Risk& risk) {
  RiskSummary s = summarize_risk(risk);
  std::string out = fmt::format("\n### Revert risk\n\n{}\n\n", markdown_escape(s.verdict));
  for (auto& [label, text] : s.details) {
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    out += fmt::format("- {}: {}\n", label, markdown_escape(text));
  }
  return out;
}

}  // namespace

std::string render_markdown(const ReviewResult& r) {
  std::string out = fmt::format("## reviewer: {}\n\n", decision_title(r.decision.kind));
  for (const auto& reason : r.decision.reasons) out += fmt::format("- {}\n", markdown_escape(reason));
  if (r.mode != Mode::active && r.decision.kind == DecisionKind::approve) {
    out += fmt::format("\n_Mode `{}`: recorded as \"would approve\"; nothing was approved._\n", to_string(r.mode));
  }

  out += fmt::format("\n**Size:** {} (+{} −{}, {} files, {} areas{})\n\n", r.size.label,
                     r.size.lines_added, r.size.lines_deleted, r.size.files, r.size.areas,
                     r.size.excluded_files ? fmt::format(", {} excluded", r.size.excluded_files) : "");

  out += "| Agent | Status | Findings | Time |\n|---|---|---|---|\n";
  for (const auto& a : r.agents) {
    auto shown = std::count_if(a.findings.begin(), a.findings.end(), [](const Finding& f) { return !f.shadow; });
    out += fmt::format("| {} | {} | {} | {} ms |\n", a.name, to_string(a.status), shown, a.duration_ms);
  }
  // Whatever the decision, say what an agent did not look at.
  for (const auto& a : r.agents) {
    if (!a.partial.empty()) out += fmt::format("\n_Agent {} reviewed part of the change: {}_\n", a.name, markdown_escape(a.partial));
  }

  bool any = false;
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) any = any || !f.shadow;
  }
  if (any) {
    out += "\n### Findings\n\n";
    for (const auto& a : r.agents) {
      for (const auto& f : a.findings) {
        if (f.shadow) continue;  // shadow rules are never posted
        std::string where = f.path.empty() ? "pull request" : markdown_escape(f.path);
        if (f.line > 0) where += fmt::format(":{}", f.line);
        out += fmt::format("- **{}** {} — {} (`{}`, id `{}`)\n", to_string(f.severity), where,
                           markdown_escape(f.message), f.rule, f.id);
        if (!f.evidence.empty()) out += fmt::format("  - Evidence: {}\n", markdown_escape(f.evidence));
        if (!f.suggestion.empty()) out += fmt::format("  - Suggestion: {}\n", markdown_escape(f.suggestion));
      }
    }
  }

  if (r.risk) out += risk_section(*r.risk);

  out += "\n### Walkthrough\n\n";
  if (!r.model_walkthrough.empty()) {
    // Model text is untrusted: escaped like PR text, and labelled.
    for (const auto& bullet : r.model_walkthrough) out += fmt::format("- {}\n", markdown_escape(bullet));
    out += "\n_Written by a language model from the diff; it cannot approve or change findings._\n";
  } else if (!r.walkthrough.empty()) {
    out += r.walkthrough;  // built by reviewer from the diff, already escaped
    if (out.back() != '\n') out += '\n';
  } else if (r.diff.files.empty()) {
    out += "Empty change: nothing to review.\n";
  } else {
    constexpr size_t kMaxFiles = 50;
    for (size_t i = 0; i < r.diff.files.size() && i < kMaxFiles; ++i) {
      const auto& f = r.diff.files[i];
      out += fmt::format("- {} (+{} −{})\n", markdown_escape(f.path()), f.additions, f.deletions);
    }
    if (r.diff.files.size() > kMaxFiles) {
      out += fmt::format("- … and {} more files\n", r.diff.files.size() - kMaxFiles);
    }
  }
  for (const auto& note : r.diff.notes) out += fmt::format("\n> Note: {}\n", markdown_escape(note));

  out += fmt::format(
      "\n<sub>Finding ids feed `/feedback helpful <id>` and `/feedback unhelpful <id>`. "
      "Comment `/human-review` to take this PR out of auto-approval. "
      "Audit run `{}` · guidance `{}` · reviewer {} · {} mode</sub>\n",
      r.run_id, r.guidance_version.substr(0, 12), r.reviewer_version, to_string(r.mode));
  return out;
}

}  // namespace reviewer
