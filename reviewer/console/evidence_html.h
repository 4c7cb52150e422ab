// One change's evidence as HTML: its timeline (deliveries, review runs with
// their agents, findings, model calls and revert risk, what was posted,
// pull request snapshots and events, approvals, overrides, votes, check
// results, the merge, a later revert, parked jobs), each row with whether
// it verifies against the hash chain. Used by the change page and, as a
// self-contained file, by the evidence pack.
#pragma once

#include <string>

#include "audit/change_evidence.h"

namespace reviewer::console {

// The change's title ("owner/name #12", or the local run's).
std::string change_title(const audit::ChangeKey& key);

// The evidence's HTML (to go inside <main>): a verification summary and the
// timeline. Links point at console pages when `links` (the change page),
// and are left out in the pack's offline files.
std::string evidence_html(const audit::ChangeKey& key, const audit::ChangeEvidence& e, bool links);

// The number of rows of `e` that do not verify.
std::size_t failed_rows(const audit::ChangeEvidence& e);

}  // namespace reviewer::console
