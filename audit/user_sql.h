// What `audit query` and the console's SQL page share to run an auditor's
// own statement: one statement, read-only, within a deadline, and on
// PostgreSQL only as a role that cannot reach the server's files. Internal
// to audit/.
#pragma once

#include <chrono>
#include <string_view>

#include "audit/db.h"
#include "storage/postgres.h"

namespace reviewer::audit {

// Prepares exactly one read-only statement on a read-only connection.
// Throws Error(usage) naming why a statement is refused (a write, a
// function off the list, a second statement, transaction control, a
// syntax error).
Statement prepare_user_sql(Connection& db, std::string_view sql);

// Interrupts the connection's statements once `timeout` has passed, for as
// long as it lives.
class SqliteDeadline {
 public:
  SqliteDeadline(Connection& db, std::chrono::milliseconds timeout);
  ~SqliteDeadline();
  SqliteDeadline(const SqliteDeadline&) = delete;
  SqliteDeadline& operator=(const SqliteDeadline&) = delete;
  bool passed() const { return std::chrono::steady_clock::now() > at_; }

 private:
  Connection& db_;
  std::chrono::steady_clock::time_point at_;
};

// Auditors' queries run as a role that cannot reach the server's files:
// COPY … TO PROGRAM and its kind need superuser or one of
// pg_read_server_files, pg_write_server_files, pg_execute_server_program;
// pg_read_file(), lo_export(), pg_ls_dir(), dblink() and their kind need
// only EXECUTE on the function. Throws Error(usage) naming the role (and
// the functions) when it has any of them.
void refuse_file_access(storage::PgConnection& db);

// Makes `db` an auditor's session: refuses (Error(usage)) a role that can
// read or write the server's files (pg_read_file() and COPY … PROGRAM are
// read-only statements), then sets statement_timeout and
// default_transaction_read_only.
void pg_auditor_session(storage::PgConnection& db, std::chrono::milliseconds timeout);

// Throws Error(usage) "audit query: no SQL statement given", as SQLite's
// side does, when `sql` is only blanks, comments and semicolons: PostgreSQL
// answers that with an empty result, which libpq reports as an error
// without a message.
void require_pg_statement(std::string_view sql);

}  // namespace reviewer::audit
