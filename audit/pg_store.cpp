// AuditStore on PostgreSQL: the rows of rows.h, chained as in SQLite, with
// appends serialized by a row lock held until commit (pg_log.h), so
// any number of processes on any number of machines extend one linear
// chain.
#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "audit/history.h"
#include "audit/migrate.h"
#include "audit/pg_log.h"
#include "audit/rows.h"
#include "audit/store.h"
#include "audit/store_base.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

namespace {

using storage::PgConnection;
using storage::PgError;
using storage::PgTransaction;

constexpr std::string_view kUniqueViolation = "23505";
// PostgreSQL's name for review_runs' UNIQUE (run_id) (audit/schema/001):
// another unique violation (a seq taken twice) is no duplicate run.
constexpr std::string_view kRunIdKey = "review_runs_run_id_key";

class PgAuditStore final : public StoreBase, private RowSink {
 public:
  explicit PgAuditStore(PgConnection db) : db_(std::move(db)), reader_(pg_reader(db_)) {}

  PrHistory history(const std::string& repository, std::int64_t pr_number) override {
    std::lock_guard lock(mu_);
    reconnect();
    PgTransaction tx(db_, PgTransaction::Mode::snapshot_read_only);  // one snapshot for every table
    auto h = read_history(*reader_, repository, pr_number);
    tx.commit();
    return h;
  }

  std::int64_t row_count() override {
    std::lock_guard lock(mu_);
    reconnect();
    return pg_read_head(db_, pg_chained_tables(db_)).seq;
  }

 private:
  // One transaction holding the chain lock; the head is read after the
  // lock is taken. All or nothing: any failure rolls everything back.
  void write(const std::function<void(RowSink&)>& fn) override {
    std::lock_guard lock(mu_);
    reconnect();
    PgTransaction tx(db_);
    pg_lock_chain(db_);
    // Another instance may have migrated since: the head must be taken over
    // every chained table there is.
    if (int v = pg_schema_version(db_); v != version_) {
      tables_ = pg_chained_tables(db_);
      inserts_.clear();
      for (const auto& t : tables_) inserts_.push_back(pg_insert_sql(t));
      version_ = v;
    }
    head_ = pg_read_head(db_, tables_);
    now_ = utc_now_iso8601();
    fn(*this);
    tx.commit();
  }

  bool is_duplicate_run(const std::exception& e) const override {
    const auto* pg = dynamic_cast<const PgError*>(&e);
    return pg && pg->sqlstate() == kUniqueViolation && pg->constraint() == kRunIdKey;
  }

  std::string where() const override { return db_.where(); }

  LogReader& reader() override { return *reader_; }

  // The table's index in tables_ (and inserts_).
  std::size_t index_of(std::string_view table) const {
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      if (tables_[i].name == table) return i;
    }
    throw Error(Error::Code::internal, fmt::format("audit: no chained table {}", table));
  }

  // Fills the chain columns, hashes the row as the SQLite writer does and
  // inserts it.
  void append(const RowValues& row) override {
    const std::size_t at = index_of(row.table);
    const TableLayout& t = tables_[at];
    std::vector<Value> values(t.columns.size());
    auto set = [&](std::string_view column, const Value& v) {
      auto it = std::find(t.columns.begin(), t.columns.end(), column);
      if (it == t.columns.end()) {
        throw Error(Error::Code::internal, fmt::format("audit: table {} has no column {}", t.name, column));
      }
      values[static_cast<std::size_t>(it - t.columns.begin())] = v;
    };
    set("seq", head_.seq + 1);
    set("prev_hash", head_.hash);
    set("recorded_at", now_);
    for (const auto& [column, value] : row.columns) set(column, value);
    std::string hash = fast_sha256_hex(canonical_row(t, values));
    values.emplace_back(hash);
    db_.prepared(inserts_[at], values);
    head_.seq += 1;
    head_.hash = std::move(hash);
  }

  // After the server went away (a restart, a fail-over), the next call
  // connects again; the call that saw the loss failed as transient.
  void reconnect() {
    if (db_.alive()) return;
    db_ = pg_open(db_.url());
    reader_ = pg_reader(db_);
  }

  std::mutex mu_;  // guards everything below
  PgConnection db_;
  std::unique_ptr<LogReader> reader_;  // over db_
  int version_ = -1;
  std::vector<TableLayout> tables_;
  std::vector<std::string> inserts_;  // each table's INSERT (pg_insert_sql), prepared on first use
  ChainHead head_;
  std::string now_;
};

}  // namespace

std::unique_ptr<AuditStore> AuditStore::open_url(const std::string& url) {
  auto db = pg_open(url);
  pg_migrate(db);
  return std::make_unique<PgAuditStore>(std::move(db));
}

std::unique_ptr<AuditStore> AuditStore::open_location(const std::string& location) {
  if (storage::is_postgres_url(location)) return open_url(location);
  return open(std::filesystem::path(location));
}

}  // namespace reviewer::audit
