#include "audit/verify.h"

#include <sqlite3.h>

#include <map>

#include <fmt/format.h>
#include <re2/re2.h>

#include "audit/chain.h"
#include "audit/readonly.h"
#include "audit/schema_check.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

namespace {

// One table read in seq order, one row ahead.
struct Cursor {
  const TableLayout* layout = nullptr;
  Statement stmt;
  bool has_row = false;
  std::int64_t seq = 0;

  void advance() {
    has_row = stmt.step();
    if (has_row) seq = stmt.column_int64(0);
  }
};

// Reads the current row's values in layout order; a REAL or BLOB value (the
// writer never stores one) is flagged through `foreign`.
std::vector<Value> read_values(const Cursor& c, bool& foreign) {
  std::vector<Value> values(c.layout->columns.size());
  foreign = false;
  for (int i = 0; i < static_cast<int>(values.size()); ++i) {
    switch (c.stmt.column_type(i)) {
      case SQLITE_INTEGER: values[static_cast<std::size_t>(i)] = c.stmt.column_int64(i); break;
      case SQLITE_TEXT: values[static_cast<std::size_t>(i)] = c.stmt.column_text(i); break;
      case SQLITE_NULL: break;
      default: foreign = true; values[static_cast<std::size_t>(i)] = c.stmt.column_text(i);
    }
  }
  return values;
}

VerifyResult fail(VerifyResult r, std::int64_t seq, std::string table, std::string message) {
  r.ok = false;
  r.first_bad_seq = seq;
  r.first_bad_table = std::move(table);
  r.message = std::move(message);
  return r;
}

std::string missing_triggers(Connection& db, const std::vector<TableLayout>& tables) {
  auto q = db.prepare(
      "SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? AND name = ? "
      "AND sql LIKE '%RAISE(ABORT%'");
  for (const auto& t : tables) {
    for (const char* what : {"update", "delete"}) {
      std::string name = fmt::format("{}_no_{}", t.name, what);
      q.bind(1, t.name);
      q.bind(2, name);
      bool present = q.step();
      q.reset();
      if (!present) {
        return fmt::format("append-only trigger {} is missing or altered: table {} accepts {}s",
                           name, t.name, what == std::string("update") ? "UPDATE" : "DELETE");
      }
    }
  }
  return "";
}

}  // namespace

std::string Checkpoint::to_line() const {
  return fmt::format("reviewer-audit-checkpoint rows={} head={} at={}", rows, head_hash, at);
}

std::optional<Checkpoint> Checkpoint::parse(std::string_view line) {
  static const RE2 re(R"re(\s*reviewer-audit-checkpoint rows=([0-9]{1,18}) head=([0-9a-f]{64})(?: at=(\S*))?\s*)re");
  Checkpoint c;
  std::string at;
  if (!RE2::FullMatch(re2::StringPiece(line.data(), line.size()), re, &c.rows, &c.head_hash, &at)) {
    return std::nullopt;
  }
  c.at = at;
  return c;
}

