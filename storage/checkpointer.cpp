#include "storage/checkpointer.h"

#include <sqlite3.h>

#include <optional>

namespace reviewer::storage {

Checkpointer::Options Checkpointer::queue_checkpoints(
    std::function<void(const std::function<void(Connection&)>&)> with_writer, std::function<void()> before_checkpoint) {
  Options o;
  o.wake_frames = 1;
  // At c=16 the p99 of intake's 202 was 10.2-15 ms with a round every 250
  // ms, 15-21 ms every 1-3 s, and 7.0-8.5 ms every 50 ms (bench/README.md,
  // `## server`).
  o.min_interval = std::chrono::milliseconds(50);
  o.writer_frames = 0;
  o.restart_frames = kRestartFrames;
  o.with_writer = std::move(with_writer);
  o.before_checkpoint = std::move(before_checkpoint);
  return o;
}

Checkpointer::Checkpointer(std::filesystem::path path, Options options)
    : path_(std::move(path)), opt_(std::move(options)) {}

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
  const bool due = frames - done >= self->opt_.wake_frames;
  // Past kWriterFrames (or without a thread of our own, when due), the
  // writer copies what the thread has not (PASSIVE) and syncs; when that is
  // everything, its next commit starts the WAL over. While the thread is
  // copying, the writer's checkpoint could not run (SQLite lets one run at
  // a time): it tries again after its next commit, and past twice
  // kWriterFrames waits for the thread, so the WAL stays bounded even when
  // the thread falls behind.
  const int writer_frames = self->opt_.writer_frames;
  if ((writer_frames > 0 && frames >= writer_frames) || (due && self->failed_.load())) {
    std::unique_lock turn(self->checkpointing_, std::try_to_lock);
    if (!turn.owns_lock()) {
      if (writer_frames == 0 || frames < 2 * writer_frames) return SQLITE_OK;
      turn.lock();
    }
    if (self->opt_.before_checkpoint) {
      try {
        self->opt_.before_checkpoint();
      } catch (const std::exception&) {
        return SQLITE_OK;  // not on disk: the rows naming it stay in the WAL
      }
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
  auto last_round = std::chrono::steady_clock::now() - opt_.min_interval;
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || wanted_.load(); });
    // The commits until then share this round.
    cv_.wait_until(lock, last_round + opt_.min_interval, [this] { return stop_; });
    if (stop_) break;
    wanted_ = false;
    last_round = std::chrono::steady_clock::now();
    lock.unlock();
    checkpoint(*db);
    lock.lock();
  }
}

void Checkpointer::checkpoint(Connection& db) {
  int log = 0, copied = 0;
  {
    std::lock_guard turn(checkpointing_);
    if (opt_.before_checkpoint) {
      try {
        opt_.before_checkpoint();
      } catch (const std::exception&) {
        return;  // not on disk: the rows naming it stay in the WAL
      }
    }
    // PASSIVE never waits: it copies what no reader still needs, syncs the
    // database file, and leaves the rest for the next round. On failure (an
    // I/O error) the pages simply stay in the WAL, where commits are durable.
    if (sqlite3_wal_checkpoint_v2(db.get(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
      backfilled_.store(copied, std::memory_order_relaxed);
    }
  }
  if (opt_.restart_frames > 0 && log > opt_.restart_frames && opt_.with_writer) restart();
}

// On the writer's connection, under its lock: the WAL is reused from its
// start once everything in it is copied. A short busy timeout: a reader in
// another process makes it wait for a later round rather than hold the
// writer. Without checkpointing_ held, as the writer's own hook may take it.
void Checkpointer::restart() {
  opt_.with_writer([this](Connection& writer) {
    // RESTART also copies the rows committed since the round's
    // before_checkpoint, which may name bytes not yet on disk: run it again,
    // under the writer's lock so that no commit comes in between.
    if (opt_.before_checkpoint) {
      try {
        opt_.before_checkpoint();
      } catch (const std::exception&) {
        return;  // not on disk: the rows naming it stay in the WAL
      }
    }
    const int busy = writer.busy_timeout();
    writer.set_busy_timeout(20);
    sqlite3_wal_checkpoint_v2(writer.get(), "main", SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    writer.set_busy_timeout(busy);
  });
}

}  // namespace reviewer::storage
