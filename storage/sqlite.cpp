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

namespace detail {
ConnectionState::~ConnectionState() {
  for (auto& [sql, stmts] : idle) {
    for (sqlite3_stmt* st : stmts) sqlite3_finalize(st);
  }
  sqlite3_close_v2(db);
}
}  // namespace detail

Statement::Statement(std::shared_ptr<detail::ConnectionState> conn, sqlite3_stmt* stmt,
                     std::vector<sqlite3_stmt*>* home)
    : conn_(std::move(conn)), stmt_(stmt), home_(home) {}

namespace {
// Back to its text's idle list, reset (which ends a read the caller left
// unfinished, its snapshot) and with its bindings cleared (which drops
// every pointer bound without a copy); finalized when not kept.
void release(sqlite3_stmt* stmt, std::vector<sqlite3_stmt*>* home) {
  if (!stmt) return;
  if (!home) {
    sqlite3_finalize(stmt);
    return;
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  try {
    home->push_back(stmt);
  } catch (...) {
    sqlite3_finalize(stmt);  // out of memory: not kept
  }
}
}  // namespace

Statement::~Statement() { release(stmt_, home_); }

Statement::Statement(Statement&& o) noexcept : conn_(std::move(o.conn_)), stmt_(o.stmt_), home_(o.home_) {
  o.stmt_ = nullptr;
  o.home_ = nullptr;
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    release(stmt_, home_);
    conn_ = std::move(o.conn_);
    stmt_ = o.stmt_;
    home_ = o.home_;
    o.stmt_ = nullptr;
    o.home_ = nullptr;
  }
  return *this;
}

const std::string& Statement::where() const {
  static const std::string none = "database (closed)";
  return conn_ ? conn_->where : none;
}

void Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) {
    throw_sqlite(rc, where(), fmt::format("binding parameter {}: {}", index, sqlite3_errmsg(conn_->db)));
  }
}

Statement& Statement::bind(int index, std::int64_t v) {
  check_bind(sqlite3_bind_int64(stmt_, index, v), index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  check_bind(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
             index);
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::bind(int index, const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return bind(index, *i);
  if (const auto* s = std::get_if<std::string>(&v)) return bind(index, std::string_view(*s));
  return bind_null(index);
}

Statement& Statement::bind_static(int index, const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    check_bind(sqlite3_bind_text64(stmt_, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8), index);
    return *this;
  }
  return bind(index, v);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(conn_->db);
  sqlite3_reset(stmt_);  // leave the statement reusable after the error
  throw_sqlite(rc, where(), msg);
}

void Statement::run() {
  while (step()) {
  }
  reset();
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

Connection Connection::open(const std::filesystem::path& path, int flags, const char* vfs, std::string_view label) {
  configure_sqlite();
  auto state = std::make_shared<detail::ConnectionState>();
  state->path = path.string();
  state->where = fmt::format("{} '{}'", label, state->path);
  int rc = sqlite3_open_v2(path.c_str(), &state->db, flags, vfs);
  Connection c(std::move(state));  // owns the handle even on failure
  if (rc != SQLITE_OK) {
    std::string msg = c.get() ? sqlite3_errmsg(c.get()) : sqlite3_errstr(rc);
    throw_sqlite(rc, c.where(), msg);
  }
  sqlite3_extended_result_codes(c.get(), 1);
  return c;
}

std::string Connection::errmsg() const { return get() ? sqlite3_errmsg(get()) : "not open"; }

void Connection::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(get());
    sqlite3_free(err);
    throw_sqlite(rc, where(), msg);
  }
}

namespace {
sqlite3_stmt* prepare_raw(const Connection& c, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(c.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    throw_sqlite(rc, c.where(), c.errmsg());
  }
  return stmt;
}
}  // namespace

Statement Connection::prepare(std::string_view sql) { return Statement(state_, prepare_raw(*this, sql)); }

Statement Connection::cached(std::string_view sql) {
  auto it = state_->idle.find(sql);
  if (it == state_->idle.end()) it = state_->idle.emplace(std::string(sql), std::vector<sqlite3_stmt*>{}).first;
  auto& home = it->second;
  if (!home.empty()) {
    sqlite3_stmt* stmt = home.back();
    home.pop_back();
    return Statement(state_, stmt, &home);
  }
  return Statement(state_, prepare_raw(*this, sql), &home);
}

std::size_t Connection::kept_statements() const {
  std::size_t n = 0;
  for (const auto& [sql, stmts] : state_->idle) n += stmts.size();
  return n;
}

void Connection::set_busy_timeout(int ms) {
  sqlite3_busy_timeout(get(), ms);
  state_->busy_timeout_ms = ms;
}

std::int64_t Connection::changes() const { return sqlite3_changes64(get()); }
std::int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(get()); }

void Connection::close() {
  if (!get()) return;
  for (auto& [sql, stmts] : state_->idle) {
    for (sqlite3_stmt* st : stmts) sqlite3_finalize(st);
    stmts.clear();
  }
  int rc = sqlite3_close(get());
  if (rc != SQLITE_OK) throw_sqlite(rc, where(), errmsg());
  state_->db = nullptr;
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
