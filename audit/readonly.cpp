#include "audit/readonly.h"

#include <sqlite3.h>

#include <algorithm>
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

// The SQL functions an auditor's query may call: SQLite's core scalar,
// aggregate, window, date, math and JSON functions, and our unpack().
// Everything else is refused, e.g. fts3_tokenizer (returns a pointer into
// libsqlite3 and, with an address, installs native code), load_extension,
// zeroblob and randomblob (a gigabyte allocation in one call) and the
// compile-option probes.
constexpr const char* kFunctions[] = {
    // core scalar
    "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif", "instr",
    "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif", "octet_length",
    "printf", "quote", "replace", "round", "rtrim", "sign", "soundex", "substr", "substring", "trim", "typeof",
    "unhex", "unicode", "unlikely", "upper", "sqlite_version", "sqlite_source_id", "changes", "total_changes",
    "last_insert_rowid", "random",
    // date and time
    "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
    // aggregate
    "avg", "count", "group_concat", "string_agg", "sum", "total",
    // window
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
    "last_value", "nth_value",
    // math
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh", "degrees",
    "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "sin", "sinh", "sqrt",
    "tan", "tanh", "trunc",
    // JSON
    "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object", "json_patch",
    "json_remove", "json_replace", "json_set", "json_type", "json_valid", "json_quote", "json_group_array",
    "json_group_object", "json_error_position",
    // ours: model prompts and answers are stored compressed
    "unpack"};

bool allowed_function(const char* name) {
  return name && std::any_of(std::begin(kFunctions), std::end(kFunctions),
                             [name](const char* f) { return sqlite3_stricmp(name, f) == 0; });
}

// `refusing`: null for the connection's own statements, else the flag
// NoTransactionControl raises when it refuses one.
int authorize(void* refusing, int action, const char* arg1, const char* arg2, const char*, const char*) {
  if (refusing && (action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT)) {
    *static_cast<bool*>(refusing) = true;
    return SQLITE_DENY;
  }
  switch (action) {
    case SQLITE_FUNCTION:
      return allowed_function(arg2) ? SQLITE_OK : SQLITE_DENY;
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
    case SQLITE_TRANSACTION:  // the session's own BEGIN/COMMIT: a snapshot for consistent reads
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
  // NOMUTEX: a read-only connection is used by one thread at a time (one
  // per console request or summary reader); SQLite's serialized mode took
  // a mutex on every column read, 8 % of the overview summary's build.
  auto db = Connection::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
  // Belt and braces with the allow-list: the two-argument fts3_tokenizer()
  // would otherwise register native code from an address.
  if (sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, nullptr) != SQLITE_OK) {
    throw Error(Error::Code::io, fmt::format("{}: cannot disable the FTS3 tokenizer function", db.where()));
  }
  // No string or blob (a stored value, or one a query builds) longer
  // than this: printf('%200000000d') and replace() on it would otherwise
  // take gigabytes in one step of the statement, where neither the
  // deadline's progress handler nor a result cap can stop it. It leaves
  // room for unpack()'s largest text and for the packed value it comes
  // from (base64 of zlib output: 4/3 of a text that does not compress).
  sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, static_cast<int>(kMaxStringBytes));
  sqlite3_busy_timeout(db.get(), 5000);
  db.exec("PRAGMA query_only = 1");
  // Reading the schema here makes a corrupt or foreign file fail at open.
  db.prepare("SELECT count(*) FROM sqlite_schema").step();
  register_unpack_function(db.get());  // unpack(prompt_z): model prompts and answers
  sqlite3_set_authorizer(db.get(), authorize, nullptr);
  return db;
}

NoTransactionControl::NoTransactionControl(Connection& db) : db_(db) {
  sqlite3_set_authorizer(db_.get(), authorize, &refused_);
}

NoTransactionControl::~NoTransactionControl() { sqlite3_set_authorizer(db_.get(), authorize, nullptr); }

}  // namespace reviewer::audit
