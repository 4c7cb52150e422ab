// Redaction of what leaves the pipeline for a model provider or the audit
// log's model rows (DESIGN.md: secrets found in diffs never reach a log,
// the audit log, GitHub or a model provider). The model step starts once
// the safety agent is done, so the secrets it found are known.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reviewer/core/agent_report.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/pull_request.h"

namespace reviewer {

class Redactor {
 public:
  // Learns the lines the safety agent flagged as holding a secret.
  Redactor(const std::vector<AgentReport>& agents, const Diff& diff);

  // Every occurrence of a flagged line's content becomes
  // "[redacted: <rule>]", then any remaining long token-like string
  // "[redacted]". Line breaks are kept.
  std::string text(std::string_view s) const;
  // A copy with every line's content (and the PR's title and body) redacted.
  Diff diff(const Diff& d) const;
  PullRequest pr(const PullRequest& p) const;

 private:
  std::vector<std::pair<std::string, std::string>> secret_lines_;  // (trimmed content, rule)
};

}  // namespace reviewer
