// Helpers for audit tests: deterministic review results shaped like what
// the pipeline produces, and raw access to a database for tampering.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/db.h"
#include "reviewer/core/review_result.h"

namespace reviewer::test {

// Two agents (size: ok; safety: ok) with `findings` warnings split between
// them; decision comment with two reasons.
ReviewResult sample_review(const std::string& run_id, int findings, std::int64_t pr_number = 42);

// The rows of a read-only `audit::query_location` (`sql`) as a JSON array
// of objects; on PostgreSQL `location` must be a reader's (LogAuditor).
nlohmann::json query_rows(const std::string& location, const std::string& sql);

// A read-write connection that bypasses the store, as an attacker with
// file access would have.
audit::Connection raw_open(const std::filesystem::path& path);

// The first column of the first row of `sql`.
std::int64_t scalar(audit::Connection& db, const std::string& sql);

// Runs `sql` on the log at `location` (either backend) with the
// append-only triggers off, in one transaction: an edit the triggers would
// have stopped, leaving only the chain to tell. SQLite: the triggers are
// dropped and put back; PostgreSQL: session_replication_role = replica,
// which the test server's superuser may set.
void tamper(const std::string& location, const std::string& sql);

// Re-computes prev_hash and row_hash of rows from_seq..to_seq, as an
// attacker who knows the scheme would after an edit (triggers bypassed).
void rehash_range(const std::string& location, std::int64_t from_seq, std::int64_t to_seq = INT64_MAX);

// Runs `sql` on the log at `location` as its owner, bypassing the store
// but not the triggers: a write someone with the owner's access tries.
void log_exec(const std::string& location, const std::string& sql);

}  // namespace reviewer::test
