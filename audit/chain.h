// The hash chain that makes the audit log tamper-evident.
//
// Every audit table starts with the chain columns (seq, prev_hash, row_hash,
// recorded_at; see schema/001_reviews.sql). `seq` is one sequence over all
// audit tables together, so the whole log is a single chain: row n's
// prev_hash is row n-1's row_hash, and row_hash is SHA-256 over the
// canonical encoding of every column but row_hash itself (see
// canonical_row). Any edit, insertion or removal inside the chain breaks it;
// a rewrite of the whole chain is caught by comparing against a checkpoint
// (head hash + row count) stored elsewhere.
//
// The tables are discovered from the database itself (any table with the
// three chain columns), so the verifier needs no knowledge of a schema
// version and keeps working on databases written by newer builds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/db.h"

namespace reviewer::audit {

// prev_hash of the first row of the log.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// A chained table's columns in declaration order, row_hash left out.
struct TableLayout {
  std::string name;
  std::vector<std::string> columns;
};

// Every chained table in the database, by name.
std::vector<TableLayout> chained_tables(Connection& db);

// The bytes hashed for one row: a version tag, the table name, then per
// column its name and a typed, length-prefixed value. `values` parallels
// `layout.columns`. Unambiguous: no two different rows encode alike.
std::string canonical_row(const TableLayout& layout, const std::vector<Value>& values);

// Lowercase hex SHA-256 (OpenSSL; the digest is fetched once per process).
std::string fast_sha256_hex(std::string_view bytes);

struct ChainHead {
  std::int64_t seq = 0;                       // rows in the log
  std::string hash = std::string(kGenesisHash);  // row_hash of the last row
};

// The last row of the log over all chained tables.
ChainHead read_head(Connection& db, const std::vector<TableLayout>& tables);

// Appends rows to the chain. Use inside a write transaction the caller holds
// (BEGIN IMMEDIATE), calling start() first so the head is read under the lock.
// Not thread-safe: the store serializes writers.
class ChainWriter {
 public:
  class Row {
   public:
    // Sets a column by name; throws Error(internal) for an unknown column,
    // which is a bug in the writer, not bad input.
    Row& set(std::string_view column, Value v);
    Row& set(std::string_view column, std::string_view v) { return set(column, Value(std::string(v))); }
    Row& set(std::string_view column, const std::string& v) { return set(column, Value(v)); }
    Row& set(std::string_view column, const char* v) { return set(column, std::string_view(v)); }
    Row& set(std::string_view column, std::int64_t v) { return set(column, Value(v)); }
    Row& set(std::string_view column, int v) { return set(column, Value(std::int64_t{v})); }
    Row& set(std::string_view column, bool v) { return set(column, Value(std::int64_t{v ? 1 : 0})); }

   private:
    friend class ChainWriter;
    std::size_t table_ = 0;
    std::size_t next_ = 0;  // the column most likely set next
    const TableLayout* layout_ = nullptr;
    std::vector<Value> values_;
  };

  explicit ChainWriter(Connection& db);

  // Reads the head (re-loading the table list first if the schema changed);
  // `now` becomes every appended row's recorded_at.
  void start(std::string now);
  Row row(std::string_view table) const;
  // Fills seq, prev_hash and recorded_at, hashes and inserts the row.
  void append(Row& row);
  const ChainHead& head() const { return head_; }
  // The caller committed everything appended since start(): the next
  // start() may reuse the head instead of reading it, unless another
  // connection committed in between (PRAGMA data_version tells).
  void committed();
  // Back to an earlier head after the caller rolled back to a savepoint.
  void rewind(ChainHead head) { head_ = std::move(head); }

 private:
  // Discovers the chained tables and prepares their statements; again
  // whenever the schema changed under us (another process migrated the
  // file), so the head is always taken over every chained table.
  void load();

  Connection& db_;
  std::int64_t schema_cookie_ = -1;
  Statement cookie_query_;
  Statement data_version_query_;
  std::int64_t data_version_ = -1;  // at the last committed(); -1: read the head
  std::int64_t pending_version_ = -1;
  ChainHead committed_head_;
  std::vector<TableLayout> tables_;
  std::vector<Statement> inserts_;
  std::vector<Statement> head_queries_;
  ChainHead head_;
  std::string now_;
};

}  // namespace reviewer::audit
