// The durable job queue: deliveries and their jobs in SQLite (queue.db in
// the data directory) or PostgreSQL (pg_queue.cpp, for several instances), with leases, heartbeats, retries with backoff and
// jitter, dead letters, supersession and round-robin fairness across
// repositories. SQL lives only in the implementation, so a PostgreSQL
// backend can replace it (DESIGN.md, "Growing past one machine").
//
// Thread-safety: every method may be called from any thread; calls are
// serialized on one connection. Several processes may share the file:
// claims run in BEGIN IMMEDIATE transactions, so no job is leased twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reviewer/server/job.h"

namespace reviewer::server {

struct QueueOptions {
  int max_attempts = 5;          // then the job becomes a dead letter
  int retry_base_ms = 2000;      // backoff = base * 2^(attempt-1), capped, with +-50% jitter
  int retry_max_ms = 10 * 60 * 1000;
  // Raw bodies go to segment files of this size in <queue dir>/bodies
  // (body_log.h); tests make them small to see segments close.
  std::int64_t body_segment_bytes = std::int64_t{64} << 20;
  // Rows prune_rows deletes per transaction at most (PrunePacer, queue_policy.h).
  int prune_batch = 1000;
  // Milliseconds since the epoch; tests replace it with a fake clock.
  std::function<std::int64_t()> now_ms;
};

struct IntakeItem {
  Delivery delivery;
  std::optional<JobSpec> job;
};

enum class IntakeOutcome { stored, duplicate };

// A job parked as a dead letter, as reported to the audit log.
struct DeadLetter : JobIdentity {
  std::string reason;
  std::int64_t parked_ms = 0;  // when it was parked (ms since the epoch)
};

struct QueueStats {
  // Jobs in the queue now: pending, leased, dead (dead letters stay until an
  // operator's retention, if any). Counted on indexes of those states only.
  std::map<std::string, std::int64_t> jobs_by_state;
  // Jobs that ever ended in each final state (done, failed, superseded,
  // dead): cumulative, kept in the database (the totals fold_totals has
  // folded plus the ends it has not yet, read together), so they only grow,
  // whatever prune_rows deletes and across restarts.
  std::map<std::string, std::int64_t> ended_total;
  std::int64_t oldest_pending_age_ms = 0;
  std::int64_t deliveries = 0;  // ever stored (the largest id)
};

struct PruneCounts {
  std::int64_t jobs = 0;
  std::int64_t deliveries = 0;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Stores every delivery (and its job) in ONE transaction; returns one
  // outcome per item, in order. A delivery id already stored is a
  // duplicate: nothing is written for it. Throws Error(io) and stores
  // nothing if the transaction fails.
  virtual std::vector<IntakeOutcome> enqueue(const std::vector<IntakeItem>& items) = 0;
  // How many enqueue() calls may usefully run at once: 1 for SQLite (one
  // writer); more on PostgreSQL, where one batch's inserts overlap another's
  // commit (the WAL flush that makes it durable).
  virtual std::size_t intake_writers() const { return 1; }

  // Leases the next job: first re-queues jobs whose lease expired (or parks
  // them as dead letters when out of attempts), then picks the repository
  // served longest ago that has an available job, and its oldest job.
  virtual std::optional<Job> claim(std::chrono::milliseconds lease) = 0;

  // Extends the lease; false when the lease was lost (expired and taken).
  virtual bool heartbeat(const Job& job, std::chrono::milliseconds lease) = 0;

  // Records the result; returns the job's new state ("done", "failed",
  // "pending" for a retry, "dead", "superseded"), or "lost_lease" when this
  // worker no longer holds the job (nothing is written then).
  virtual std::string finish(const Job& job, const JobResult& result) = 0;

  // Gives a leased job back without counting the attempt (shutdown).
  virtual void release(const Job& job) = 0;

  // True once a newer job for the same PR was queued.
  virtual bool superseded(std::int64_t job_id) = 0;

  virtual QueueStats stats() = 0;
  // True when a write transaction can be opened (readiness).
  virtual bool writable() = 0;
  // Dead letters not yet reported (oldest first, at most `limit`), and
  // marking them reported once the audit log has committed them. A crash
  // between the two reports them again; the audit log ignores repeats.
  virtual std::vector<DeadLetter> unreported_dead_letters(std::size_t limit) = 0;
  virtual void mark_reported(const std::vector<std::int64_t>& job_ids) = 0;
  // Drops raw bodies of deliveries older than `age` whose jobs finished
  // (a body segment goes when all its deliveries qualify); returns how
  // many bodies were dropped. `stop` as for prune_rows (SQLite's is one
  // transaction: asked once, before it).
  virtual std::int64_t prune_bodies(std::chrono::milliseconds age, const std::function<bool()>& stop = {}) = 0;
  // Adds the ends of jobs not yet counted to the stored totals
  // (QueueStats::ended_total), in paced batches of at most
  // QueueOptions::prune_batch, each its own transaction, until none is
  // left or `stop` says so; returns how many it counted. Ending a job
  // writes no total (intake supersedes jobs in every batch): its row waits
  // in a partial index, which stats() adds to the totals, and prune_rows
  // keeps it until counted. Safe from several threads and instances.
  virtual std::int64_t fold_totals(const std::function<bool()>& stop = {}) = 0;
  // Deletes the rows of jobs that ended (done, failed, superseded) more
  // than `age` ago, then deliveries received more than `age` ago that have
  // no job left; with `dead_letter_age`, also dead letters parked that long
  // ago once the audit log has them (reported). A pending or leased job,
  // its delivery, a job whose end fold_totals has not counted yet and a
  // delivery younger than `age` (a redelivery of it is still a duplicate)
  // are never deleted. In transactions of at most
  // QueueOptions::prune_batch rows, yielding to intake between them.
  // `stop` (when given) is asked between batches: true ends the prune
  // early (the server is stopping; the next prune goes on).
  virtual PruneCounts prune_rows(std::chrono::milliseconds age, std::optional<std::chrono::milliseconds> dead_letter_age,
                                 const std::function<bool()>& stop = {}) = 0;
  // The query plans of stats()' statements (tests: none reads the whole
  // jobs table), and on SQLite of prune_rows' deletes (by id range).
  virtual std::string explain_queries() = 0;

  // Calls `wake` (from a thread of the queue) whenever a job may have
  // become claimable through another process's intake, so idle workers of
  // every instance start at once rather than at their next poll. The
  // SQLite queue has no such signal: workers poll. An empty `wake` stops
  // the calls (before whatever `wake` uses goes away).
  virtual void on_new_jobs(std::function<void()> wake) { (void)wake; }

  // Opens (creating) the SQLite queue at `path`. Throws Error(io).
  static std::unique_ptr<JobQueue> open_sqlite(const std::filesystem::path& path, QueueOptions options);

  // Opens the queue in the PostgreSQL database at `url` (tables queue_*,
  // created under an advisory lock; the database may be shared with the
  // audit log and with other instances). Throws Error(io) with one line
  // naming the server when it cannot be reached, or when its queue schema
  // is newer than this build's.
  static std::unique_ptr<JobQueue> open_postgres(const std::string& url, QueueOptions options);
};

}  // namespace reviewer::server
