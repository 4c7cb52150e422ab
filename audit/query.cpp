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
#include "audit/user_sql.h"
#include "audit/verify.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"

namespace reviewer::audit {

std::string time_bound(std::string_view value, std::string_view flag, bool end) {
  static const RE2 date(R"re(\d{4}-\d{2}-\d{2})re");
  static const RE2 time(R"re(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)re");
  re2::StringPiece v(value.data(), value.size());
  if (RE2::FullMatch(v, date)) return std::string(value) + (end ? "T23:59:59Z" : "T00:00:00Z");
  if (RE2::FullMatch(v, time)) return std::string(value);
  throw Error(Error::Code::usage,
              fmt::format("{} '{}' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", flag, value));
}

namespace {

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
  SqliteDeadline deadline(db, std::chrono::milliseconds(options.timeout_ms));
  auto stmt = prepare_user_sql(db, sql);
  try {
    render_rows(stmt, format, out);
  } catch (const Error&) {
    if (deadline.passed()) {
      throw Error(Error::Code::timeout,
                  fmt::format("audit query ran longer than {} ms and was stopped", options.timeout_ms));
    }
    throw;
  }
}


void query_location(const std::string& location, std::string_view sql, Format format, std::ostream& out,
                    const QueryOptions& options) {
  if (!storage::is_postgres_url(location)) return query(location, sql, format, out, options);
  require_pg_statement(sql);
  auto db = pg_open(location);
  pg_auditor_session(db, std::chrono::milliseconds(options.timeout_ms));
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
    for (int c = 0; c < r.columns(); ++c) row.push_back(pg_cell(r, next, c));
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
  std::string from = time_bound(since, "--since", false);
  std::string to = until.empty() ? "9999-12-31T23:59:59Z" : time_bound(until, "--until", true);
  if (to < from) {
    throw Error(Error::Code::usage, fmt::format("--until '{}' is before --since '{}'", until, since));
  }
  // One snapshot for every table, on either backend.
  if (storage::is_postgres_url(location)) {
    auto db = pg_open(location);
    storage::PgTransaction tx(db, storage::PgTransaction::Mode::snapshot_read_only);
    export_log(*pg_reader(db), from, to, format, out);
    return;
  }
  auto db = open_read_only(location);
  db.exec("BEGIN");
  export_log(*sqlite_reader(db), from, to, format, out);
}

}  // namespace reviewer::audit
