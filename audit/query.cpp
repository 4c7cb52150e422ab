#include "audit/query.h"

#include <sqlite3.h>

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "audit/chain.h"
#include "audit/log_reader.h"
#include "audit/migrate.h"
#include "audit/pg_log.h"
#include "audit/readonly.h"
#include "audit/render.h"
#include "audit/verify.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

namespace {

using Clock = std::chrono::steady_clock;

int past_deadline(void* p) { return Clock::now() > *static_cast<Clock::time_point*>(p) ? 1 : 0; }

bool only_space_or_comments(Connection& db, const char* tail) {
  // Prepare what follows the first statement: only comments and blanks
  // yield no statement.
  while (tail && *tail) {
    sqlite3_stmt* s = nullptr;
    const char* rest = nullptr;
    int rc = sqlite3_prepare_v2(db.get(), tail, -1, &s, &rest);
    bool empty = rc == SQLITE_OK && s == nullptr;
    sqlite3_finalize(s);
    if (!empty) return false;
    if (rest == tail) break;
    tail = rest;
  }
  return true;
}

Statement prepare_user_sql(Connection& db, std::string_view sql) {
  std::string text(sql);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db.get(), text.c_str(), -1, &raw, &tail);
  Statement stmt(db.get(), raw, db.where());
  if ((rc & 0xff) == SQLITE_AUTH) {
    throw Error(Error::Code::usage,
                "audit query is read-only: the statement would write, change the schema, ATTACH a "
                "database or use a PRAGMA that is not a schema lookup; refused, nothing was written");
  }
  if (rc != SQLITE_OK) {
    // The authorizer's refusal of a function comes back as SQLite's
    // "not authorized to use function: NAME".
    static const RE2 refused_function(R"re(not authorized to use function: (\S+))re");
    std::string name;
    if (RE2::PartialMatch(db.errmsg(), refused_function, &name)) {
      throw Error(Error::Code::usage,
                  fmt::format("audit query: the SQL function {} is not on the read-only list (audit/README.md); "
                              "refused",
                              name));
    }
    throw Error(Error::Code::usage, fmt::format("audit query: {}", db.errmsg()));
  }
  if (!raw) throw Error(Error::Code::usage, "audit query: no SQL statement given");
  if (!only_space_or_comments(db, tail)) {
    throw Error(Error::Code::usage, "audit query runs exactly one statement; remove what follows the first ';'");
  }
  if (!sqlite3_stmt_readonly(raw)) {
    throw Error(Error::Code::usage, "audit query is read-only: the statement would write; refused");
  }
  return stmt;
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ"; `end` makes a date cover its whole day.
std::string bound(std::string_view value, const char* flag, bool end) {
  static const RE2 date(R"re(\d{4}-\d{2}-\d{2})re");
  static const RE2 time(R"re(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)re");
  re2::StringPiece v(value.data(), value.size());
  if (RE2::FullMatch(v, date)) return std::string(value) + (end ? "T23:59:59Z" : "T00:00:00Z");
  if (RE2::FullMatch(v, time)) return std::string(value);
  throw Error(Error::Code::usage,
              fmt::format("{} '{}' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", flag, value));
}

// Auditors' queries run as a role that cannot reach the server's files:
// pg_read_file(), COPY … TO PROGRAM and their kind need one of these.
void refuse_file_access(storage::PgConnection& db) {
  auto r = db.exec(
      "SELECT r.rolname::text FROM pg_roles r WHERE r.rolname = current_user AND (r.rolsuper "
      "OR pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') "
      "OR pg_has_role(current_user, 'pg_write_server_files', 'MEMBER') "
      "OR pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'))");
  if (r.rows() > 0) {
    throw Error(Error::Code::usage,
                fmt::format("audit query refuses to run as role '{}', which can read or write the server's files; "
                            "connect as a read-only auditor role (README, \"Several instances on PostgreSQL\")",
                            r.text(0, 0)));
  }
}

// Every table's rows recorded in [from, to], chain columns included; the
// same bytes from either backend for the same rows.
void export_log(LogReader& log, const std::string& from, const std::string& to, Format format, std::ostream& out) {
  auto tables = log.chained_tables();
  auto head = read_head(log, tables);
  if (format == Format::json) {
    out << "{\n";
    out << "\"since\": " << nlohmann::json(from).dump() << ",\n";
    out << "\"until\": " << nlohmann::json(to).dump() << ",\n";
    out << "\"schema_version\": " << log.schema_version() << ",\n";
    out << "\"checkpoint\": "
        << nlohmann::json(Checkpoint{head.seq, head.hash, utc_now_iso8601()}.to_line()).dump() << ",\n";
    out << "\"tables\": {";
  }
  bool first = true;
  for (const auto& t : tables) {
    auto names = log.column_names(t.name);
    std::string cols;
    for (const auto& n : names) cols += fmt::format("{}\"{}\"", cols.empty() ? "" : ", ", n);
    std::vector<std::vector<Cell>> rows;
    log.each(fmt::format("SELECT {} FROM \"{}\" WHERE recorded_at >= ?1 AND recorded_at <= ?2 ORDER BY seq", cols,
                         t.name),
             {from, to}, [&](const LogRow& r) {
               rows.emplace_back();
               for (const auto& v : r.values) rows.back().push_back(cell_of(v));
             });
    if (format == Format::json) {
      out << (first ? "\n" : ",\n") << nlohmann::json(t.name).dump() << ": ";
    } else if (format == Format::csv) {
      out << (first ? "" : "\r\n") << "# table: " << t.name << "\r\n";
    } else {
      out << (first ? "" : "\n") << "== " << t.name << " ==\n";
    }
    std::size_t next = 0;
    render_rows(names, [&](std::vector<Cell>& row) {
      if (next == rows.size()) return false;
      row = std::move(rows[next++]);
      return true;
    }, format, out);
    first = false;
  }
  if (format == Format::json) out << "}\n}\n";
}

}  // namespace

