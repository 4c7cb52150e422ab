// The audit log: an append-only SQLite database of every review, written in
// one transaction per run so a failure leaves no partial rows.
//
// Thread-safety: an AuditStore may be shared; writes are serialized inside.
#pragma once

#include <filesystem>
#include <memory>

#include "reviewer/core/review_result.h"

namespace reviewer::audit {

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Opens (creating and migrating as needed) the database at `path`.
  // Throws reviewer::Error naming the file when it cannot be opened, is
  // corrupt, or has a newer schema than this build knows.
  static std::unique_ptr<AuditStore> open(const std::filesystem::path& path);

  // Records one review: the run, each agent's result, each finding (evidence
  // as the agent redacted it). All or nothing; throws reviewer::Error.
  virtual void record_review(const ReviewResult& result) = 0;
};

}  // namespace reviewer::audit
