// Reads back, from the actions table, what the bot already did for one
// pull request head: the publisher's ledger (issue 8) asks before posting,
// so redeliveries and restarts never post twice. Rows name the head in
// their detail as "head=<sha>" (reviewer/app/audit_ledger.h writes them).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace reviewer::audit {

// The GitHub id of a review of `head_sha` on repository#pr that GitHub
// accepted (kind review_*, HTTP 2xx; `kind` narrows it to one action kind,
// e.g. review_approve), or nullopt. Opens the database read-only
// (readonly.h; `db` may also hold the log's postgresql:// URL); a database
// file that does not exist yet has no rows.
// Throws reviewer::Error for an unreadable or corrupt file.
std::optional<std::string> posted_review(const std::filesystem::path& db, std::string_view repository,
                                         std::int64_t pr_number, std::string_view head_sha,
                                         std::string_view kind = {});

// True when a publish of `head_sha` ran to its end (kind publish_complete:
// review, labels and gate all posted).
bool publish_completed(const std::filesystem::path& db, std::string_view repository, std::int64_t pr_number,
                       std::string_view head_sha);

}  // namespace reviewer::audit
