#include "reviewer/report/render.h"
#include "reviewer/report/render_risk.h"

#include <fmt/format.h>

namespace reviewer {

std::optional<Format> parse_format(std::string_view s) {
  if (s == "text") return Format::text;
  if (s == "json") return Format::json;
  if (s == "sarif") return Format::sarif;
  if (s == "markdown") return Format::markdown;
  return std::nullopt;
}

namespace {

// Terminal output must not carry control characters from PR content (an
// attacker could rewrite the screen with escape sequences).
std::string printable(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\n    ";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string risk_lines(const Risk& risk) {
  RiskSummary s = summarize_risk(risk);
  std::string out = fmt::format("revert risk: {}\n", printable(s.verdict));
  for (const auto& [label, text] : s.details) out += fmt::format("    {}: {}\n", label, printable(text));
  return out;
}

}  // namespace

std::string render_text(const ReviewResult& r) {
  std::string out;
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) {
      std::string where = f.path.empty() ? std::string("(pull request)") : printable(f.path);
      if (f.line > 0) where += fmt::format(":{}", f.line);
      out += fmt::format("{}: {}{}: {} [{}]\n", where, f.shadow ? "shadow " : "", to_string(f.severity),
                         printable(f.message), f.rule);
      if (!f.evidence.empty()) out += fmt::format("    evidence: {}\n", printable(f.evidence));
      if (!f.suggestion.empty()) out += fmt::format("    suggestion: {}\n", printable(f.suggestion));
    }
  }
  for (const auto& a : r.agents) {
    if (a.status != AgentStatus::ok) {
      out += fmt::format("agent {}: {}: {}\n", a.name, to_string(a.status), printable(a.error));
    }
    // Whatever the decision, say what an agent did not look at.
    if (!a.partial.empty()) out += fmt::format("agent {}: partial: {}\n", a.name, printable(a.partial));
  }
  for (const auto& note : r.diff.notes) out += fmt::format("note: {}\n", printable(note));
  out += fmt::format("size: {} (+{} -{}, {} files, {} areas, {} excluded)\n", r.size.label,
                     r.size.lines_added, r.size.lines_deleted, r.size.files, r.size.areas,
                     r.size.excluded_files);
  if (r.risk) out += risk_lines(*r.risk);
  out += fmt::format("decision: {}\n", to_string(r.decision.kind));
  for (const auto& reason : r.decision.reasons) out += fmt::format("  - {}\n", printable(reason));
  return out;
}

std::string render(const ReviewResult& r, Format f) {
  using nlohmann::json;
  switch (f) {
    case Format::text: return render_text(r);
    case Format::markdown: return render_markdown(r);
    case Format::json: return render_json(r).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    case Format::sarif: return render_sarif(r).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }
  return render_text(r);
}

}  // namespace reviewer
