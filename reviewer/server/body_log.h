// Raw delivery bodies, kept outside queue.db in append-only segment files
// (<data>/bodies/<writer>-<n>.seg); the deliveries row keeps (file, offset,
// length).
//
// Why not a BLOB column: a 24 KB body per delivery pushed ~65 MB/s through
// SQLite's write-ahead log at full intake, and keeping that log bounded
// needs a TRUNCATE checkpoint about once a second, which stops every writer
// for 100-400 ms (the intake p99). Written here, a body is one write() into
// the page cache: like a WAL commit with synchronous=NORMAL it survives a
// SIGKILL of the process, and queue.db's log carries only the small rows.
//
// Each writer (process) appends to files of its own, named with a random
// token, so processes sharing the data directory never interleave. Not
// thread-safe except sync(): the queue serializes appends under its lock.
//
// Once synced, a body leaves the page cache (all but the newest
// `cached_bytes` of the segment being written): a body is read once, by the
// worker that claims its job, usually within milliseconds, and otherwise
// only for a retry or a replay. Left there, the log grew the page cache by
// every body (25 KB a delivery) until memory ran out, each body landing in
// pages never used before; on a VM that hands free memory back to its host
// (free page reporting) the first write to such a page costs a fault in the
// host, and intake's CPU per delivery doubled after ~8 GB of bodies
// (bench/README.md `## server`, session 24). Dropped pages are free again
// for the next bodies, so the log reuses the same few megabytes of memory.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer::server {

class BodyLog {
 public:
  struct Ref {
    std::string file;  // a name inside the log's directory, never a path
    std::int64_t offset = 0;
    std::int64_t length = 0;
  };

  // Creates `dir` if needed. A segment is closed once it reaches
  // `segment_bytes`. After each sync() the page cache keeps at most the
  // newest `cached_bytes` of the current segment. Throws Error(io).
  explicit BodyLog(std::filesystem::path dir, std::int64_t segment_bytes = std::int64_t{64} << 20,
                   std::int64_t cached_bytes = std::int64_t{16} << 20);
  ~BodyLog();
  BodyLog(const BodyLog&) = delete;
  BodyLog& operator=(const BodyLog&) = delete;

  // Writes `body` at the end of the current segment (page cache, no fsync).
  // Throws Error(io) naming the file, e.g. on a full disk.
  Ref append(std::string_view body);
  // The bytes `r` names. Throws Error(io) when the segment was pruned or is
  // shorter than the reference says.
  std::string read(const Ref& r) const;
  // Makes every body appended so far durable on disk (fdatasync), without
  // holding up appends, then drops from the page cache what is synced, but
  // the newest `cached_bytes` of the current segment. The queue calls it
  // before each checkpoint, so a row that reaches the database file never
  // names a body only in memory. With nothing appended since the last call
  // it does no I/O. When an fdatasync (or the dup before it) fails, the
  // bytes may never reach the disk (Linux reports such an error once and
  // marks the pages clean): the log then drops no page again, every later
  // sync() and append() throws Error(io) (no checkpoint copies rows naming
  // those bodies; intake answers 503 and GitHub redelivers), and the bodies
  // still in memory stay readable until the process restarts.
  void sync();
  // For tests: the call sync() makes in place of ::fdatasync.
  void set_datasync_for_test(int (*datasync)(int)) { datasync_ = datasync; }
  // The segment appends go to now ("" before the first append).
  const std::string& current() const { return current_; }
  // Deletes a closed segment (never the current one). False if absent.
  bool remove(const std::string& file);
  const std::filesystem::path& dir() const { return dir_; }

 private:
  void open_next();

  std::filesystem::path dir_;
  std::int64_t segment_bytes_;
  std::int64_t cached_bytes_;
  std::string writer_;  // random, per BodyLog
  int seq_ = 0;
  std::string current_;
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::mutex sync_mu_;          // guards fd_ hand-over to sync(), to_sync_ and the flags below
  std::vector<int> to_sync_;    // closed segments not yet synced
  bool unsynced_ = false;       // bytes appended since the last sync()
  bool new_segment_ = false;    // a segment created since then: the directory needs a sync too
  std::int64_t appended_ = 0;   // bytes in the current segment (size_, for sync())
  int segment_no_ = 0;          // seq_ of the current segment (for sync())
  std::mutex drop_mu_;          // guards the two below: sync() may run on two threads
  int dropped_seq_ = 0;         // the segment dropped_ belongs to
  std::int64_t dropped_ = 0;    // its bytes below this offset are out of the page cache
  std::atomic<bool> failed_{false};  // an fdatasync failed: sticky, see sync()
  int (*datasync_)(int) = ::fdatasync;
};

}  // namespace reviewer::server
