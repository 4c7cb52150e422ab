#include "audit/readonly_session.h"

#include <fmt/format.h>

#include "audit/pg_log.h"
#include "audit/readonly.h"
#include "audit/render.h"
#include "audit/user_sql.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

namespace {

Error query_stopped(std::chrono::milliseconds timeout) {
  return Error(Error::Code::timeout, fmt::format("the query ran longer than {} ms and was stopped", timeout.count()));
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
    try {
      while (stmt.step()) {
        if (t.rows.size() == max_rows) {
          t.truncated = true;
          break;
        }
        auto& row = t.rows.emplace_back();
        for (int c = 0; c < stmt.column_count(); ++c) row.push_back(read_cell(stmt, c));
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

class PgSession final : public ReadOnlySession {
 public:
  PgSession(const std::string& url, std::chrono::milliseconds timeout)
      : db_(pg_open(url)), timeout_(timeout), reader_(pg_reader(db_)) {
    pg_auditor_session(db_, timeout);
    // The console's own reads are index look-ups of a few rows or scans
    // that return every row, and neither gains from parallel workers; but
    // the planner puts some look-ups (a change page's 14-table UNION ALL of
    // the rows before its rows) above parallel_setup_cost, and starting the
    // workers took 70-110 ms of a 5 ms query on the 100,000-change log
    // (bench/README.md `## console`). An auditor's own query keeps them
    // (user_query).
    db_.exec("SET max_parallel_workers_per_gather = 0");
    db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  ~PgSession() override {
    try {
      if (db_.alive()) db_.exec("ROLLBACK");
    } catch (const Error&) {
      // The connection closes with the session: nothing was written.
    }
  }

  LogReader& log() override { return *reader_; }

  // A cursor keeps only the rows shown in memory. The statement must be
  // one query: DECLARE takes nothing else, and the extended protocol no
  // second statement.
  QueryTable user_query(std::string_view sql, std::size_t max_rows) override {
    std::string text(sql);
    while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == ';')) {
      text.pop_back();
    }
    QueryTable t;
    try {
      db_.exec("SAVEPOINT user_query; SET LOCAL max_parallel_workers_per_gather TO DEFAULT");
      db_.exec(fmt::format("DECLARE console_user_query NO SCROLL CURSOR FOR {}", text), {});
      auto r = db_.exec(fmt::format("FETCH {} FROM console_user_query", max_rows + 1), {});
      for (int c = 0; c < r.columns(); ++c) t.columns.push_back(r.column_name(c));
      for (int i = 0; i < r.rows(); ++i) {
        if (t.rows.size() == max_rows) {
          t.truncated = true;
          break;
        }
        auto& row = t.rows.emplace_back();
        for (int c = 0; c < r.columns(); ++c) row.push_back(cell_of(r.value(i, c)));
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
};

}  // namespace

std::unique_ptr<ReadOnlySession> open_read_only_session(const std::string& location,
                                                        std::chrono::milliseconds timeout) {
  if (storage::is_postgres_url(location)) return std::make_unique<PgSession>(location, timeout);
  return std::make_unique<SqliteSession>(location, timeout);
}

}  // namespace reviewer::audit
