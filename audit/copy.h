// `reviewer audit migrate --from sqlite:PATH --to postgresql://…`: copies a
// log with its chain, row for row (seq, prev_hash, row_hash and
// recorded_at as they are), so the copy verifies with the same head hash
// as the original, and checkpoints taken on the original still apply.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace reviewer::audit {

struct CopyResult {
  std::int64_t rows = 0;
  std::string head_hash;
};

// Reads `from` read-only (it must verify and be at this build's schema
// version) and writes every row into the PostgreSQL database at `to_url`,
// migrated first, in one transaction holding the chain lock. Refuses a
// target that already holds rows. Throws reviewer::Error naming the
// problem; nothing is written to the target then.
CopyResult copy_log(const std::filesystem::path& from, const std::string& to_url);

}  // namespace reviewer::audit
