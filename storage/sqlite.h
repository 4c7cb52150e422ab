// Small RAII wrappers over the SQLite C API: a move-only Connection and a
// move-only Statement. Every failure throws reviewer::Error (Code::io) with
// the database path and SQLite's own message, so callers never check codes.
// Both the audit log and the job queue use them.
//
// A connection keeps the statements it prepared through cached(): a
// statement of a text it ran before takes the prepared one back (preparing
// was about 15% of `serve`'s CPU at intake, every delivery and claim
// parsing the same few statements).
//
// Thread-safety: a Connection may be used from several threads only under
// the caller's lock (SQLite is built serialized, but our statements are not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace reviewer::storage {

// A column value as the audit log stores it: NULL, INTEGER or TEXT. (BLOB
// and REAL are read as text/"R"-tagged by the verifier but never written.)
using Value = std::variant<std::monostate, std::int64_t, std::string>;

namespace detail {
// What a Connection and its Statements share: the handle, the name used in
// messages and the statements kept for reuse. It closes the handle when the
// last of them is gone (as sqlite3_close_v2 would wait for the statements).
struct ConnectionState {
  sqlite3* db = nullptr;
  std::string path;
  std::string where;  // "audit database '<path>'", for messages
  int busy_timeout_ms = 0;
  // Idle prepared statements by their exact text (never by a hash of it: a
  // collision would run another statement). Nodes are never erased, so a
  // Statement may point at its text's list. Used by the one thread that
  // uses the connection, as the connection itself is.
  std::map<std::string, std::vector<sqlite3_stmt*>, std::less<>> idle;
  ~ConnectionState();
};
}  // namespace detail

class Statement {
 public:
  Statement() = default;
  // A statement kept for reuse goes back to `home` (its text's idle list)
  // when destroyed, reset and with its bindings cleared; else finalized.
  Statement(std::shared_ptr<detail::ConnectionState> conn, sqlite3_stmt* stmt,
            std::vector<sqlite3_stmt*>* home = nullptr);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  // Each returns *this, for chaining.
  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, int v) { return bind(index, std::int64_t{v}); }
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind_null(int index);
  Statement& bind(int index, const Value& v);
  // Binds without copying: `v` must stay alive and unchanged until the
  // statement is reset (the chain writer's hot path).
  Statement& bind_static(int index, const Value& v);

  // True when a row is available, false when done; throws on error.
  bool step();
  // Steps to the end (statements without rows we need), then reset().
  void run();
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
  const std::string& where() const;
  std::shared_ptr<detail::ConnectionState> conn_;
  sqlite3_stmt* stmt_ = nullptr;
  std::vector<sqlite3_stmt*>* home_ = nullptr;  // where it is kept for reuse, or null
};

class Connection {
 public:
  Connection() = default;
  // sqlite3_open_v2 with `flags` (SQLITE_OPEN_*) and VFS `vfs` (null: the
  // default). The handle SQLite returns even on failure is owned (and
  // closed) at once. Messages name the file as "<label> '<path>'". Throws
  // reviewer::Error.
  static Connection open(const std::filesystem::path& path, int flags, const char* vfs = nullptr,
                         std::string_view label = "audit database");

  // The handle closes once its last Statement is gone too.
  ~Connection() = default;
  Connection(Connection&& other) noexcept = default;
  Connection& operator=(Connection&& other) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return state_ ? state_->db : nullptr; }
  explicit operator bool() const { return get() != nullptr; }
  const std::string& path() const { return state_->path; }

  // Runs one or more statements that return no rows we need.
  void exec(std::string_view sql);
  // A statement of its own, finalized when destroyed.
  Statement prepare(std::string_view sql);
  // A statement of `sql` this connection prepared before and no other
  // Statement holds, else a newly prepared one; it comes reset with its
  // bindings clear, and is kept for the next cached() of the same text when
  // destroyed (which also ends a read left unfinished). For the few
  // constant texts run again and again.
  Statement cached(std::string_view sql);
  // Owns `raw`, prepared on this connection through the C API (by a caller
  // that needs prepare's tail or result code); finalized when destroyed.
  Statement adopt(sqlite3_stmt* raw) { return Statement(state_, raw); }
  // Statements kept for reuse (for tests).
  std::size_t kept_statements() const;
  std::string errmsg() const;
  // "audit database '<path>'", the prefix of every message about this file.
  const std::string& where() const { return state_->where; }

  // How long a statement waits for another connection's lock.
  void set_busy_timeout(int ms);
  int busy_timeout() const { return state_->busy_timeout_ms; }
  // Rows the last INSERT, UPDATE or DELETE changed; the rowid it inserted.
  std::int64_t changes() const;
  std::int64_t last_insert_id() const;

  // Closes; reports failure by throwing (the destructor closes silently).
  void close();

 private:
  explicit Connection(std::shared_ptr<detail::ConnectionState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::ConnectionState> state_;
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