std::optional<Format> parse_format(std::string_view s) {
  if (s == "table") return Format::table;
  if (s == "csv") return Format::csv;
  if (s == "json") return Format::json;
  return std::nullopt;
}

void query(const std::filesystem::path& path, std::string_view sql, Format format, std::ostream& out,
           const QueryOptions& options) {
  auto db = open_read_only(path);
  auto deadline = Clock::now() + std::chrono::milliseconds(options.timeout_ms);
  sqlite3_progress_handler(db.get(), 10000, past_deadline, &deadline);
  auto stmt = prepare_user_sql(db, sql);
  try {
    render_rows(stmt, format, out);
  } catch (const Error&) {
    if (Clock::now() > deadline) {
      throw Error(Error::Code::timeout,
                  fmt::format("audit query ran longer than {} ms and was stopped", options.timeout_ms));
    }
    throw;
  }
}

void query_location(const std::string& location, std::string_view sql, Format format, std::ostream& out,
                    const QueryOptions& options) {
  if (!storage::is_postgres_url(location)) return query(location, sql, format, out, options);
  auto db = pg_open(location);
  refuse_file_access(db);
  db.exec(fmt::format("SET statement_timeout = {}; SET default_transaction_read_only = on", options.timeout_ms));
  storage::PgTransaction tx(db);
  db.exec("SET TRANSACTION READ ONLY");
  storage::PgResult r;
  try {
    r = db.exec(sql, {});
  } catch (const storage::PgError& e) {
    if (e.sqlstate() == "57014") {
      throw Error(Error::Code::timeout, fmt::format("audit query ran longer than {} ms and was stopped", options.timeout_ms));
    }
    throw Error(Error::Code::usage, fmt::format("audit query: {}", e.what()));
  }
  std::vector<std::string> names;
  for (int c = 0; c < r.columns(); ++c) names.push_back(r.column_name(c));
  int next = 0;
  render_rows(names, [&](std::vector<Cell>& row) {
    if (next == r.rows()) return false;
    row.clear();
    for (int c = 0; c < r.columns(); ++c) row.push_back(cell_of(r.value(next, c)));
    ++next;
    return true;
  }, format, out);
}

void export_range(const std::filesystem::path& path, std::string_view since, std::string_view until,
                  Format format, std::ostream& out) {
  export_location(path.string(), since, until, format, out);
}

void export_location(const std::string& location, std::string_view since, std::string_view until, Format format,
                     std::ostream& out) {
  std::string from = bound(since, "--since", false);
  std::string to = until.empty() ? "9999-12-31T23:59:59Z" : bound(until, "--until", true);
  if (to < from) {
    throw Error(Error::Code::usage, fmt::format("--until '{}' is before --since '{}'", until, since));
  }
  // One snapshot for every table, on either backend.
  if (storage::is_postgres_url(location)) {
    auto db = pg_open(location);
    storage::PgTransaction tx(db);
    db.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    export_log(*pg_reader(db), from, to, format, out);
    return;
  }
  auto db = open_read_only(location);
  db.exec("BEGIN");
  export_log(*sqlite_reader(db), from, to, format, out);
}

}  // namespace reviewer::audit
