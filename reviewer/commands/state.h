// A pull request's review state as the audit log remembers it. The log is
// the durable memory: a `/human-review` stays in force across pushes,
// restarts and other `serve` instances until a `/human-review cancel`.
//
// The review job consults gate_state() before publishing (DESIGN.md policy
// step 3): with human_review_required the PR is reviewed as needs_human, so
// no push is ever auto-approved, and the check run `reviewer` stays
// action_required until human_approved_head.
#pragma once

#include <cstdint>
#include <string>

#include "audit/records.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/github/publisher.h"

namespace reviewer::audit { class AuditStore; }

namespace reviewer::commands {

// True when the PR's latest override row is a `human_review` request (not
// cancelled since).
bool human_review_required(const audit::PrHistory& h);
bool human_review_required(audit::AuditStore& audit, const std::string& repository, std::int64_t number);

// True when a person with write access approved `head_sha` (an `approved`
// pr_event), that approval was not dismissed nor followed by the same
// person's request for changes, and it came after the
// latest `/human-review` request (an approval given before someone asked
// for a human review does not answer that request).
bool human_approved_head(const audit::PrHistory& h, const std::string& head_sha);

struct GateState {
  bool human_review_required = false;  // -> PullRequest::human_review_override
  bool human_approved_head = false;    // -> github::PublishTarget::human_approved_head
};

// Both facts from one read of the log.
GateState gate_state(audit::AuditStore& audit, const std::string& repository, std::int64_t number,
                     const std::string& head_sha);

// What the review job does with it, before the policy runs and before
// publishing: the override joins the policy's input (needs_human, policy
// step 3), auto-approval is withheld while it stands (so not even a policy
// bug could post APPROVE), and the gate may pass on a person's approval of
// this head only.
void apply_gate_state(const GateState& g, PullRequest& pr, github::PublishTarget& target);

}  // namespace reviewer::commands
