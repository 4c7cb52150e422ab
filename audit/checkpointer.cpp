#include "audit/checkpointer.h"

#include <sqlite3.h>

#include <chrono>
#include <optional>

namespace reviewer::audit {

namespace {

// RESTART waits for the writer in progress and then for readers of old
// snapshots while it holds the write lock: wait briefly (commits take a
// fraction of a millisecond) and give up rather than stall the writers
// behind a long auditor query; the next round tries again.
int brief_wait(void*, int count) {
  if (count >= 100) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  return 1;
}

}  // namespace

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
  if (frames - done < kCheckpointFrames) return SQLITE_OK;
  if (self->failed_.load()) {
    // No thread of our own: checkpoint here, as SQLite's automatic
    // checkpoint would have.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (self->wanted_.exchange(true)) return SQLITE_OK;  // already asked for
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
    sqlite3_busy_handler(db->get(), &brief_wait, nullptr);
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
  int log = 0, copied = 0;
  // PASSIVE never waits: it copies what no reader still needs, syncs the
  // database file, and leaves the rest for the next round.
  int rc = sqlite3_wal_checkpoint_v2(db.get(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  if (rc == SQLITE_OK && log >= kRestartFrames) {
    rc = sqlite3_wal_checkpoint_v2(db.get(), "main", SQLITE_CHECKPOINT_RESTART, &log, &copied);
  }
  // On failure (busy past brief_wait, I/O error) the frames simply stay in
  // the WAL, where commits remain durable, until the next round.
  if (copied >= 0) backfilled_.store(copied, std::memory_order_relaxed);
}

}  // namespace reviewer::audit
