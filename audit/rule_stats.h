// `reviewer guidance stats`: per rule, how often it fired, what people said
// about it and how often its PRs were later reverted; the input for tuning
// guidance. Read-only (readonly.h), like `audit query`.
#pragma once

#include <string>
#include <ostream>

#include "audit/query.h"

namespace reviewer::audit {

// One row per rule that fired or got feedback, columns:
//   rule          the finding rule ("safety/secret/aws-access-key")
//   fired         distinct findings (a finding re-reported on later pushes of
//                 the same PR counts once)
//   shadow_fired  distinct findings while the rule was in `state: shadow`
//                 (audited, never posted: how noisy it would be if on)
//   prs           pull requests (or local reviews) it fired on (not in shadow)
//   helpful       helpful votes (/feedback helpful, 👍 on its comments)
//   unhelpful     unhelpful votes (/feedback unhelpful, 👎)
//   helpful_ratio helpful / (helpful + unhelpful); null without votes
//   reverted_prs  PRs it fired on that were later reverted
// Noisiest first: by unhelpful minus helpful votes, then unhelpful votes,
// then times fired, then rule name. Throws reviewer::Error for a missing or
// unreadable database. `location` is an SQLite file or a postgresql:// URL,
// read as `audit query` reads it (on PostgreSQL: as an auditor role).
void rule_stats(const std::string& location, Format format, std::ostream& out);

}  // namespace reviewer::audit
