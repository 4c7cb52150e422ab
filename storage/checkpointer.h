// Runs most of the WAL checkpoint work of a database (the audit log's, the
// job queue's) on a thread of its own, so that a commit is normally only an
// append to the WAL. Commits wake the thread (a hook on the writer's
// connection); Options say how often it runs and how the WAL is kept small.
//
// The audit log's settings (the defaults) are these.
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
// The queue's (queue_checkpoints()): its intake writes never checkpoint.
// Every commit wakes the thread, whose rounds are at least 50 ms apart, and
// past kRestartFrames the thread starts the WAL over (RESTART) on the
// writer's connection, under the writer's lock (with_writer): under
// sustained intake the passive rounds never reach the WAL's end, so it
// would grow without bound. Figures: bench/README.md, `## server`.
//
// Durability does not change: a commit is in the WAL (synchronous=NORMAL)
// before the call returns and survives a process crash; a checkpoint syncs
// the database file before the WAL is reused.
//
// Thread-safety: attach() before any commit on the writer connection; the
// hook it installs runs in the writer's thread, under the store's lock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
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
  // WAL pages past which the queue's thread starts the WAL over: 256 MB of 4 KB pages.
  static constexpr int kRestartFrames = 65536;

  struct Options {
    // New WAL pages after which a commit wakes the thread (1: every commit).
    int wake_frames = kCheckpointFrames;
    // The least time between the starts of two of the thread's rounds: a
    // round's fsyncs stall the writer's commits about as long as they take,
    // so small rounds often keep the writer's latency flat.
    std::chrono::milliseconds min_interval{0};
    // WAL pages after which the writer checkpoints after its commit (0: never).
    int writer_frames = kWriterFrames;
    // WAL pages past which the thread, after a round, starts the WAL over
    // (RESTART, waiting at most 20 ms for readers) on the writer's
    // connection, which with_writer lends it under the writer's lock (0: never).
    int restart_frames = 0;
    std::function<void(const std::function<void(Connection&)>&)> with_writer;
    // Runs before every checkpoint, and again under the writer's lock
    // before a RESTART: what must be on disk before the rows naming it
    // reach the database file (the queue's body log).
    std::function<void()> before_checkpoint;
  };

  // The queue's settings; `with_writer` and `before_checkpoint` as above.
  static Options queue_checkpoints(std::function<void(const std::function<void(Connection&)>&)> with_writer,
                                   std::function<void()> before_checkpoint);

  explicit Checkpointer(std::filesystem::path path) : Checkpointer(std::move(path), Options{}) {}
  Checkpointer(std::filesystem::path path, Options options);
  ~Checkpointer();  // stops the thread (a checkpoint in progress finishes)
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Turns off SQLite's automatic checkpoint on `writer`: after each commit
  // its hook signals the thread or, past kWriterFrames, checkpoints.
  void attach(Connection& writer);

 private:
  void loop();
  void checkpoint(Connection& db);
  void restart();
  static int on_commit(void* self, struct sqlite3* db, const char* name, int frames);

  std::filesystem::path path_;
  Options opt_;
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
