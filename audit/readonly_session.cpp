#include "audit/readonly_session.h"

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "audit/pg_log.h"
#include "audit/readonly.h"
#include "audit/render.h"
#include "audit/user_sql.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

// Connections of finished sessions, kept for the next (ReadOnlySessions).
class IdleConnections {
 public:
  // A full pool makes room by closing the connection idle longest (or
  // expired ones), not the one just returned: that one is the likeliest to
  // be warm for the next request.
  void put(storage::PgConnection db) {
    std::vector<Entry> closing;  // closed after the lock is released
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
      if (now - it->second < kMaxIdleTime && idle_.size() < kMaxIdle) break;
      closing.push_back(std::move(*it));
      it = idle_.erase(it);
    }
    idle_.push_back({std::move(db), now});
  }
  // The most recently used one that has not idled too long.
  std::optional<storage::PgConnection> take() {
    std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      auto [db, since] = std::move(idle_.back());
      idle_.pop_back();
      if (std::chrono::steady_clock::now() - since < kMaxIdleTime) return std::move(db);
    }
    return std::nullopt;
  }

 private:
  // Enough for the listener's I/O threads (4) each with a request's
  // session, and the overview's two at start.
  static constexpr std::size_t kMaxIdle = 6;
  // How long a connection may wait for a request. (The role check that
  // matters, the one before an auditor's own SQL, runs again on every
  // query: PgSession::user_query.)
  static constexpr std::chrono::seconds kMaxIdleTime{60};
  using Entry = std::pair<storage::PgConnection, std::chrono::steady_clock::time_point>;
  std::mutex mutex_;
  std::vector<Entry> idle_;  // oldest first
};

namespace {

Error query_stopped(std::chrono::milliseconds timeout) {
  return Error(Error::Code::timeout, fmt::format("the query ran longer than {} ms and was stopped", timeout.count()));
}

// Reads the next row of a user query into `t` with `cell(c)` for each
// column, unless that would pass kMaxResultBytes of cell text: then marks
// `t` cut and returns false, having copied no cell past the cap.
template <class CellAt>
bool take_row(QueryTable& t, std::size_t columns, std::size_t& bytes, CellAt cell) {
  std::vector<Cell> row;
  row.reserve(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    row.push_back(cell(c));
    bytes += row.back().text.size();
    if (bytes > kMaxResultBytes) {
      t.truncated = t.too_large = true;
      return false;
    }
  }
  t.rows.push_back(std::move(row));
  return true;
}

class SqliteSession final : public ReadOnlySession {
 public:
  SqliteSession(const std::string& path, std::chrono::milliseconds timeout)
      : db_(open_read_only(path)), deadline_(db_, timeout), timeout_(timeout), reader_(sqlite_reader(db_)) {
    db_.exec("BEGIN");  // one snapshot for every read of the request
  }

  LogReader& log() override { return *reader_; }

  QueryTable user_query(std::string_view sql, std::size_t max_rows) override {
    auto stmt = prepare_user_sql(db_, sql);
    QueryTable t;
    for (int c = 0; c < stmt.column_count(); ++c) t.columns.push_back(stmt.column_name(c));
    const auto columns = static_cast<std::size_t>(stmt.column_count());
    std::size_t bytes = 0;
    try {
      while (stmt.step()) {
        if (t.rows.size() == max_rows) {
          t.truncated = true;
          break;
        }
        if (!take_row(t, columns, bytes, [&](std::size_t c) { return read_cell(stmt, static_cast<int>(c)); })) break;
      }
    } catch (const Error& e) {
      if (deadline_.passed()) throw query_stopped(timeout_);
      throw Error(Error::Code::usage, e.what());
    }
    return t;
  }

 private:
  Connection db_;
  SqliteDeadline deadline_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<LogReader> reader_;
};

// A new connection, set up as every session's is.
storage::PgConnection auditor_connection(const std::string& url, std::chrono::milliseconds timeout) {
  auto db = pg_open(url);
  pg_auditor_session(db, timeout);
  // The console's own reads are index look-ups of a few rows or scans
  // that return every row, and neither gains from parallel workers; but
  // the planner puts some look-ups (a change page's 14-table UNION ALL of
  // the rows before its rows) above parallel_setup_cost, and starting the
  // workers took 70-110 ms of a 5 ms query on the 100,000-change log
  // (bench/README.md `## console`). An auditor's own query keeps them
  // (user_query).
  db.exec("SET max_parallel_workers_per_gather = 0");
  return db;
}

class PgSession final : public ReadOnlySession {
 public:
  // Rows per FETCH of an auditor's query: few, as libpq holds a batch
  // whole before the byte cap can look at it.
  static constexpr std::size_t kFetchBatch = 64;

