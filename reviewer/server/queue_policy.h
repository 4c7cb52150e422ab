// What an attempt of a job leads to, the same for every queue backend:
// done, failed and superseded are final; a retry comes back after a
// backoff that doubles per attempt (capped, with +-50% jitter so retries of
// many jobs spread out), until the last attempt makes it a dead letter.
//
// Thread-safety: none; each queue calls it under its own lock.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "reviewer/core/job.h"
#include "reviewer/server/queue.h"

namespace reviewer::server {

class AttemptPolicy {
 public:
  explicit AttemptPolicy(const QueueOptions& options);

  // The job's next state ("done", "failed", "superseded", "pending" or
  // "dead") after an attempt ending with `status`, `attempts` made so far,
  // and when it is available again (ms since the epoch).
  std::pair<std::string, std::int64_t> after(JobResult::Status status, int attempts, std::int64_t now_ms);

 private:
  std::int64_t backoff_ms(int attempts);
  int max_attempts_;
  int retry_base_ms_;
  int retry_max_ms_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace reviewer::server
