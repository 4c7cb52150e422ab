// What an agent reports: one problem, at one place, under one rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace reviewer {

enum class Severity { info, warning, error, critical };

std::string_view to_string(Severity s);
// Parses "info|warning|error|critical"; nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view s);

struct Finding {
  std::string id;          // stable across pushes: see make_finding_id
  std::string rule;        // e.g. "safety/secret/aws-access-key", "size/split"
  Severity severity = Severity::info;
  std::string path;        // empty for PR-level findings (title, body, size)
  int line = 0;            // new-side line; 0 when not tied to a line
  int end_line = 0;
  std::string message;
  std::string evidence;    // already redacted by the agent: never a raw secret
  std::string suggestion;
  // From a rule in `shadow` state: recorded in the audit log, never posted
  // and never counted by the policy (a team watches its false positives
  // before switching it on).
  bool shadow = false;
};

// A stable identifier: a hash of the rule, the path and the line's content
// with whitespace collapsed, so a finding keeps its id when unrelated lines
// above it move. 16 hex characters.
std::string make_finding_id(std::string_view rule, std::string_view path,
                            std::string_view line_content);

}  // namespace reviewer
