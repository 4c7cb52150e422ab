#include "audit_fixtures.h"

#include <sstream>

#include <fmt/format.h>

#include "audit/query.h"

namespace reviewer::test {

ReviewResult sample_review(const std::string& run_id, int findings, std::int64_t pr_number) {
  ReviewResult r;
  r.run_id = run_id;
  r.started_at = "2026-01-15T10:00:00Z";
  r.trigger = "cli";
  r.mode = Mode::dry_run;
  r.pr.repository = "octo/widgets";
  r.pr.number = pr_number;
  r.pr.title = "Fix the widget";
  r.pr.author = "alice";
  r.pr.base_ref = "main";
  r.pr.base_sha = std::string(40, 'a');
  r.pr.head_sha = std::string(40, 'b');
  r.size = SizeStats{"S", 12, 3, 2, 1, 0, false};
  r.guidance_version = "g1";
  r.reviewer_version = "0.1.0";
  r.decision.kind = DecisionKind::comment;
  r.decision.reasons = {"a warning was found", "second reason"};
  r.duration_ms = 17;
  AgentReport size{"size", AgentStatus::ok, 3, {}, "", std::nullopt};
  AgentReport safety{"safety", AgentStatus::ok, 5, {}, "", std::nullopt};
  for (int i = 0; i < findings; ++i) {
    Finding f;
    f.rule = fmt::format("test/rule-{}", i % 3);
    f.severity = Severity::warning;
    f.path = fmt::format("src/file{}.cc", i);
    f.line = 10 + i;
    f.end_line = 10 + i;
    f.message = fmt::format("finding number {}", i);
    f.evidence = "key=****";
    f.suggestion = "remove it";
    f.id = make_finding_id(f.rule, f.path, f.message);
    (i % 2 ? size : safety).findings.push_back(f);
  }
  r.agents = {size, safety};
  return r;
}

nlohmann::json query_rows(const std::string& location, const std::string& sql) {
  std::ostringstream out;
  audit::query_location(location, sql, audit::Format::json, out);
  return nlohmann::json::parse(out.str());
}

}  // namespace reviewer::test

#include <sqlite3.h>

#include <vector>

#include "audit/chain.h"
#include "audit/log_reader.h"
#include "audit/pg_log.h"
#include "storage/postgres.h"

namespace reviewer::test {

audit::Connection raw_open(const std::filesystem::path& path) {
  auto db = audit::Connection::open(path, SQLITE_OPEN_READWRITE);
  db.set_busy_timeout(5000);
  return db;
}

std::int64_t scalar(audit::Connection& db, const std::string& sql) {
  auto q = db.prepare(sql);
  if (!q.step()) throw std::runtime_error("no row: " + sql);
  return q.column_int64(0);
}

namespace {

// A write session on the log at `location` with the append-only triggers
// off until commit(), inside one transaction.
class Tampering {
 public:
  explicit Tampering(const std::string& location) {
    if (storage::is_postgres_url(location)) {
      pg_ = storage::PgConnection::open(location, "test database");
      pg_.exec("BEGIN; SET LOCAL session_replication_role = replica");
      reader_ = audit::pg_reader(pg_);
      return;
    }
    sqlite_ = raw_open(location);
    sqlite_.exec("BEGIN");
    std::vector<std::pair<std::string, std::string>> triggers;
    {
      auto q = sqlite_.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'");
      while (q.step()) triggers.emplace_back(q.column_text(0), q.column_text(1));
    }
    for (auto& [name, sql] : triggers) {
      sqlite_.exec("DROP TRIGGER \"" + name + "\"");
      dropped_.push_back(sql);
    }
    reader_ = audit::sqlite_reader(sqlite_);
  }

  void exec(const std::string& sql) {
    if (pg_) pg_.exec(sql);
    else sqlite_.exec(sql);
  }
  audit::LogReader& log() { return *reader_; }

  void commit() {
    for (const auto& s : dropped_) sqlite_.exec(s);
    exec("COMMIT");
  }

 private:
  storage::PgConnection pg_;
  audit::Connection sqlite_;
  std::vector<std::string> dropped_;  // SQLite's triggers, put back at commit
  std::unique_ptr<audit::LogReader> reader_;
};

}  // namespace

void tamper(const std::string& location, const std::string& sql) {
  Tampering t(location);
  t.exec(sql);
  t.commit();
}

void log_exec(const std::string& location, const std::string& sql) {
  if (storage::is_postgres_url(location)) storage::PgConnection::open(location, "test database").exec(sql);
  else raw_open(location).exec(sql);
}

void rehash_range(const std::string& location, std::int64_t from_seq, std::int64_t to_seq) {
  Tampering t(location);
  auto tables = t.log().chained_tables();
  std::string prev(audit::kGenesisHash);
  for (std::int64_t seq = 1; seq <= to_seq; ++seq) {
    bool found = false;
    for (const auto& table : tables) {
      std::string cols;
      for (const auto& c : table.columns) cols += (cols.empty() ? "" : ", ") + ("\"" + c + "\"");
      std::vector<audit::Value> values;
      std::string stored;
      t.log().each("SELECT " + cols + ", row_hash FROM \"" + table.name + "\" WHERE seq = ?1", {audit::Value(seq)},
                   [&](const audit::LogRow& row) {
                     found = true;
                     values.assign(row.values.begin(), row.values.end() - 1);
                     stored = std::get<std::string>(row.values.back());
                   });
      if (!found) continue;
      if (seq < from_seq) {
        prev = stored;
        break;
      }
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        if (table.columns[i] == "prev_hash") values[i] = prev;
      }
      // Both hashes are hex: safe to write into the statement.
      std::string hash = audit::fast_sha256_hex(audit::canonical_row(table, values));
      t.exec(fmt::format("UPDATE \"{}\" SET prev_hash = '{}', row_hash = '{}' WHERE seq = {}", table.name, prev, hash,
                         seq));
      prev = hash;
      break;
    }
    if (!found) break;
  }
  t.commit();
}

}  // namespace reviewer::test
