// A small RAII layer over the SQLite C API for the queue database: a
// connection and prepared statements that report errors as
// reviewer::Error(io) naming the database file. A connection keeps the
// statements it prepared: a Stmt of a text this connection ran before
// takes the prepared one back (preparing was about 15% of `serve`'s CPU
// at intake, every delivery and claim parsing the same few statements).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer::server {

class Db;

class Stmt {
 public:
  // A statement of `sql` on `db`: one this connection prepared before and
  // no other Stmt holds, else a newly prepared one. Its bindings are clear
  // and it is reset; on destruction it is reset again and kept for the
  // next Stmt of the same text. `sql` is a string literal: the Stmt keeps
  // a view of it, and the connection one entry per text.
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
  std::string_view sql_;
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
  // Statements kept for reuse (for tests).
  std::size_t kept_statements() const;

 private:
  friend class Stmt;
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  // Idle prepared statements by their exact text (never by a hash of it:
  // a collision would run another statement). Used by the one thread that
  // uses the connection, as the connection itself is.
  std::map<std::string, std::vector<sqlite3_stmt*>, std::less<>> idle_;
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
