// Renders the rows of a prepared statement as a table, CSV or JSON (the
// formats of query.h). Internal to audit/.
#pragma once

#include <ostream>

#include "audit/query.h"
#include "audit/db.h"

namespace reviewer::audit {

// Steps `stmt` to the end, writing its rows to `out`. CSV and JSON stream
// row by row; the table format holds the rows to size its columns.
// Returns the number of rows.
long render_rows(Statement& stmt, Format format, std::ostream& out);

// Helpers shared with the export writer.
std::string csv_field(std::string_view text, bool is_text);
std::string printable(std::string_view text);

}  // namespace reviewer::audit
