#include "reviewer/server/sqlite_db.h"

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"

namespace reviewer::server {

Db::Db(const std::filesystem::path& path, const char* vfs) : path_(path) {
  // No memory statistics: they take a global mutex on every allocation.
  // Only possible before SQLite initializes (else a harmless SQLITE_MISUSE).
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  // The queue holds webhook payloads: private before SQLite writes to it
  // (its -wal and -shm files take the database file's mode).
  create_private_file(path);
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           vfs);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(Error::Code::io, fmt::format("cannot open the queue database '{}': {}", path.string(), msg));
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // WAL with synchronous=NORMAL: a committed transaction survives the
  // process being killed (the WAL is in the OS page cache); only a power
  // loss can drop the last commits.
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
}

Db::~Db() {
  for (auto& [sql, stmts] : idle_) {
    for (sqlite3_stmt* st : stmts) sqlite3_finalize(st);
  }
  sqlite3_close_v2(db_);
}

std::size_t Db::kept_statements() const {
  std::size_t n = 0;
  for (const auto& [sql, stmts] : idle_) n += stmts.size();
  return n;
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw Error(Error::Code::io, fmt::format("queue database '{}': {}", path_.string(), msg));
  }
}

void Db::fail(const std::string& what) const {
  throw Error(Error::Code::io, fmt::format("queue database '{}': {}: {}", path_.string(), what, sqlite3_errmsg(db_)));
}

Stmt::Stmt(Db& db, const char* sql) : db_(db), sql_(sql) {
  if (auto it = db.idle_.find(sql_); it != db.idle_.end() && !it->second.empty()) {
    stmt_ = it->second.back();
    it->second.pop_back();
    return;
  }
  if (sqlite3_prepare_v2(db.get(), sql, -1, &stmt_, nullptr) != SQLITE_OK) db.fail("prepare");
}

Stmt::~Stmt() {
  if (!stmt_) return;  // a text with no statement in it
  // Reset ends a read the caller left unfinished (its snapshot) and
  // clearing the bindings drops every pointer bound without a copy.
  reset();
  try {
    auto it = db_.idle_.find(sql_);
    if (it == db_.idle_.end()) it = db_.idle_.emplace(std::string(sql_), std::vector<sqlite3_stmt*>{}).first;
    it->second.push_back(stmt_);
  } catch (...) {
    sqlite3_finalize(stmt_);  // out of memory: not kept
  }
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  if (sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_blob_no_copy(int i, std::string_view v) {
  if (sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_STATIC) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_blob(int i, std::string_view v) {
  if (sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) db_.fail("bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("step");
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Stmt::text(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

}  // namespace reviewer::server
