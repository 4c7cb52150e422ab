// `reviewer audit query SQL` and `reviewer audit export`: read-only access
// to the log for auditors (see readonly.h for how writes are refused),
// rendered as an aligned table, CSV (RFC 4180) or JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <ostream>
#include <string_view>
#include <vector>

namespace reviewer::audit {

enum class Format { table, csv, json };

// "table" | "csv" | "json"; nullopt otherwise.
std::optional<Format> parse_format(std::string_view s);

// One value of a result: its SQLite type code (1 integer, 2 float, 3 text,
// 4 blob, 5 NULL; PostgreSQL values come as integer, text or NULL), its
// text and, for numbers, the number.
struct Cell {
  int type = 5;  // NULL
  std::string text;  // the value as text (hex for BLOB)
  std::int64_t i = 0;
  double d = 0;
};

// A result held in memory (the console's pages), in the formats below.
struct QueryTable {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  bool truncated = false;  // the statement had more rows than were kept
  bool too_large = false;  // cut by the bytes kept, not the rows (readonly_session.h)
};

// Writes `t` as an aligned table, CSV or JSON, exactly as `query` would.
void write_table(const QueryTable& t, Format format, std::ostream& out);

struct QueryOptions {
  int timeout_ms = 60000;  // a query running longer is interrupted with an error
};

// Runs one SQL statement (SELECT / WITH / read-only PRAGMA) against the
// database at `path` and writes the result to `out`. Throws reviewer::Error
// for a missing or corrupt file, a syntax error, more than one statement,
// any attempt to write, and a timeout; nothing is written to the file.
//
// table: columns padded, cells over 60 characters cut with "...", control
//   characters shown escaped (\n, \t, \x1b) so no cell can drive the terminal.
// csv: header row, CRLF line ends, fields quoted when needed; a text cell
//   that starts with = + - @ or a tab is prefixed with ' so spreadsheets do
//   not run it as a formula (PR titles are attacker-controlled).
// json: an array of objects, one per row; integers as numbers, NULL as null,
//   invalid UTF-8 replaced with U+FFFD.
void query(const std::filesystem::path& path, std::string_view sql, Format format, std::ostream& out,
           const QueryOptions& options = {});

// The same on the log at `location`. On PostgreSQL the statement runs in a
// READ ONLY transaction with default_transaction_read_only on and
// statement_timeout set, as one statement (libpq's extended protocol takes
// no second one); a role that can read or write server files (a superuser,
// pg_read_server_files, pg_write_server_files, pg_execute_server_program)
// is refused: connect as a read-only auditor role (README).
void query_location(const std::string& location, std::string_view sql, Format format, std::ostream& out,
                    const QueryOptions& options = {});

// A period's bound as a time: "YYYY-MM-DD" (the day's first second, or
// with `end` its last) or "YYYY-MM-DDTHH:MM:SSZ" as it is. Throws
// Error(usage) naming `flag` and the value otherwise.
std::string time_bound(std::string_view value, std::string_view flag, bool end);

// Writes every audit row recorded in [since, until] from every audit table,
// chain columns included so the evidence can be re-verified elsewhere.
// `since`/`until` are dates (YYYY-MM-DD, `until` inclusive of the whole
// day) or times (YYYY-MM-DDTHH:MM:SSZ); empty `until` means no upper bound.
// json: {"since","until","schema_version","checkpoint","tables":{name:[rows]}}.
// csv: per table a line "# table: <name>", the header, the rows, a blank line.
// table: the same sections as aligned tables. Throws reviewer::Error (usage
// for a malformed date).
void export_range(const std::filesystem::path& path, std::string_view since, std::string_view until,
                  Format format, std::ostream& out);

// The same from the log at `location`: a postgresql:// URL (read in one
// read-only snapshot) or an SQLite file. The same rows give the same bytes
// on both backends (but for the checkpoint's `at`, the time of the export).
void export_location(const std::string& location, std::string_view since, std::string_view until, Format format,
                     std::ostream& out);

}  // namespace reviewer::audit