VerifyResult verify(const std::filesystem::path& path, const std::vector<Checkpoint>& checkpoints) {
  auto db = open_read_only(path);
  // One read transaction: a consistent snapshot even while writers append.
  db.exec("BEGIN");
  auto tables = chained_tables(db);
  std::vector<Cursor> cursors;
  cursors.reserve(tables.size());
  for (const auto& t : tables) {
    std::string cols;
    for (const auto& c : t.columns) cols += fmt::format("\"{}\", ", c);
    Cursor c;
    c.layout = &t;
    // seq is column 0 of every layout (the schema declares it first); it is
    // selected again at the end to stay independent of that.
    c.stmt = db.prepare(fmt::format("SELECT {}row_hash, seq FROM \"{}\" ORDER BY seq", cols, t.name));
    cursors.push_back(std::move(c));
  }
  for (auto& c : cursors) {
    c.has_row = c.stmt.step();
    if (c.has_row) c.seq = c.stmt.column_int64(static_cast<int>(c.layout->columns.size()) + 1);
  }
  std::map<std::int64_t, const Checkpoint*> wanted;
  for (const auto& cp : checkpoints) wanted[cp.rows] = &cp;

  VerifyResult r;
  std::string prev(kGenesisHash), prev_prev;
  std::string prev_table;
  std::int64_t expected = 1;
  for (;;) {
    Cursor* next = nullptr;
    for (auto& c : cursors) {
      if (c.has_row && (!next || c.seq < next->seq)) next = &c;
    }
    if (!next) break;
    const std::string& table = next->layout->name;
    std::int64_t seq = next->seq;
    if (seq < expected) {
      return fail(r, seq, table,
                  fmt::format("{} row seq {} repeats a seq already used ({}): a row was inserted",
                              table, seq, prev_table));
    }
    if (seq > expected) {
      return fail(r, expected, table,
                  fmt::format("rows seq {}..{} are missing before {} row seq {}: rows were removed",
                              expected, seq - 1, table, seq));
    }
    bool foreign = false;
    auto values = read_values(*next, foreign);
    int hash_col = static_cast<int>(next->layout->columns.size());
    std::string stored = next->stmt.column_text(hash_col);
    std::string computed = fast_sha256_hex(canonical_row(*next->layout, values));
    // prev_hash is the column after seq in every chained table.
    std::string row_prev;
    for (std::size_t i = 0; i < next->layout->columns.size(); ++i) {
      if (next->layout->columns[i] == "prev_hash") {
        if (auto* s = std::get_if<std::string>(&values[i])) row_prev = *s;
      }
    }
    if (!foreign && computed != stored && row_prev == prev_prev && seq > 1) {
      // This row still chains to the row two back: the one before it is new.
      return fail(r, seq - 1, prev_table,
                  fmt::format("{} row seq {} is not part of the original chain: a row was inserted at "
                              "seq {} and the rows after it renumbered",
                              prev_table, seq - 1, seq - 1));
    }
    if (foreign || computed != stored) {
      return fail(r, seq, table,
                  fmt::format("{} row seq {} does not match its row_hash: the row was edited", table, seq));
    }
    if (row_prev != prev) {
      return fail(r, seq, table,
                  fmt::format("{} row seq {} does not chain to row seq {} ({}): a row was inserted, "
                              "removed or re-hashed at this point",
                              table, seq, seq - 1, prev_table.empty() ? "start" : prev_table));
    }
    if (auto it = wanted.find(seq); it != wanted.end() && it->second->head_hash != stored) {
      return fail(r, seq, table,
                  fmt::format("{} row seq {} has hash {} but checkpoint {} recorded {}: the log was "
                              "rewritten up to here",
                              table, seq, stored, it->second->at, it->second->head_hash));
    }
    prev_prev = prev;
    prev = stored;
    prev_table = table;
    r.rows = seq;
    ++expected;
    next->has_row = next->stmt.step();
    if (next->has_row) next->seq = next->stmt.column_int64(hash_col + 1);
  }
  r.head_hash = prev;
  for (const auto& cp : checkpoints) {
    if (cp.rows > r.rows) {
      return fail(r, r.rows + 1, "",
                  fmt::format("the log has {} rows but checkpoint {} recorded {}: rows were removed "
                              "from the end",
                              r.rows, cp.at, cp.rows));
    }
  }
  if (auto why = missing_triggers(db, tables); !why.empty()) return fail(r, 0, "", why);
  if (auto why = schema_difference(db); !why.empty()) return fail(r, 0, "", why);
  r.ok = true;
  r.message = fmt::format("verified {} rows in {} tables; head {}{}", r.rows, tables.size(), r.head_hash,
                          checkpoints.empty() ? "" : fmt::format("; {} checkpoints match", checkpoints.size()));
  return r;
}

Checkpoint checkpoint(const std::filesystem::path& path) {
  auto db = open_read_only(path);
  auto head = read_head(db, chained_tables(db));
  return Checkpoint{head.seq, head.hash, utc_now_iso8601()};
}

}  // namespace reviewer::audit
