// `reviewer audit verify`: re-computes the hash chain over every audit row
// and names the first row that was edited, inserted or removed; checks that
// the append-only triggers are still in place and that every table,
// trigger, index and view is the one this build creates (schema_check.h);
// compares against checkpoints
// kept elsewhere (which also catch a rewrite of the whole chain and a cut
// tail, the two things a chain alone cannot show).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer::audit {

// The log's state at one moment: its row count and the hash of its last row.
struct Checkpoint {
  std::int64_t rows = 0;
  std::string head_hash;
  std::string at;  // when it was taken, UTC ISO 8601

  // "reviewer-audit-checkpoint rows=N head=<64 hex> at=<time>"
  std::string to_line() const;
  // Parses to_line()'s format; nullopt when the line is not a checkpoint.
  static std::optional<Checkpoint> parse(std::string_view line);
};

struct VerifyResult {
  bool ok = false;
  std::int64_t rows = 0;        // rows checked
  std::string head_hash;        // of the last row checked
  std::int64_t first_bad_seq = 0;  // 0 when ok, or when the problem is not one row
  std::string first_bad_table;
  std::string message;          // one line: "verified N rows ..." or the first problem
  // Suggested exit code: 0 verified, 2 tampered (the CLI uses 1 for errors).
  int exit_code() const { return ok ? 0 : 2; }
};

// Opens `path` read-only and verifies it. Throws reviewer::Error when the
// file cannot be read at all (missing, corrupt, locked).
VerifyResult verify(const std::filesystem::path& path, const std::vector<Checkpoint>& checkpoints = {});

// A postgresql:// URL verifies that database (in one read-only snapshot),
// anything else the SQLite file at that path.
VerifyResult verify_location(const std::string& location, const std::vector<Checkpoint>& checkpoints = {});

// checkpoint() of the log at `location` (a postgresql:// URL or a path).
Checkpoint checkpoint_location(const std::string& location);

class LogReader;
// Verifies the log `log` reads (either backend), inside whatever snapshot
// the caller holds.
VerifyResult verify(LogReader& log, const std::vector<Checkpoint>& checkpoints = {});

// The current checkpoint of the log at `path` (read-only).
Checkpoint checkpoint(const std::filesystem::path& path);

}  // namespace reviewer::audit
