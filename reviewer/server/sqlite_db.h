// A small RAII layer over the SQLite C API for the queue database: a
// move-only connection and prepared statements that report errors as
// reviewer::Error(io) naming the database file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace reviewer::server {

class Db;

class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binds by 1-based index; returns *this for chaining.
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, std::string_view v);  // TEXT
  Stmt& bind_blob(int i, std::string_view v);
  // Without a copy: `v` must stay alive and unchanged until reset() (run() resets).
  Stmt& bind_blob_no_copy(int i, std::string_view v);
  Stmt& bind_null(int i);
  // Steps once: true while a row is available.
  bool step();
  // Runs to completion (statements without rows).
  void run();
  void reset();

  std::int64_t int64(int col) const;
  std::string text(int col) const;  // NULL reads as ""
  bool is_null(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  static constexpr int kBusyTimeoutMs = 5000;  // how long a statement waits for another connection's lock
  // Opens (creating) `path` in WAL mode with a busy timeout, through the
  // named SQLite VFS (null: the default). Throws Error(io).
  explicit Db(const std::filesystem::path& path, const char* vfs = nullptr);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  [[noreturn]] void fail(const std::string& what) const;
  sqlite3* get() const { return db_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace reviewer::server