  // `idle`: where the connection goes when the session ends (none: closed).
  PgSession(storage::PgConnection db, std::chrono::milliseconds timeout, std::shared_ptr<IdleConnections> idle)
      : db_(std::move(db)), timeout_(timeout), reader_(pg_reader(db_)), idle_(std::move(idle)) {
    db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  ~PgSession() override {
    try {
      if (!db_.alive()) return;
      db_.exec("ROLLBACK");
      // Only the console's own statements ran: the session state is the
      // one auditor_connection set (a SET LOCAL ended with the
      // transaction). An auditor's SQL could have left more (a session
      // advisory lock, a prepared statement): that connection closes. So
      // does one still inside a transaction, whatever left it there.
      if (idle_ && !ran_user_sql_ && db_.idle()) idle_->put(std::move(db_));
    } catch (const Error&) {
      // The connection closes with the session: nothing was written.
    }
  }

  LogReader& log() override { return *reader_; }

  // A cursor keeps only the rows shown in memory, fetched a batch at a
  // time so that the byte cap stops the reading too. The statement must
  // be one query: DECLARE takes nothing else (not BEGIN, COMMIT or
  // ROLLBACK either), and the extended protocol no second statement.
  QueryTable user_query(std::string_view sql, std::size_t max_rows) override {
    ran_user_sql_ = true;
    // The connection may be older than a grant made since it was checked
    // (a kept one lives as long as requests keep coming): a role that can
    // reach the server's files is refused again here, before any SQL of
    // the auditor's runs.
    refuse_file_access(db_);
    std::string text(sql);
    while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == ';')) {
      text.pop_back();
    }
    QueryTable t;
    try {
      db_.exec("SAVEPOINT user_query; SET LOCAL max_parallel_workers_per_gather TO DEFAULT");
      db_.exec(fmt::format("DECLARE console_user_query NO SCROLL CURSOR FOR {}", text), {});
      std::size_t bytes = 0;
      for (bool first = true, more = true; more; first = false) {
        const auto r = db_.exec(fmt::format("FETCH {} FROM console_user_query", kFetchBatch), {});
        if (first) {
          for (int c = 0; c < r.columns(); ++c) t.columns.push_back(r.column_name(c));
        }
        bool stop = false;
        for (int i = 0; i < r.rows() && !stop; ++i) {
          if (t.rows.size() == max_rows) {
            t.truncated = stop = true;
          } else {
            stop = !take_row(t, t.columns.size(), bytes,
                             [&](std::size_t c) { return pg_cell(r, i, static_cast<int>(c)); });
          }
        }
        more = !stop && static_cast<std::size_t>(r.rows()) == kFetchBatch;
      }
      db_.exec("CLOSE console_user_query; RELEASE SAVEPOINT user_query");
    } catch (const storage::PgError& e) {
      if (e.sqlstate() == "57014") throw query_stopped(timeout_);
      throw Error(Error::Code::usage, fmt::format("audit query: {}", e.what()));
    }
    return t;
  }

 private:
  storage::PgConnection db_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<LogReader> reader_;
  std::shared_ptr<IdleConnections> idle_;
  bool ran_user_sql_ = false;
};

}  // namespace

std::unique_ptr<ReadOnlySession> open_read_only_session(const std::string& location,
                                                        std::chrono::milliseconds timeout) {
  if (storage::is_postgres_url(location)) {
    return std::make_unique<PgSession>(auditor_connection(location, timeout), timeout, nullptr);
  }
  return std::make_unique<SqliteSession>(location, timeout);
}

ReadOnlySessions::ReadOnlySessions(std::string location, std::chrono::milliseconds timeout)
    : location_(std::move(location)), timeout_(timeout) {
  if (storage::is_postgres_url(location_)) idle_ = std::make_shared<IdleConnections>();
}

ReadOnlySessions::~ReadOnlySessions() = default;

std::unique_ptr<ReadOnlySession> ReadOnlySessions::open() const {
  if (!idle_) return open_read_only_session(location_, timeout_);
  while (auto db = idle_->take()) {
    try {
      return std::make_unique<PgSession>(std::move(*db), timeout_, idle_);
    } catch (const storage::PgError&) {
      // Closed while it waited (the server restarted, an idle timeout):
      // the next one, or a new one.
    }
  }
  return std::make_unique<PgSession>(auditor_connection(location_, timeout_), timeout_, idle_);
}

}  // namespace reviewer::audit
