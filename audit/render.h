// Renders the rows of a prepared statement as a table, CSV or JSON (the
// formats of query.h). Internal to audit/.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "audit/query.h"
#include "audit/db.h"
#include "storage/postgres.h"

namespace reviewer::audit {

// Fills `row` with the next row's cells; false when there are no more.
using NextRow = std::function<bool(std::vector<Cell>& row)>;

// Writes the rows `next` gives, under the column `names`, to `out`. CSV
// and JSON stream row by row; the table format holds the rows to size its
// columns. Returns the number of rows.
long render_rows(const std::vector<std::string>& names, const NextRow& next, Format format, std::ostream& out);

// The same for the rows of a prepared statement, stepped to the end.
long render_rows(Statement& stmt, Format format, std::ostream& out);

// A value as a cell (INTEGER, TEXT or NULL).
Cell cell_of(const Value& v);

// A PostgreSQL result's cell as SQLite would give the same value: float4,
// float8 and numeric come from libpq as text ("0.5000"), where SQLite has a
// REAL (or, for a sum of integers, an INTEGER); so JSON gets numbers, and
// the text is SQLite's ("0.5"), the same bytes from both backends.
Cell pg_cell(const storage::PgResult& r, int row, int col);

// Column `col` of the statement's current row.
Cell read_cell(Statement& s, int col);

// Helpers shared with the export writer.
std::string csv_field(std::string_view text, bool is_text);
std::string printable(std::string_view text);

}  // namespace reviewer::audit
