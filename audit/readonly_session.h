// A read-only view of the log for one request of the auditor's console
// (`reviewer audit serve`): every read of the request sees one snapshot,
// and nothing can write.
//
// - SQLite: the connection of readonly.h (opened read-only, query_only,
//   an authorizer that allows reads only), inside one read transaction.
// - PostgreSQL: a REPEATABLE READ READ ONLY transaction with
//   default_transaction_read_only on and a statement_timeout, as a role
//   that cannot reach the server's files (user_sql.h).
//
// Thread-safety: one session per request and thread (ReadOnlySessions
// below opens them from any thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "audit/log_reader.h"
#include "audit/query.h"

namespace reviewer::audit {

// The most cell text an auditor's query keeps in memory: 1,000 rows of a
// wide table fit many times over; a query that builds huge strings stops.
inline constexpr std::size_t kMaxResultBytes = 16u << 20;

class ReadOnlySession {
 public:
  virtual ~ReadOnlySession() = default;
  // The log, for the console's own queries (console_queries.h).
  virtual LogReader& log() = 0;
  // Runs one auditor statement (the SQL page) and keeps its first
  // `max_rows` rows, and of those only as many as hold at most
  // kMaxResultBytes of cell text (then `too_large` is set as well as
  // `truncated`). Throws Error(usage) with the reason when the
  // statement is refused or fails (a write, a second statement, a
  // function off the list, a syntax error), Error(timeout) past the
  // deadline.
  virtual QueryTable user_query(std::string_view sql, std::size_t max_rows) = 0;
};

// Opens `location` (a postgresql:// URL or an SQLite file) read-only.
// Throws reviewer::Error when it cannot be read, and Error(usage) for a
// PostgreSQL role that can reach the server's files. Statements running
// past `timeout` are stopped with Error(timeout).
std::unique_ptr<ReadOnlySession> open_read_only_session(const std::string& location,
                                                        std::chrono::milliseconds timeout);

class IdleConnections;

// Sessions on one log for a server that opens one per request (the
// console). On PostgreSQL a finished session's connection is kept (up to
// 6; one idle for 60 s or more is closed at the next open() instead of
// being used) and the next session begins its transaction
// on it: no new server process, no role check, and the backend's catalog
// caches warm (a fresh connection cost a change page ~40 ms of its ~50 on
// the 100,000-change log). A session that ran an auditor's SQL (user_query) closes its
// connection instead. On SQLite each session opens the file, as
// open_read_only_session does. Thread-safe.
class ReadOnlySessions {
 public:
  ReadOnlySessions(std::string location, std::chrono::milliseconds timeout);
  ~ReadOnlySessions();
  ReadOnlySessions(const ReadOnlySessions&) = delete;
  ReadOnlySessions& operator=(const ReadOnlySessions&) = delete;

  // As open_read_only_session(location, timeout).
  std::unique_ptr<ReadOnlySession> open() const;

 private:
  std::string location_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<IdleConnections> idle_;  // PostgreSQL only
};

}  // namespace reviewer::audit
