#include "audit/readonly.h"

#include <sqlite3.h>

#include <array>

#include <fmt/format.h>

#include "audit/pack.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

namespace {

// PRAGMAs that only describe the schema; everything else (including
// writable settings read without a value) is refused.
constexpr std::array<const char*, 7> kReadOnlyPragmas = {
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "table_list"};

int authorize(void*, int action, const char* arg1, const char*, const char*, const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
    case SQLITE_TRANSACTION:  // BEGIN/COMMIT: a snapshot for consistent reads
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      for (const char* p : kReadOnlyPragmas) {
        if (arg1 && sqlite3_stricmp(arg1, p) == 0) return SQLITE_OK;
      }
      return SQLITE_DENY;
    default:
      return SQLITE_DENY;  // INSERT, UPDATE, DELETE, CREATE*, DROP*, ATTACH, DETACH, ...
  }
}

}  // namespace

Connection open_read_only(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error(Error::Code::io, fmt::format("audit database '{}' does not exist", path.string()));
  }
  auto db = Connection::open(path, SQLITE_OPEN_READONLY);
  sqlite3_busy_timeout(db.get(), 5000);
  db.exec("PRAGMA query_only = 1");
  // Reading the schema here makes a corrupt or foreign file fail at open.
  db.prepare("SELECT count(*) FROM sqlite_schema").step();
  register_unpack_function(db.get());  // unpack(prompt_z): model prompts and answers
  sqlite3_set_authorizer(db.get(), authorize, nullptr);
  return db;
}

}  // namespace reviewer::audit
