// Small RAII wrappers over libpq: a move-only PgConnection and the PgResult
// of one command. Every failure throws reviewer::Error(io) naming the
// server (its URL without a password) and PostgreSQL's own message; errors
// that a retry can cure (a lost connection, a serialization failure, a
// deadlock) are marked transient.
//
// Values travel as text (libpq's text format): integers are written and
// read as decimal, NULL is std::monostate, as in the SQLite wrapper's Value.
//
// Thread-safety: a PgConnection is used by one thread at a time (libpq's
// rule); the caller locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "reviewer/core/error.h"
#include "storage/sqlite.h"  // Value

struct pg_conn;
struct pg_result;

namespace reviewer::storage {

// True for postgresql:// and postgres:// URLs.
bool is_postgres_url(std::string_view url);

// The URL with any password removed (user:pass@ and password=…), for
// messages and logs.
std::string redact_url(std::string_view url);

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* r);
  int rows() const;
  int columns() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;  // NULL reads as ""
  std::int64_t int64(int row, int col) const;
  std::string column_name(int col) const;
  // The column's type OID (pg_type.oid), for callers that render values.
  unsigned column_type(int col) const;
  // The value typed as the audit log hashes it: int2/int4/int8 columns as
  // integers, NULL as monostate, anything else as text.
  Value value(int row, int col) const;
  // The same into `v`, reusing its string's buffer when it holds one (a
  // reader of many rows allocates once per column, not once per value).
  void value_into(int row, int col, Value& v) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  struct Free {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Free> r_;
};

// One statement of a pipeline, with its parameters as in exec();
// `binary_index` as in exec(), or none.
struct PgStatement {
  std::string_view sql;
  std::vector<Value> params;
  std::size_t binary_index = static_cast<std::size_t>(-1);
};

class PgConnection {
 public:
  PgConnection() = default;
  // Connects to `url` (a libpq URI). Throws Error(io) with one line naming
  // the redacted URL and the reason when the server cannot be reached.
  // Unless the URL says otherwise, a connection attempt gives up after 5 s
  // (connect_timeout) and TCP keepalives detect a lost peer in ~25 s.
  // `label` starts every message ("audit database", "queue database").
  static PgConnection open(const std::string& url, std::string label);

  explicit operator bool() const { return conn_ != nullptr; }
  // Runs one or more statements without parameters (migrations).
  PgResult exec(std::string_view sql);
  // Runs one statement with $1, $2… bound to `params`.
  PgResult exec(std::string_view sql, const std::vector<Value>& params);
  // The same, with parameter `binary_index` (0-based) sent as raw bytes in
  // libpq's binary format, for a bytea column: no hex doubling, and any
  // byte (NUL too) is allowed there.
  PgResult exec(std::string_view sql, const std::vector<Value>& params, std::size_t binary_index);
  // exec(sql, params) with the statement prepared on its first use and
  // kept by this connection: for constant SQL that runs often, never for
  // SQL built from data.
  PgResult prepared(std::string_view sql, const std::vector<Value>& params);
  // Runs one statement as exec(sql, params) does, handing `row` each row
  // (`result`, row `index`) as it arrives, libpq's single-row mode: the
  // whole result is never held in memory, only the row being read (the
  // console's summary reads ~266,000 events at start: ~40 MB as one
  // result, all of it fresh memory). `result` is valid during the call
  // only. When `row` throws, the rest of the result is read and dropped
  // (the statement is not cancelled: a transaction around it stays
  // usable) and the exception passed on.
  void each_row(std::string_view sql, const std::vector<Value>& params,
                const std::function<void(const PgResult& result, int index)>& row);
  // Sends every statement before reading any result (libpq's pipeline
  // mode): one round trip instead of one per statement. Results come in
  // order. The first failure is thrown as exec() would throw it; the
  // statements after it did not run. A transaction around it stays the
  // caller's. Statements are prepared as prepared() prepares them.
  std::vector<PgResult> pipeline(const std::vector<PgStatement>& statements);
  // "<label> <redacted url>", the prefix of every message.
  std::string where() const;
  const std::string& url() const { return url_; }
  // True while the connection is usable (false after the server went away).
  bool alive() const;
  // True when no transaction is open and no command is under way.
  bool idle() const;
  // Waits up to `timeout` for a notification on a channel this connection
  // LISTENs on (exec("LISTEN name") first); true when at least one came
  // (all that came are consumed). Throws PgError when the connection is
  // lost.
  bool wait_for_notification(std::chrono::milliseconds timeout);
  pg_conn* get() const { return conn_.get(); }

 private:
  struct Finish {
    void operator()(pg_conn* c) const;
  };
  struct Bound;
  std::string prepare_once(std::string_view sql, std::size_t params);
  Bound bind(const std::vector<Value>& params, std::size_t binary_index) const;
  PgResult check(pg_result* r, std::string_view sql);
  std::unique_ptr<pg_conn, Finish> conn_;
  struct TextHash {
    using is_transparent = void;  // looked up by string_view, without a copy
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Each prepared statement's text -> its name.
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> prepared_;
  std::string url_;
  std::string label_;
};

// BEGIN of a transaction that writes: READ COMMITTED named, whatever the
// role's or database's default_transaction_isolation says. A writer that
// waits for a lock and then reads (the chain's head, a schema version, the
// job its batch supersedes) must see what the lock's holder committed;
// under REPEATABLE READ its snapshot would predate the wait. Pipelines
// start their transactions with it too.
constexpr std::string_view kBeginReadCommitted = "BEGIN ISOLATION LEVEL READ COMMITTED";

// For a transaction that takes a lock other sessions could hold (the audit
// chain's, intake's per-pull-request ones): a holder that never lets go
// (a hung instance, a session left open) fails the wait after 5 s with
// 55P03, a transient PgError, instead of stalling every writer behind it.
constexpr std::string_view kSetLockTimeout = "SET LOCAL lock_timeout = '5s'";

// BEGIN on construction; ROLLBACK in the destructor unless commit() ran.
class PgTransaction {
 public:
  enum class Mode {
    read_committed,      // kBeginReadCommitted: for writers
    snapshot_read_only,  // REPEATABLE READ READ ONLY: one snapshot for every read
  };
  explicit PgTransaction(PgConnection& db, Mode mode = Mode::read_committed);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit();

 private:
  PgConnection& db_;
  bool done_ = false;
};

// What the wrapper throws: a reviewer::Error that also carries the
// server's SQLSTATE ("23505" for a unique violation; empty when the
// connection itself failed), so callers can tell errors apart without
// reading messages.
class PgError : public Error {
 public:
  PgError(const std::string& message, std::string sqlstate, Retry retry, std::string constraint = {})
      : Error(Code::io, message, retry), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // The constraint violated ("review_runs_run_id_key"), when the server
  // named one: a unique violation on a chain's seq is not a duplicate run.
  const std::string& constraint() const { return constraint_; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

// `name` as a quoted SQL identifier ("a""b"): table and column names read
// from a database (an audit file being copied) are data, never SQL.
std::string pg_identifier(std::string_view name);

}  // namespace reviewer::storage
