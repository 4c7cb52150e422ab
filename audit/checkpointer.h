// Runs the WAL checkpoints of an audit database on a thread of its own, so
// that a commit is only an append to the WAL.
//
// With SQLite's automatic checkpoint, the commit that takes the WAL past
// 1,000 pages copies them into the database file and fsyncs it, in the
// writer's thread: on this project's VM that fsync and copy made up more
// than half of the wall time of recording a review (bench/README.md,
// `## audit`). Durability does not change: a commit is still in the WAL
// (synchronous=NORMAL) before the call returns, survives a process crash,
// and a checkpoint still syncs the database file before the WAL is reused.
//
// Thread-safety: attach() before any commit on the writer connection; the
// rest is internal (the hook only sets an atomic and notifies).
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "audit/sqlite.h"

namespace reviewer::audit {

class Checkpointer {
 public:
  // WAL pages after which a checkpoint is started (SQLite's own default).
  static constexpr int kCheckpointFrames = 1000;
  // Past this many pages a passive checkpoint is followed by a RESTART one:
  // under steady writing a passive checkpoint never finds the WAL fully
  // copied when the next commit starts, so the WAL would never be reused
  // and would grow without bound. RESTART briefly holds the write lock to
  // copy the few pages left, after which the next commit starts the WAL
  // over from its beginning.
  static constexpr int kRestartFrames = 4 * kCheckpointFrames;

  explicit Checkpointer(std::filesystem::path path);
  ~Checkpointer();  // stops the thread (a checkpoint in progress finishes)
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Turns off SQLite's automatic checkpoint on `writer` and signals this
  // checkpointer instead when a commit leaves kCheckpointFrames or more.
  void attach(Connection& writer);

 private:
  void loop();
  void checkpoint(Connection& db);
  static int on_commit(void* self, struct sqlite3* db, const char* name, int frames);

  std::filesystem::path path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;              // guarded by mu_
  std::atomic<bool> wanted_{false};  // a checkpoint was asked for
  std::atomic<bool> failed_{false};  // the thread could not open its connection
  std::atomic<int> backfilled_{0};   // WAL pages copied by the last checkpoint
  std::thread thread_;
};

}  // namespace reviewer::audit
