#include <map>

#include <fmt/format.h>

#include "reviewer/report/render.h"
#include "reviewer/report/render_risk.h"

namespace reviewer {

namespace {

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::critical:
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::info: return "note";
  }
  return "note";
}

// A repository path as a relative URI reference: RFC 3986 unreserved
// characters and "/" stay, everything else (spaces, unicode bytes, "%",
// "#", "?") is percent-encoded.
std::string path_uri(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

nlohmann::json render_sarif(const ReviewResult& r) {
  using nlohmann::json;
  json rules = json::array();
  std::map<std::string, size_t> rule_index;
  json results = json::array();
  for (const auto& a : r.agents) {
    for (const auto& f : a.findings) {
      if (f.shadow) continue;  // shadow rules are never published
      auto [it, inserted] = rule_index.emplace(f.rule, rules.size());
      if (inserted) {
        rules.push_back({{"id", f.rule},
                         {"shortDescription", {{"text", f.rule}}},
                         {"defaultConfiguration", {{"level", sarif_level(f.severity)}}},
                         {"properties", {{"agent", a.name}}}});
      }
      std::string text = f.message;
      if (!f.evidence.empty()) text += " Evidence: " + f.evidence;
      if (!f.suggestion.empty()) text += " Suggestion: " + f.suggestion;
      json result = {{"ruleId", f.rule},
                     {"ruleIndex", it->second},
                     {"level", sarif_level(f.severity)},
                     {"message", {{"text", text}}},
                     {"partialFingerprints", {{"reviewerFindingId/v1", f.id}}},
                     {"properties", {{"severity", to_string(f.severity)}, {"findingId", f.id}}}};
      if (!f.path.empty()) {
        json physical = {{"artifactLocation", {{"uri", path_uri(f.path)}, {"uriBaseId", "%SRCROOT%"}}}};
        if (f.line > 0) {
          json region = {{"startLine", f.line}};
          if (f.end_line >= f.line) region["endLine"] = f.end_line;
          physical["region"] = region;
        }
        result["locations"] = json::array({{{"physicalLocation", physical}}});
      }
      results.push_back(std::move(result));
    }
  }
  json invocation = {{"executionSuccessful", true}};
  json notifications = json::array();
  for (const auto& a : r.agents) {
    if (a.status != AgentStatus::ok) {
      notifications.push_back({{"level", "error"},
                               {"message", {{"text", fmt::format("agent {} {}: {}", a.name,
                                                                 to_string(a.status), a.error)}}}});
    }
  }
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  json properties = {{"decision", to_string(r.decision.kind)},
                     {"baseSha", r.pr.base_sha},
                     {"headSha", r.pr.head_sha},
                     {"reasons", r.decision.reasons},
                     {"guidanceVersion", r.guidance_version}};
  // The JSON contract's object as is, so one parser reads both outputs.
  if (r.risk) properties["risk"] = risk_json(*r.risk);
  return {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array({{
           {"tool",
            {{"driver",
              {{"name", "reviewer"},
               {"version", r.reviewer_version},
               {"semanticVersion", r.reviewer_version},
               {"rules", rules}}}}},
           {"automationDetails", {{"id", fmt::format("reviewer/{}", r.run_id)}}},
           {"invocations", json::array({invocation})},
           {"results", results},
           {"properties", std::move(properties)},
       }})},
  };
}

}  // namespace reviewer
