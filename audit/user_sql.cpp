#include "audit/user_sql.h"

#include <cctype>

#include <sqlite3.h>

#include <fmt/format.h>
#include <re2/re2.h>

#include "audit/readonly.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

namespace {

int past_deadline(void* p) {
  return std::chrono::steady_clock::now() > *static_cast<std::chrono::steady_clock::time_point*>(p) ? 1 : 0;
}

bool only_space_or_comments(Connection& db, const char* tail) {
  // Prepare what follows the first statement: only comments and blanks
  // yield no statement.
  while (tail && *tail) {
    sqlite3_stmt* s = nullptr;
    const char* rest = nullptr;
    int rc = sqlite3_prepare_v2(db.get(), tail, -1, &s, &rest);
    bool empty = rc == SQLITE_OK && s == nullptr;
    sqlite3_finalize(s);
    if (!empty) return false;
    if (rest == tail) break;
    tail = rest;
  }
  return true;
}

}  // namespace

Statement prepare_user_sql(Connection& db, std::string_view sql) {
  std::string text(sql);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  NoTransactionControl no_transactions(db);
  int rc = sqlite3_prepare_v2(db.get(), text.c_str(), -1, &raw, &tail);
  Statement stmt = db.adopt(raw);
  if ((rc & 0xff) == SQLITE_AUTH && no_transactions.refused()) {
    throw Error(Error::Code::usage,
                "audit query: transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is refused: the "
                "statement runs inside the request's own read snapshot");
  }
  if ((rc & 0xff) == SQLITE_AUTH) {
    throw Error(Error::Code::usage,
                "audit query is read-only: the statement would write, change the schema, ATTACH a "
                "database or use a PRAGMA that is not a schema lookup; refused, nothing was written");
  }
  if (rc != SQLITE_OK) {
    // The authorizer's refusal of a function comes back as SQLite's
    // "not authorized to use function: NAME".
    static const RE2 refused_function(R"re(not authorized to use function: (\S+))re");
    std::string name;
    if (RE2::PartialMatch(db.errmsg(), refused_function, &name)) {
      throw Error(Error::Code::usage,
                  fmt::format("audit query: the SQL function {} is not on the read-only list (audit/README.md); "
                              "refused",
                              name));
    }
    throw Error(Error::Code::usage, fmt::format("audit query: {}", db.errmsg()));
  }
  if (!raw) throw Error(Error::Code::usage, "audit query: no SQL statement given");
  if (!only_space_or_comments(db, tail)) {
    throw Error(Error::Code::usage, "audit query runs exactly one statement; remove what follows the first ';'");
  }
  if (!sqlite3_stmt_readonly(raw)) {
    throw Error(Error::Code::usage, "audit query is read-only: the statement would write; refused");
  }
  return stmt;
}


SqliteDeadline::SqliteDeadline(Connection& db, std::chrono::milliseconds timeout)
    : db_(db), at_(std::chrono::steady_clock::now() + timeout) {
  sqlite3_progress_handler(db_.get(), 10000, past_deadline, &at_);
}

SqliteDeadline::~SqliteDeadline() { sqlite3_progress_handler(db_.get(), 0, nullptr, nullptr); }

// Functions that read, list or write the server's files, or reach the
// network as the server: revoked from PUBLIC as installed (dblink's
// excepted), but grantable one by one, and a single grant is enough to read
// pg_hba.conf (pg_read_file) or write a file as the server's user
// (lo_export). By name in every schema: an extension (adminpack, dblink)
// installs them where it is told.
constexpr std::string_view kFileFunctions = R"sql(
SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text) FROM pg_proc p
WHERE (p.proname IN ('pg_read_file', 'pg_read_binary_file', 'pg_stat_file', 'lo_import', 'lo_export',
                     'pg_logdir_ls')
       OR p.proname LIKE 'pg\_ls\_%' OR p.proname LIKE 'pg\_file\_%' OR p.proname LIKE 'dblink%')
  AND has_function_privilege(p.oid, 'EXECUTE'))sql";

void refuse_file_access(storage::PgConnection& db) {
  auto r = db.exec(
      "SELECT r.rolname::text FROM pg_roles r WHERE r.rolname = current_user AND (r.rolsuper "
      "OR pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') "
      "OR pg_has_role(current_user, 'pg_write_server_files', 'MEMBER') "
      "OR pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'))");
  if (r.rows() > 0) {
    throw Error(Error::Code::usage,
                fmt::format("audit query refuses to run as role '{}', which can read or write the server's files; "
                            "connect as a read-only auditor role (README, \"Several instances on PostgreSQL\")",
                            r.text(0, 0)));
  }
  auto f = db.exec(kFileFunctions);
  if (!f.is_null(0, 0)) {
    throw Error(Error::Code::usage,
                fmt::format("audit query refuses to run as role '{}', which may execute {}: these read, list or "
                            "write the server's files or reach the network; revoke EXECUTE on them from the role "
                            "(and from PUBLIC) (README, \"Several instances on PostgreSQL\")",
                            db.exec("SELECT current_user::text").text(0, 0), f.text(0, 0)));
  }
}

void pg_auditor_session(storage::PgConnection& db, std::chrono::milliseconds timeout) {
  refuse_file_access(db);
  db.exec(fmt::format("SET statement_timeout = {}; SET default_transaction_read_only = on", timeout.count()));
}

void require_pg_statement(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == ';' || std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
    } else if (sql.substr(i, 2) == "/*") {
      // PostgreSQL's block comments nest.
      int depth = 0;
      do {
        if (sql.substr(i, 2) == "/*") ++depth, i += 2;
        else if (sql.substr(i, 2) == "*/") --depth, i += 2;
        else ++i;
      } while (depth > 0 && i < sql.size());
    } else {
      return;
    }
  }
  throw Error(Error::Code::usage, "audit query: no SQL statement given");
}

}  // namespace reviewer::audit
