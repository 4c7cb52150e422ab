// Read-only access for auditors: the file is opened with the read-only
// flag, `PRAGMA query_only` is on, and an authorizer refuses every write,
// schema change, ATTACH/DETACH, any PRAGMA that is not a plain schema
// lookup and any SQL function outside a listed set (readonly.cpp). Three
// independent locks, so a mistake in one is not a write. The FTS3
// tokenizer function is switched off as well. No string or blob may be
// longer than kMaxStringBytes (SQLITE_LIMIT_LENGTH): a statement that
// builds one fails with "string or blob too big" (SQLite's printf() gives
// NULL instead).
#pragma once

#include <cstddef>
#include <filesystem>

#include "audit/db.h"
#include "audit/pack.h"

namespace reviewer::audit {

inline constexpr std::size_t kMaxStringBytes = 2 * kMaxUnpacked;

// Throws reviewer::Error when the file is missing, unreadable or not SQLite.
Connection open_read_only(const std::filesystem::path& path);

// While alive, a connection of open_read_only's refuses transaction
// control as well (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) in the
// statements prepared: an auditor's statement (user_sql.h) must not end
// the snapshot the console's session began for the request.
class NoTransactionControl {
 public:
  explicit NoTransactionControl(Connection& db);
  ~NoTransactionControl();
  NoTransactionControl(const NoTransactionControl&) = delete;
  NoTransactionControl& operator=(const NoTransactionControl&) = delete;
  // A statement prepared meanwhile was refused for being one.
  bool refused() const { return refused_; }

 private:
  Connection& db_;
  bool refused_ = false;
};

}  // namespace reviewer::audit
