// Runs most of the WAL checkpoint work of an audit database on a thread of
// its own, so that a commit is normally only an append to the WAL.
//
// With SQLite's automatic checkpoint, the commit that takes the WAL past
// 1,000 pages copies them into the database file and fsyncs it, in the
// writer's thread: on this project's VM that made up more than half of the
// wall time of recording a review (bench/README.md, `## audit`). Here a
// thread copies each 1,000 new pages in the background (PASSIVE: it never
// waits for, nor blocks, writers or readers). The WAL can only be started
// over once everything in it is copied, which a background copy racing a
// busy writer never achieves, so when the WAL reaches kWriterFrames pages
// the writer checkpoints itself, after its commit, as SQLite would have:
// only the pages the thread has not copied yet, then the sync, and its next
// commit starts the WAL over. The WAL thus stays under 2 * kWriterFrames
// pages (plus one transaction) whatever the thread manages, as long as no
// reader holds an old snapshot (then it grows, as with SQLite's own).
//
// Durability does not change: a commit is in the WAL (synchronous=NORMAL)
// before the call returns and survives a process crash; a checkpoint syncs
// the database file before the WAL is reused.
//
// Thread-safety: attach() before any commit on the writer connection; the
// hook it installs runs in the writer's thread, under the store's lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "storage/sqlite.h"

namespace reviewer::storage {

class Checkpointer {
 public:
  // New WAL pages after which the thread copies them.
  static constexpr int kCheckpointFrames = 1000;
  // WAL pages after which the writer finishes the checkpoint itself.
  static constexpr int kWriterFrames = 4 * kCheckpointFrames;

  explicit Checkpointer(std::filesystem::path path);
  ~Checkpointer();  // stops the thread (a checkpoint in progress finishes)
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Turns off SQLite's automatic checkpoint on `writer`: after each commit
  // its hook signals the thread or, past kWriterFrames, checkpoints.
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
  std::mutex checkpointing_;         // held by whoever runs a checkpoint
  std::thread thread_;
};

}  // namespace reviewer::storage
