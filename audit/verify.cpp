#include "audit/verify.h"

#include <limits>
#include <map>

#include <fmt/format.h>
#include <re2/re2.h>

#include "audit/chain.h"
#include "audit/history.h"
#include "audit/log_reader.h"
#include "audit/pg_log.h"
#include "audit/pg_schema_check.h"
#include "audit/readonly.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

namespace {

// One table read in seq order, a batch of rows at a time (keyset pages, so
// both backends stream a large log with the same plain SQL).
class Cursor {
 public:
  static constexpr int kBatch = 2000;
  explicit Cursor(const TableLayout& t) : layout(&t) {
    std::string cols;
    for (const auto& c : t.columns) cols += fmt::format("\"{}\", ", c);
    // seq is column 0 of every layout (the schema declares it first); it is
    // selected again at the end to stay independent of that.
    sql_ = fmt::format("SELECT {}row_hash, seq FROM \"{}\" WHERE seq > ?1 ORDER BY seq LIMIT {}", cols, t.name,
                       kBatch);
  }
  // Loads the next batch when the current one is used up.
  bool has_row(LogReader& log) {
    if (next_ < rows_.size()) return true;
    if (done_) return false;
    rows_.clear();
    next_ = 0;
    log.each(sql_, {after_}, [&](const LogRow& r) { rows_.push_back(r); });
    done_ = rows_.size() < static_cast<std::size_t>(kBatch);
    if (!rows_.empty()) after_ = seq_of(rows_.back());
    return !rows_.empty();
  }
  const LogRow& row() const { return rows_[next_]; }
  std::int64_t seq() const { return seq_of(rows_[next_]); }
  void pop() { ++next_; }
  const TableLayout* layout;

 private:
  static std::int64_t seq_of(const LogRow& r) {
    const auto* n = std::get_if<std::int64_t>(&r.values.back());
    return n ? *n : 0;
  }
  std::string sql_;
  std::vector<LogRow> rows_;
  std::size_t next_ = 0;
  Value after_ = std::numeric_limits<std::int64_t>::min();
  bool done_ = false;
};

VerifyResult fail(VerifyResult r, std::int64_t seq, std::string table, std::string message) {
  r.ok = false;
  r.first_bad_seq = seq;
  r.first_bad_table = std::move(table);
  r.message = std::move(message);
  return r;
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
  return verify(*sqlite_reader(db), checkpoints);
}

VerifyResult verify_location(const std::string& location, const std::vector<Checkpoint>& checkpoints) {
  if (!storage::is_postgres_url(location)) return verify(std::filesystem::path(location), checkpoints);
  auto db = pg_open(location);
  // The log's schema first, then the built-ins as PostgreSQL searches them:
  // a search_path the owner set for the database (say `public, pg_catalog`)
  // could bind a view to the owner's own `=` operator, which the view's
  // printed text would not show.
  db.exec("SELECT set_config('search_path', quote_ident(current_schema()), false)");
  // Built before the snapshot: it needs a transaction of its own (rolled back).
  const auto expected = pg_expected_catalog(db);
  storage::PgTransaction tx(db, storage::PgTransaction::Mode::snapshot_read_only);
  return verify(*pg_reader(db, &expected), checkpoints);
}

Checkpoint checkpoint_location(const std::string& location) {
  if (!storage::is_postgres_url(location)) return checkpoint(std::filesystem::path(location));
  auto db = pg_open(location);
  auto head = pg_read_head(db, pg_chained_tables(db));
  return Checkpoint{head.seq, head.hash, utc_now_iso8601()};
}

namespace {

// Where the walk over the chain stands: the last rows' hashes and table,
// and the seq the next row must have.
struct Walk {
  std::string prev = std::string(kGenesisHash), prev_prev, prev_table;
  std::int64_t expected = 1;
};

// The checks of one step of the walk, first failure wins: the failing
// result, or nullopt when the row chains (then `w` moves on to it).
std::optional<VerifyResult> check_row(const Cursor& c, Walk& w, const std::map<std::int64_t, const Checkpoint*>& wanted,
                                      const VerifyResult& r) {
  const std::string& table = c.layout->name;
  const std::int64_t seq = c.seq();
  if (seq < w.expected) {
    return fail(r, seq, table,
                fmt::format("{} row seq {} repeats a seq already used ({}): a row was inserted", table, seq,
                            w.prev_table));
  }
  if (seq > w.expected) {
    return fail(r, w.expected, table,
                fmt::format("rows seq {}..{} are missing before {} row seq {}: rows were removed", w.expected,
                            seq - 1, table, seq));
  }
  const auto& row = c.row();
  const std::size_t n = c.layout->columns.size();
  std::vector<Value> values(row.values.begin(), row.values.begin() + static_cast<std::ptrdiff_t>(n));
  std::string stored = text_value(row.values[n]);
  std::string computed = fast_sha256_hex(canonical_row(*c.layout, values));
  std::string row_prev;
  for (std::size_t i = 0; i < n; ++i) {
    if (c.layout->columns[i] == "prev_hash") row_prev = text_value(values[i]);
  }
  if (!row.foreign && computed != stored && row_prev == w.prev_prev && seq > 1) {
    // This row still chains to the row two back: the one before it is new.
    return fail(r, seq - 1, w.prev_table,
                fmt::format("{} row seq {} is not part of the original chain: a row was inserted at "
                            "seq {} and the rows after it renumbered",
                            w.prev_table, seq - 1, seq - 1));
  }
  if (row.foreign || computed != stored) {
    return fail(r, seq, table, fmt::format("{} row seq {} does not match its row_hash: the row was edited", table, seq));
  }
  if (row_prev != w.prev) {
    return fail(r, seq, table,
                fmt::format("{} row seq {} does not chain to row seq {} ({}): a row was inserted, "
                            "removed or re-hashed at this point",
                            table, seq, seq - 1, w.prev_table.empty() ? "start" : w.prev_table));
  }
  if (auto it = wanted.find(seq); it != wanted.end() && it->second->head_hash != stored) {
    return fail(r, seq, table,
                fmt::format("{} row seq {} has hash {} but checkpoint {} recorded {}: the log was "
                            "rewritten up to here",
                            table, seq, stored, it->second->at, it->second->head_hash));
  }
  w.prev_prev = w.prev;
  w.prev = stored;
  w.prev_table = table;
  return std::nullopt;
}

}  // namespace

VerifyResult verify(LogReader& log, const std::vector<Checkpoint>& checkpoints) {
  auto tables = log.chained_tables();
  std::vector<Cursor> cursors;
  cursors.reserve(tables.size());
  for (const auto& t : tables) cursors.emplace_back(t);
  std::map<std::int64_t, const Checkpoint*> wanted;
  for (const auto& cp : checkpoints) wanted[cp.rows] = &cp;

  VerifyResult r;
  Walk w;
  for (;;) {
    Cursor* next = nullptr;
    for (auto& c : cursors) {
      if (c.has_row(log) && (!next || c.seq() < next->seq())) next = &c;
    }
    if (!next) break;
    if (auto bad = check_row(*next, w, wanted, r); bad) return *bad;
    r.rows = next->seq();
    ++w.expected;
    next->pop();
  }
  r.head_hash = w.prev;
  for (const auto& cp : checkpoints) {
    if (cp.rows > r.rows) {
      return fail(r, r.rows + 1, "",
                  fmt::format("the log has {} rows but checkpoint {} recorded {}: rows were removed "
                              "from the end",
                              r.rows, cp.at, cp.rows));
    }
  }
  if (auto why = log.structure_problem(tables); !why.empty()) return fail(r, 0, "", why);
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
