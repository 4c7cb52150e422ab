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

nlohmann::json query_rows(const std::filesystem::path& path, const std::string& sql) {
  std::ostringstream out;
  audit::query(path, sql, audit::Format::json, out);
  return nlohmann::json::parse(out.str());
}

}  // namespace reviewer::test

#include <sqlite3.h>

#include <vector>

#include "audit/chain.h"

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

std::vector<std::string> drop_triggers(audit::Connection& db) {
  std::vector<std::pair<std::string, std::string>> triggers;
  auto q = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'");
  while (q.step()) triggers.emplace_back(q.column_text(0), q.column_text(1));
  q = audit::Statement();
  std::vector<std::string> sqls;
  for (auto& [name, sql] : triggers) {
    db.exec("DROP TRIGGER \"" + name + "\"");
    sqls.push_back(sql);
  }
  return sqls;
}

void restore_triggers(audit::Connection& db, const std::vector<std::string>& sqls) {
  for (const auto& s : sqls) db.exec(s);
}

}  // namespace

void tamper(const std::filesystem::path& path, const std::string& sql) {
  auto db = raw_open(path);
  db.exec("BEGIN");
  auto saved = drop_triggers(db);
  db.exec(sql);
  restore_triggers(db, saved);
  db.exec("COMMIT");
}

void rehash_range(const std::filesystem::path& path, std::int64_t from_seq, std::int64_t to_seq) {
  auto db = raw_open(path);
  db.exec("BEGIN");
  auto saved = drop_triggers(db);
  auto tables = audit::chained_tables(db);
  std::string prev(audit::kGenesisHash);
  for (std::int64_t seq = 1; seq <= to_seq; ++seq) {
    bool found = false;
    for (const auto& t : tables) {
      std::string cols;
      for (const auto& c : t.columns) cols += (cols.empty() ? "" : ", ") + ("\"" + c + "\"");
      auto q = db.prepare("SELECT " + cols + ", row_hash FROM \"" + t.name + "\" WHERE seq = ?");
      q.bind(1, seq);
      if (!q.step()) continue;
      found = true;
      std::vector<audit::Value> values(t.columns.size());
      for (std::size_t i = 0; i < t.columns.size(); ++i) {
        int col = static_cast<int>(i);
        if (q.column_type(col) == SQLITE_INTEGER) values[i] = q.column_int64(col);
        else if (q.column_type(col) == SQLITE_TEXT) values[i] = q.column_text(col);
        if (t.columns[i] == "prev_hash" && seq >= from_seq) values[i] = prev;
      }
      std::string stored = q.column_text(static_cast<int>(t.columns.size()));
      q = audit::Statement();
      if (seq < from_seq) {
        prev = stored;
        break;
      }
      std::string hash = audit::fast_sha256_hex(audit::canonical_row(t, values));
      auto u = db.prepare("UPDATE \"" + t.name + "\" SET prev_hash = ?, row_hash = ? WHERE seq = ?");
      u.bind(1, prev);
      u.bind(2, hash);
      u.bind(3, seq);
      u.step();
      prev = hash;
      break;
    }
    if (!found) break;
  }
  restore_triggers(db, saved);
  db.exec("COMMIT");
}

}  // namespace reviewer::test
