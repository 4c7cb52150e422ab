// What an attempt of a job leads to, the same for every queue backend:
// done, failed and superseded are final; a retry comes back after a
// backoff that doubles per attempt (capped, with +-50% jitter so retries of
// many jobs spread out), until the last attempt makes it a dead letter.
//
// Thread-safety: none; each queue calls it under its own lock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
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

// How fast prune_rows deletes, the same for both backends: batches of at
// most QueueOptions::prune_batch rows, shrunk (to 16 at least) while one
// holds its lock longer than kTarget and grown back when well under it,
// then a pause of kPauseFactor times the batch's time, so the prune takes
// at most a seventh of the writer's time and intake waits one short batch
// at most. Deleting rows is mostly random index pages (delivery ids are
// random), and their pages go through the WAL and the checkpoints as
// intake's do: at a pause of 3x, intake's p99 at c=16 went from 10-28 ms
// to 42-64 ms while 550,000 old jobs were deleted (bench/README.md `## server`).
class PrunePacer {
 public:
  static constexpr std::chrono::milliseconds kTarget{8};
  static constexpr int kPauseFactor = 6;
  PrunePacer(int max_rows, std::function<bool()> stop) : max_(std::max(max_rows, 1)), rows_(max_), stop_(std::move(stop)) {}
  int rows() const { return rows_; }
  // After a batch that took `held` under the lock: sizes the next one and
  // pauses; false when the caller should stop (the server is stopping).
  bool next(std::chrono::steady_clock::duration held);

 private:
  int max_;
  int rows_;
  std::function<bool()> stop_;
};

// Runs `batch(rows)` (one transaction of at most `rows`, answering how many
// it took) as `pacer` sizes and spaces them, until a batch takes fewer than
// it was given or the pacer stops; returns the sum. The time of a batch
// includes the wait for its lock: a busy writer gets smaller batches.
std::int64_t run_paced(PrunePacer& pacer, const std::function<std::int64_t(int rows)>& batch);

}  // namespace reviewer::server
