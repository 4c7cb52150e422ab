#include "audit/render.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <charconv>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace reviewer::audit {

namespace {

constexpr std::size_t kMaxCellWidth = 60;

static_assert(SQLITE_NULL == 5 && SQLITE_INTEGER == 1 && SQLITE_FLOAT == 2 && SQLITE_TEXT == 3,
              "Cell's type codes are SQLite's");

}  // namespace

Cell read_cell(Statement& s, int col) {
  Cell c;
  c.type = s.column_type(col);
  switch (c.type) {
    case SQLITE_INTEGER:
      c.i = s.column_int64(col);
      c.text = std::to_string(c.i);
      break;
    case SQLITE_FLOAT:
      c.d = sqlite3_column_double(s.get(), col);
      c.text = fmt::format("{}", c.d);
      break;
    case SQLITE_BLOB: {
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s.get(), col));
      int n = sqlite3_column_bytes(s.get(), col);
      c.text = "x'";
      for (int k = 0; k < n; ++k) fmt::format_to(std::back_inserter(c.text), "{:02x}", p[k]);
      c.text += "'";
      break;
    }
    case SQLITE_TEXT: c.text = s.column_text(col); break;
    default: break;
  }
  return c;
}

namespace {

// Width in terminal columns, counting UTF-8 lead bytes only.
std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xc0) != 0x80; }));
}

std::string fit(std::string_view s) {
  std::string p = printable(s);
  if (display_width(p) <= kMaxCellWidth) return p;
  std::string out;
  std::size_t w = 0;
  for (char ch : p) {
    bool lead = (static_cast<unsigned char>(ch) & 0xc0) != 0x80;
    if (lead && ++w > kMaxCellWidth - 3) break;
    out += ch;
  }
  return out + "...";
}

nlohmann::json to_json(const Cell& c) {
  switch (c.type) {
    case SQLITE_INTEGER: return c.i;
    case SQLITE_FLOAT: return c.d;
    case SQLITE_NULL: return nullptr;
    default: return c.text;
  }
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (ch == '\n') out += "\\n";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\r') out += "\\r";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += ch;
  }
  return out;
}

std::string csv_field(std::string_view text, bool is_text) {
  std::string v(text);
  if (is_text && !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char ch : v) {
    if (ch == '"') q += '"';
    q += ch;
  }
  return q + "\"";
}

Cell cell_of(const Value& v) {
  Cell c;
  if (const auto* n = std::get_if<std::int64_t>(&v)) {
    c.type = SQLITE_INTEGER;
    c.i = *n;
    c.text = std::to_string(*n);
  } else if (const auto* t = std::get_if<std::string>(&v)) {
    c.type = SQLITE_TEXT;
    c.text = *t;
  }
  return c;
}

Cell pg_cell(const storage::PgResult& r, int row, int col) {
  constexpr unsigned kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;
  const unsigned type = r.column_type(col);
  if (r.is_null(row, col) || (type != kFloat4 && type != kFloat8 && type != kNumeric)) {
    return cell_of(r.value(row, col));
  }
  const std::string text = r.text(row, col);
  if (type == kNumeric && text.find_first_not_of("-0123456789") == std::string::npos) {
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec == std::errc() && end == text.data() + text.size()) return cell_of(Value(i));
  }
  Cell c;
  c.type = SQLITE_FLOAT;
  c.d = std::strtod(text.c_str(), nullptr);  // also reads NaN and Infinity
  c.text = fmt::format("{}", c.d);
  return c;
}

void write_table(const QueryTable& t, Format format, std::ostream& out) {
  std::size_t next = 0;
  render_rows(t.columns, [&](std::vector<Cell>& row) {
    if (next == t.rows.size()) return false;
    row = t.rows[next++];
    return true;
  }, format, out);
}

long render_rows(Statement& stmt, Format format, std::ostream& out) {
  int n = stmt.column_count();
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(stmt.column_name(i));
  return render_rows(
      names,
      [&](std::vector<Cell>& row) {
        if (!stmt.step()) return false;
        row.clear();
        for (int i = 0; i < n; ++i) row.push_back(read_cell(stmt, i));
        return true;
      },
      format, out);
}

long render_rows(const std::vector<std::string>& names, const NextRow& next, Format format, std::ostream& out) {
  const int n = static_cast<int>(names.size());
  std::vector<Cell> cell;
  long rows = 0;
  if (format == Format::csv) {
    for (int i = 0; i < n; ++i) out << (i ? "," : "") << csv_field(names[static_cast<std::size_t>(i)], false);
    out << "\r\n";
    while (next(cell)) {
      for (int i = 0; i < n; ++i) {
        const Cell& c = cell[static_cast<std::size_t>(i)];
        out << (i ? "," : "") << csv_field(c.text, c.type == SQLITE_TEXT);
      }
      out << "\r\n";
      ++rows;
    }
    return rows;
  }
  if (format == Format::json) {
    out << "[";
    while (next(cell)) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (int i = 0; i < n; ++i) row[names[static_cast<std::size_t>(i)]] = to_json(cell[static_cast<std::size_t>(i)]);
      out << (rows ? ",\n  " : "\n  ") << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      ++rows;
    }
    out << (rows ? "\n]\n" : "]\n");
    return rows;
  }
  // table
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width(static_cast<std::size_t>(n));
  std::vector<bool> numeric(static_cast<std::size_t>(n), true);
  for (int i = 0; i < n; ++i) width[static_cast<std::size_t>(i)] = display_width(fit(names[static_cast<std::size_t>(i)]));
  while (next(cell)) {
    std::vector<std::string> row;
    for (int i = 0; i < n; ++i) {
      const Cell& c = cell[static_cast<std::size_t>(i)];
      auto k = static_cast<std::size_t>(i);
      if (c.type != SQLITE_INTEGER && c.type != SQLITE_FLOAT && c.type != SQLITE_NULL) numeric[k] = false;
      row.push_back(c.type == SQLITE_NULL ? "NULL" : fit(c.text));
      width[k] = std::max(width[k], display_width(row.back()));
    }
    cells.push_back(std::move(row));
  }
  auto line = [&](const std::vector<std::string>& row, bool header) {
    for (std::size_t k = 0; k < row.size(); ++k) {
      std::size_t pad = width[k] - display_width(row[k]);
      if (k) out << "  ";
      if (numeric[k] && !header) out << std::string(pad, ' ') << row[k];
      else out << row[k] << (k + 1 < row.size() ? std::string(pad, ' ') : "");
    }
    out << "\n";
  };
  std::vector<std::string> header;
  for (const auto& name : names) header.push_back(fit(name));
  line(header, true);
  std::vector<std::string> rule;
  for (auto w : width) rule.push_back(std::string(w, '-'));
  line(rule, true);
  for (const auto& row : cells) line(row, false);
  out << fmt::format("({} row{})\n", cells.size(), cells.size() == 1 ? "" : "s");
  return static_cast<long>(cells.size());
}

}  // namespace reviewer::audit
