#include "audit/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>

#include <fmt/format.h>
#include "audit/chain.h"
#include "storage/checkpointer.h"
#include "audit/history.h"
#include "audit/migrate.h"
#include "audit/rows.h"
#include "audit/store_base.h"
#include "audit/db.h"
#include "storage/wal_vfs.h"
#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"

namespace reviewer::audit {

namespace {

Connection open_for_writing(const std::filesystem::path& path, const OpenOptions& options) {
  // Folders and file private before SQLite writes anything (the -wal and
  // -shm files take the database file's mode).
  try {
    if (path.has_parent_path()) create_private_directories(path.parent_path());
    create_private_file(path);
  } catch (const Error& e) {
    throw Error(Error::Code::io, fmt::format("audit database '{}' cannot be opened: {}", path.string(), e.what()));
  }
  // NOMUTEX: the store serializes all use of the connection itself.
  // The combining VFS (wal_vfs.h) writes each commit's WAL frames at once.
  auto db = Connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             storage::combining_wal_vfs());
  if (sqlite3_db_readonly(db.get(), "main") == 1) {
    throw Error(Error::Code::io,
                fmt::format("{} is read-only (file permissions); reviews cannot be recorded", db.where()));
  }
  db.set_busy_timeout(options.busy_timeout_ms);
  // The first statement reads the header: a corrupt file fails here.
  auto wal = db.prepare("PRAGMA journal_mode = WAL");
  if (!wal.step() || wal.column_text(0) != "wal") {
    throw Error(Error::Code::io, fmt::format("{}: cannot switch to WAL journal mode", db.where()));
  }
  wal = Statement();
  // NORMAL in WAL mode: a commit survives a process crash; only a power loss
  // may lose the last transactions, never corrupt the file.
  db.exec("PRAGMA synchronous = NORMAL");
  if (options.max_page_count > 0) {
    db.exec(fmt::format("PRAGMA max_page_count = {}", options.max_page_count));
  }
  migrate(db);
  return db;
}

// One writer queue with group commit: callers enqueue a write and wait; the
// first waiting caller becomes the leader and commits everything queued in
// one transaction, each write inside its own savepoint so one bad write
// fails alone. A caller returns only after its rows are committed, so
// durability is per call while concurrent writers share the commit cost.
class SqliteAuditStore final : public StoreBase {
 public:
  explicit SqliteAuditStore(const std::filesystem::path& path, Connection db)
      : checkpointer_(path),
        db_(std::move(db)),
        writer_(db_),
        savepoint_(db_.prepare("SAVEPOINT audit_job")),
        release_(db_.prepare("RELEASE audit_job")),
        rollback_to_(db_.prepare("ROLLBACK TO audit_job")),
        reader_(sqlite_reader(db_, /*keep_statements=*/true)) {
    checkpointer_.attach(db_);
  }

  PrHistory history(const std::string& repository, std::int64_t pr_number) override {
    std::lock_guard lock(db_mu_);
    return read_history(*reader_, repository, pr_number);
  }

  std::int64_t row_count() override {
    std::lock_guard lock(db_mu_);
    return read_head(db_, chained_tables(db_)).seq;
  }

 private:
  using WriteFn = std::function<void(ChainWriter&)>;
  struct Job {
    WriteFn write;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable cv;  // its waiter: done, or its turn to lead
  };
  static constexpr std::size_t kMaxBatch = 512;

  void submit(WriteFn fn) {
    Job job{std::move(fn), nullptr, false, {}};
    std::unique_lock lock(queue_mu_);
    queue_.push_back(&job);
    while (!job.done) {
      if (leader_) {
        job.cv.wait(lock);
        continue;
      }
      leader_ = true;
      std::vector<Job*> batch;
      std::size_t n = std::min(queue_.size(), kMaxBatch);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      lock.unlock();
      write_batch(batch);
      lock.lock();
      leader_ = false;
      // Wake only whom it concerns: the callers whose writes are committed,
      // and the first one still queued, who leads the next batch (waking
      // every waiter costs a context switch each, per batch).
      for (auto* j : batch) {
        j->done = true;
        if (j != &job) j->cv.notify_one();
      }
      if (!queue_.empty()) queue_.front()->cv.notify_one();
    }
    if (job.error) std::rethrow_exception(job.error);
  }

  void write_batch(const std::vector<Job*>& batch) {
    std::lock_guard lock(db_mu_);
    try {
      Transaction tx(db_);
      writer_.start(utc_now_iso8601());
      for (auto* job : batch) {
        if (batch.size() == 1) {
          job->write(writer_);  // a failure rolls back the whole transaction
          continue;
        }
        ChainHead mark = writer_.head();
        run(savepoint_);
        try {
          job->write(writer_);
          run(release_);
        } catch (...) {
          // SQLite may have rolled back the whole transaction (disk full,
          // I/O error): then every job of the batch failed with this error.
          if (sqlite3_get_autocommit(db_.get())) throw;
          job->error = std::current_exception();
          run(rollback_to_);
          run(release_);
          writer_.rewind(mark);
        }
      }
      tx.commit();
      writer_.committed();
    } catch (...) {
      auto e = std::current_exception();
      for (auto* job : batch) {
        if (!job->error) job->error = e;
      }
    }
  }

  // The rows of one write, appended through the chain writer.
  class Sink final : public RowSink {
   public:
    Sink(ChainWriter& w, LogReader& r) : w_(w), r_(r) {}
    void append(const RowValues& values) override {
      auto row = w_.row(values.table);
      for (const auto& [column, value] : values.columns) row.set(column, value);
      w_.append(row);
    }
    LogReader& reader() override { return r_; }

   private:
    ChainWriter& w_;
    LogReader& r_;
  };

  void write(const std::function<void(RowSink&)>& fn) override {
    submit([&](ChainWriter& w) {
      Sink sink(w, *reader_);
      fn(sink);
    });
  }

  bool is_duplicate_run(const std::exception& e) const override {
    return std::string(e.what()).find("UNIQUE constraint failed: review_runs.run_id") != std::string::npos;
  }

  std::string where() const override { return db_.where(); }

  std::mutex queue_mu_;  // guards queue_, leader_ and each queued Job's done
  std::vector<Job*> queue_;
  bool leader_ = false;
  std::mutex db_mu_;  // guards db_ and writer_
  // Before db_: its thread (and connection) stops after db_ is closed, so
  // no commit can signal a checkpointer that is gone.
  storage::Checkpointer checkpointer_;
  Connection db_;
  ChainWriter writer_;  // after db_: its statements are finalized first
  // Per-write savepoints of a batch, prepared once (exec re-parses each time).
  Statement savepoint_;
  Statement release_;
  Statement rollback_to_;
  std::unique_ptr<LogReader> reader_;  // over db_, under db_mu_

  static void run(Statement& s) {
    s.step();
    s.reset();
  }
};

}  // namespace

std::unique_ptr<AuditStore> AuditStore::open(const std::filesystem::path& path) {
  return open(path, OpenOptions{});
}

std::unique_ptr<AuditStore> AuditStore::open(const std::filesystem::path& path,
                                             const OpenOptions& options) {
  return std::make_unique<SqliteAuditStore>(path, open_for_writing(path, options));
}

}  // namespace reviewer::audit
