#include "storage/sqlite.h"

#include <sqlite3.h>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::storage {

void throw_sqlite(int rc, const std::string& where, const std::string& message) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(Error::Code::io,
                  fmt::format("{} is locked by another writer and the wait timed out ({}); "
                              "nothing was written, try again",
                              where, message),
                  Error::Retry::transient);
    case SQLITE_FULL:
      throw Error(Error::Code::io,
                  fmt::format("{} is full ({}); the change was not written, earlier records are intact",
                              where, message));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      throw Error(Error::Code::io,
                  fmt::format("{} is corrupt or not an SQLite database ({})", where, message));
    case SQLITE_READONLY:
      throw Error(Error::Code::io, fmt::format("{} is read-only ({})", where, message));
    case SQLITE_CANTOPEN:
      throw Error(Error::Code::io, fmt::format("{} cannot be opened ({})", where, message));
    case SQLITE_IOERR:
      throw Error(Error::Code::io, fmt::format("{}: I/O error ({})", where, message));
    default:
      throw Error(Error::Code::io, fmt::format("{}: {}", where, message));
  }
}

// ---- Statement ----

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string where)
    : db_(db), stmt_(stmt), where_(std::move(where)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& o) noexcept
    : db_(o.db_), stmt_(o.stmt_), where_(std::move(o.where_)) {
  o.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    where_ = std::move(o.where_);
    o.stmt_ = nullptr;
  }
  return *this;
}

void Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) {
    throw_sqlite(rc, where_, fmt::format("binding parameter {}: {}", index, sqlite3_errmsg(db_)));
  }
}

void Statement::bind(int index, std::int64_t v) {
  check_bind(sqlite3_bind_int64(stmt_, index, v), index);
}

void Statement::bind(int index, std::string_view v) {
  check_bind(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
             index);
}

void Statement::bind_null(int index) { check_bind(sqlite3_bind_null(stmt_, index), index); }

void Statement::bind(int index, const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    bind(index, *i);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    bind(index, std::string_view(*s));
  } else {
    bind_null(index);
  }
}

void Statement::bind_static(int index, const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    check_bind(sqlite3_bind_text64(stmt_, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8), index);
  } else {
    bind(index, v);
  }
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);  // leave the statement reusable after the error
  throw_sqlite(rc, where_, msg);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }
int Statement::column_type(int i) const { return sqlite3_column_type(stmt_, i); }
std::int64_t Statement::column_int64(int i) const { return sqlite3_column_int64(stmt_, i); }
bool Statement::is_null(int i) const { return column_type(i) == SQLITE_NULL; }

std::string Statement::column_text(int i) const {
  const auto* p = sqlite3_column_text(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::string Statement::column_name(int i) const {
  const char* n = sqlite3_column_name(stmt_, i);
  return n ? n : "";
}

// ---- Connection ----

void configure_sqlite() {
  // SQLite's memory statistics take a global mutex on every allocation (5 %
  // of a write in perf). Only possible before SQLite initializes; when
  // another component opened a database first, it simply stays on.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
}

Connection Connection::open(const std::filesystem::path& path, int flags, const char* vfs) {
  configure_sqlite();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  Connection c(raw, path.string());  // owns the handle even on failure
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw_sqlite(rc, c.where(), msg);
  }
  sqlite3_extended_result_codes(raw, 1);
  return c;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

Connection::Connection(Connection&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) {
  o.db_ = nullptr;
}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = o.db_;
    path_ = std::move(o.path_);
    o.db_ = nullptr;
  }
  return *this;
}

std::string Connection::where() const { return fmt::format("audit database '{}'", path_); }

std::string Connection::errmsg() const { return db_ ? sqlite3_errmsg(db_) : "not open"; }

void Connection::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw_sqlite(rc, where(), msg);
  }
}

Statement Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    throw_sqlite(rc, where(), errmsg());
  }
  return Statement(db_, stmt, where());
}

void Connection::close() {
  if (!db_) return;
  int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) throw_sqlite(rc, where(), errmsg());
  db_ = nullptr;
}

// ---- Transaction ----

Transaction::Transaction(Connection& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  // A failed COMMIT may already have rolled back; nothing to report here.
  sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace reviewer::storage
