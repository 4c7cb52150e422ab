#include "reviewer/commands/state.h"

#include "audit/store.h"

namespace reviewer::commands {

namespace {

std::int64_t latest_request_seq(const audit::PrHistory& h) {
  std::int64_t seq = 0;
  for (const auto& o : h.overrides) {
    if (o.record.kind == "human_review") seq = o.seq;
  }
  return seq;
}

}  // namespace

bool human_review_required(const audit::PrHistory& h) {
  for (auto it = h.overrides.rbegin(); it != h.overrides.rend(); ++it) {
    if (it->record.kind == "human_review") return true;
    if (it->record.kind == "cancel") return false;
  }
  return false;
}

bool human_review_required(audit::AuditStore& audit, const std::string& repository, std::int64_t number) {
  return human_review_required(audit.history(repository, number));
}

bool human_approved_head(const audit::PrHistory& h, const std::string& head_sha) {
  if (head_sha.empty()) return false;
  const std::int64_t after = latest_request_seq(h);
  for (const auto& e : h.events) {
    if (e.seq <= after || e.record.kind != "approved" || e.record.head_sha != head_sha) continue;
    bool dismissed = false;
    for (const auto& d : h.events) {
      if (d.seq <= e.seq || d.record.actor != e.record.actor) continue;
      // Dismissed, or superseded by the same person's later request for changes.
      if ((d.record.kind == "approval_dismissed" && d.record.detail == e.record.detail) ||
          d.record.kind == "changes_requested") {
        dismissed = true;
      }
    }
    if (!dismissed) return true;
  }
  return false;
}

GateState gate_state(audit::AuditStore& audit, const std::string& repository, std::int64_t number,
                     const std::string& head_sha) {
  auto h = audit.history(repository, number);
  return {human_review_required(h), human_approved_head(h, head_sha)};
}

void apply_gate_state(const GateState& g, PullRequest& pr, github::PublishTarget& target) {
  pr.human_review_override = pr.human_review_override || g.human_review_required;
  target.human_approved_head = g.human_approved_head;
  if (g.human_review_required) target.auto_approve = false;
}

}  // namespace reviewer::commands
