// Small RAII wrappers over the SQLite C API: a move-only Connection and a
// move-only Statement. Every failure throws reviewer::Error (Code::io) with
// the database path and SQLite's own message, so callers never check codes.
//
// Thread-safety: a Connection may be used from several threads only under
// the caller's lock (SQLite is built serialized, but our statements are not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

struct sqlite3;
struct sqlite3_stmt;

namespace reviewer::storage {

// A column value as the audit log stores it: NULL, INTEGER or TEXT. (BLOB
// and REAL are read as text/"R"-tagged by the verifier but never written.)
using Value = std::variant<std::monostate, std::int64_t, std::string>;

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string where);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  void bind(int index, std::int64_t v);
  void bind(int index, std::string_view v);
  void bind(int index, const std::string& v) { bind(index, std::string_view(v)); }
  void bind(int index, const char* v) { bind(index, std::string_view(v)); }
  void bind_null(int index);
  void bind(int index, const Value& v);
  // Binds without copying: `v` must stay alive and unchanged until the
  // statement is reset (the chain writer's hot path).
  void bind_static(int index, const Value& v);

  // True when a row is available, false when done; throws on error.
  bool step();
  // Resets for re-use and clears bindings.
  void reset();

  int column_count() const;
  int column_type(int i) const;  // SQLITE_INTEGER, SQLITE_TEXT, ...
  std::int64_t column_int64(int i) const;
  std::string column_text(int i) const;
  std::string column_name(int i) const;
  bool is_null(int i) const;

 private:
  void check_bind(int rc, int index);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string where_;  // "audit database <path>", for messages
};

class Connection {
 public:
  Connection() = default;
  // sqlite3_open_v2 with `flags` (SQLITE_OPEN_*) and VFS `vfs` (null: the
  // default). The handle SQLite returns even on failure is owned (and
  // closed) at once. Throws reviewer::Error.
  static Connection open(const std::filesystem::path& path, int flags, const char* vfs = nullptr);

  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  explicit operator bool() const { return db_ != nullptr; }
  const std::string& path() const { return path_; }

  // Runs one or more statements that return no rows we need.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::string errmsg() const;
  // "audit database <path>", the prefix of every message about this file.
  std::string where() const;

  // Closes; reports failure by throwing (the destructor closes silently).
  void close();

 private:
  explicit Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE on construction (takes the write lock, waiting up to the
// busy timeout); ROLLBACK in the destructor unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& db_;
  bool done_ = false;
};

// Process-wide SQLite settings that must precede its initialization; the
// first Connection::open calls it, and so must anything that would
// initialize SQLite before (sqlite3_vfs_find). Idempotent.
void configure_sqlite();

// Turns an SQLite result code and message into a sentence a user can act on.
[[noreturn]] void throw_sqlite(int rc, const std::string& where, const std::string& message);

}  // namespace reviewer::storage
