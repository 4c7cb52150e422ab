#include "audit_fixtures.h"

#include <fmt/format.h>

namespace reviewer::test {

ReviewResult sample_review(const std::string& run_id, int findings, std::int64_t pr_number) {
  ReviewResult r;
  r.run_id = run_id;
  r.started_at = "2026-01-15T10:00:00Z";
  r.trigger = "cli";
  r.mode = "dry-run";
  r.pr.repository = "octo/widgets";
  r.pr.number = pr_number;
  r.pr.title = "Fix the widget";
  r.pr.author = "alice";
  r.pr.base_ref = "main";
  r.pr.base_sha = std::string(40, 'a');
  r.pr.head_sha = std::string(40, 'b');
  r.size = SizeStats{"S", 12, 3, 2, 1, 0, false};
  r.guidance_version = "g1";
  r.reviewer_version = "0.1.0";
  r.decision.kind = DecisionKind::comment;
  r.decision.reasons = {"a warning was found", "second reason"};
  r.duration_ms = 17;
  AgentReport size{"size", AgentStatus::ok, 3, {}, ""};
  AgentReport safety{"safety", AgentStatus::ok, 5, {}, ""};
  for (int i = 0; i < findings; ++i) {
    Finding f;
    f.rule = fmt::format("test/rule-{}", i % 3);
    f.severity = Severity::warning;
    f.path = fmt::format("src/file{}.cc", i);
    f.line = 10 + i;
    f.end_line = 10 + i;
    f.message = fmt::format("finding number {}", i);
    f.evidence = "key=****";
    f.suggestion = "remove it";
    f.id = make_finding_id(f.rule, f.path, f.message);
    (i % 2 ? size : safety).findings.push_back(f);
  }
  r.agents = {size, safety};
  return r;
}

}  // namespace reviewer::test
