// Read access to an audit log, whichever database holds it: the queries
// both backends share (a PR's history, revert links, the chain walk of
// `audit verify`) are written once against this interface. SQL passed to
// it is the common dialect of SQLite and PostgreSQL, with parameters
// written ?1, ?2, ….
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/chain.h"

namespace reviewer::audit {

// One result row, its values typed as the chain hashes them. `foreign` is
// set when a value had a type the writer never stores (an SQLite REAL or
// BLOB): such a row cannot be the one that was hashed.
struct LogRow {
  std::vector<Value> values;
  bool foreign = false;
};

class LogReader {
 public:
  virtual ~LogReader() = default;
  // Runs one read statement; calls `row` for each result row. Throws
  // reviewer::Error on a database failure.
  virtual void each(std::string_view sql, const std::vector<Value>& params,
                    const std::function<void(const LogRow&)>& row) = 0;
  // Every chained table, by name, columns in declaration order.
  virtual std::vector<TableLayout> chained_tables() = 0;
  // Every column of `table` (row_hash included), in declaration order.
  virtual std::vector<std::string> column_names(const std::string& table) = 0;
  // The schema version recorded in the log.
  virtual int schema_version() = 0;
  // What the backend's own structure checks find wrong (a missing
  // append-only trigger, a schema unlike this build's): "" when nothing.
  virtual std::string structure_problem(const std::vector<TableLayout>& tables) = 0;
  // "audit database …", the prefix of messages about this log.
  virtual std::string where() const = 0;
  // The database holding the log, for the few reads whose best SQL differs
  // (console_queries.cpp each_reverted_rule_run).
  enum class Backend { sqlite, postgres };
  virtual Backend backend() const = 0;
};

// The last row of the log over `tables`, read through `log`.
ChainHead read_head(LogReader& log, const std::vector<TableLayout>& tables);

// Over an open SQLite connection (not owned); the caller holds any
// transaction it wants the reads to share.
// With `keep_statements`, the connection keeps each statement for the next
// read of the same text (Connection::cached): for a reader whose SQL is a
// fixed set of texts run again and again (the store's history lookups at
// every review), never one that builds texts from values.
std::unique_ptr<LogReader> sqlite_reader(Connection& db, bool keep_statements = false);

}  // namespace reviewer::audit
