#include "storage/checkpointer.h"

#include <sqlite3.h>

#include <optional>

namespace reviewer::storage {

Checkpointer::Checkpointer(std::filesystem::path path) : path_(std::move(path)) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::attach(Connection& writer) { sqlite3_wal_hook(writer.get(), &Checkpointer::on_commit, this); }

// Called by SQLite after every commit on the writer connection, with the
// lock released; `frames` is the WAL's size in pages.
int Checkpointer::on_commit(void* p, sqlite3* db, const char* name, int frames) {
  auto* self = static_cast<Checkpointer*>(p);
  int done = self->backfilled_.load(std::memory_order_relaxed);
  if (frames < done) done = 0;  // the WAL was started over since
  const bool due = frames - done >= kCheckpointFrames;
  // Past kWriterFrames (or without a thread of our own, when due), the
  // writer copies what the thread has not (PASSIVE) and syncs; when that is
  // everything, its next commit starts the WAL over. While the thread is
  // copying, the writer's checkpoint could not run (SQLite lets one run at
  // a time): it tries again after its next commit, and past twice
  // kWriterFrames waits for the thread, so the WAL stays bounded even when
  // the thread falls behind.
  if (frames >= kWriterFrames || (due && self->failed_.load())) {
    std::unique_lock turn(self->checkpointing_, std::try_to_lock);
    if (!turn.owns_lock()) {
      if (frames < 2 * kWriterFrames) return SQLITE_OK;
      turn.lock();
    }
    int log = 0, copied = 0;
    if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
      self->backfilled_.store(copied, std::memory_order_relaxed);
    }
    return SQLITE_OK;
  }
  if (!due || self->wanted_.exchange(true)) return SQLITE_OK;  // not yet, or already asked for
  {
    // The thread starts with the first checkpoint: a short-lived process
    // (`reviewer review` records one run) never needs one; closing the
    // last connection checkpoints.
    std::lock_guard lock(self->mu_);
    if (!self->thread_.joinable() && !self->stop_) self->thread_ = std::thread([self] { self->loop(); });
  }
  self->cv_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::loop() {
  std::optional<Connection> db;
  try {
    db = Connection::open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    // A connection learns that the file is in WAL mode when it first reads
    // it; until then a checkpoint does nothing (and says so only by -1s).
    db->prepare("PRAGMA schema_version").step();
  } catch (const std::exception&) {
    failed_ = true;  // the writer checkpoints for itself from now on
    return;
  }
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || wanted_.load(); });
    if (stop_) break;
    wanted_ = false;
    lock.unlock();
    checkpoint(*db);
    lock.lock();
  }
}

void Checkpointer::checkpoint(Connection& db) {
  std::lock_guard turn(checkpointing_);
  int log = 0, copied = 0;
  // PASSIVE never waits: it copies what no reader still needs, syncs the
  // database file, and leaves the rest for the next round. On failure (an
  // I/O error) the pages simply stay in the WAL, where commits are durable.
  if (sqlite3_wal_checkpoint_v2(db.get(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
    backfilled_.store(copied, std::memory_order_relaxed);
  }
}

}  // namespace reviewer::storage
