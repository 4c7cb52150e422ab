#include "reviewer/report/render.h"
#include "reviewer/report/render_risk.h"

namespace reviewer {

nlohmann::json render_json(const ReviewResult& r) {
  using nlohmann::json;
  json agents = json::array();
  for (const auto& a : r.agents) {
    json findings = json::array();
    for (const auto& f : a.findings) {
      json jf = {{"id", f.id},
                          {"rule", f.rule},
                          {"severity", to_string(f.severity)},
                          {"path", f.path},
                          {"line", f.line},
                          {"end_line", f.end_line},
                          {"message", f.message},
                          {"evidence", f.evidence},
                          {"suggestion", f.suggestion}};
      if (f.shadow) jf["shadow"] = true;
      findings.push_back(std::move(jf));
    }
    json agent = {{"name", a.name},
                  {"status", to_string(a.status)},
                  {"duration_ms", a.duration_ms},
                  {"findings", std::move(findings)}};
    if (!a.error.empty()) agent["error"] = a.error;
    if (!a.partial.empty()) agent["partial"] = a.partial;
    agents.push_back(std::move(agent));
  }
  json out = {
      {"run_id", r.run_id},
      {"decision", to_string(r.decision.kind)},
      {"reasons", r.decision.reasons},
      {"auto_approve", {{"allowed", r.auto_approve.allowed}, {"reason", r.auto_approve.reason}}},
      {"pr", {{"title", r.pr.title}, {"base", r.pr.base_sha}, {"head", r.pr.head_sha}}},
      {"size",
       {{"label", r.size.label},
        {"lines_added", r.size.lines_added},
        {"lines_deleted", r.size.lines_deleted},
        {"files", r.size.files},
        {"areas", r.size.areas},
        {"excluded_files", r.size.excluded_files}}},
      {"agents", std::move(agents)},
      {"notes", r.diff.notes},
      {"guidance_version", r.guidance_version},
      {"reviewer_version", r.reviewer_version},
  };
  // Always present: null says this run has no estimate (the history agent
  // did not judge), where a missing key would say the reviewer predates it.
  out["risk"] = r.risk ? risk_json(*r.risk) : json(nullptr);
  if (!r.model_walkthrough.empty()) out["model_walkthrough"] = r.model_walkthrough;
  if (r.model) {
    out["model"] = {{"used", r.model->used},
                    {"calls", r.model->calls},
                    {"failures", r.model->failures},
                    {"tokens_in", r.model->tokens_in},
                    {"tokens_out", r.model->tokens_out},
                    {"cost_usd", r.model->cost_usd},
                    {"unavailable", r.model->unavailable}};
  }
  return out;
}

}  // namespace reviewer
