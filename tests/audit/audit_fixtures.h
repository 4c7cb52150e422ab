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

// The rows of a read-only `audit::query` (`sql`) as a JSON array of objects.
nlohmann::json query_rows(const std::filesystem::path& path, const std::string& sql);

// A read-write connection that bypasses the store, as an attacker with
// file access would have.
audit::Connection raw_open(const std::filesystem::path& path);

// The first column of the first row of `sql`.
std::int64_t scalar(audit::Connection& db, const std::string& sql);

// Runs `sql` with the append-only triggers dropped, then puts them back:
// an edit the triggers would have stopped, leaving only the chain to tell.
void tamper(const std::filesystem::path& path, const std::string& sql);

// Re-computes prev_hash and row_hash of rows from_seq..to_seq, as an
// attacker who knows the scheme would after an edit (triggers bypassed).
void rehash_range(const std::filesystem::path& path, std::int64_t from_seq,
                  std::int64_t to_seq = INT64_MAX);

}  // namespace reviewer::test
