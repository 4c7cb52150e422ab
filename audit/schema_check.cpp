#include "audit/schema_check.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "audit/chain.h"
#include "audit/embedded_sql.h"
#include "audit/migrate.h"
#include "reviewer/core/text.h"

namespace reviewer::audit {

namespace {

struct Object {
  std::string type;
  std::vector<std::string> tokens;
};

// type + name -> definition; SQLite's own objects (sqlite_sequence,
// sqlite_stat1, automatic indexes) are left out: they follow from the rest.
std::map<std::string, Object> objects(Connection& db, bool with_views) {
  std::map<std::string, Object> out;
  auto q = db.prepare(
      "SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  while (q.step()) {
    std::string type = q.column_text(0);
    if (type == "view" && !with_views) continue;
    out[q.column_text(1)] = Object{type, sql_tokens(q.column_text(2))};
  }
  return out;
}

std::string excerpt(const std::vector<std::string>& t, std::size_t at) {
  if (at >= t.size()) return "(end)";
  const std::size_t from = at > 4 ? at - 4 : 0, to = std::min(t.size(), at + 5);
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += (s.empty() ? "" : " ") + t[i];
  return s;
}

bool views_are_ours(Connection& db) {
  auto q = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_meta'");
  q.step();
  if (q.column_int64(0) == 0) return false;
  auto v = db.prepare("SELECT value FROM schema_meta WHERE key = 'views_sha256'");
  return v.step() && v.column_text(0) == fast_sha256_hex(embedded_views());
}

}  // namespace

std::vector<std::string> sql_tokens(std::string_view sql) {
  std::vector<std::string> out;
  std::size_t i = 0;
  const std::size_t n = sql.size();
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
  while (i < n) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
    } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
      // A quote doubled inside the literal is part of it.
      const char close = c == '[' ? ']' : c;
      std::size_t j = i + 1;
      std::string body;
      while (j < n) {
        if (sql[j] == close && close != ']' && j + 1 < n && sql[j + 1] == close) {
          body += close;
          j += 2;
        } else if (sql[j] == close) {
          break;
        } else {
          body += sql[j++];
        }
      }
      // String literals keep their case; quoted identifiers are identifiers.
      out.push_back(c == '\'' ? "'" + body + "'" : lower(body));
      i = j + 1;
    } else if (is_word(c)) {
      std::size_t j = i;
      while (j < n && is_word(sql[j])) ++j;
      out.push_back(lower(std::string(sql.substr(i, j - i))));
      i = j;
    } else {
      out.push_back(std::string(1, c));
      ++i;
    }
  }
  return out;
}

std::string schema_difference(Connection& db) {
  const int version = schema_version(db);
  const int latest = latest_schema_version();
  if (version > latest) {
    return fmt::format("the schema is version {}, newer than this reviewer knows (up to {}): its tables and "
                       "triggers cannot be checked; verify with a reviewer that knows it",
                       version, latest);
  }
  const bool with_views = version == latest && views_are_ours(db);
  Connection canonical = Connection::open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  create_schema(canonical, version);
  const auto want = objects(canonical, with_views);
  const auto have = objects(db, with_views);
  for (const auto& [name, w] : want) {
    auto it = have.find(name);
    if (it == have.end()) return fmt::format("{} {} of the audit schema is missing", w.type, name);
    const auto& h = it->second;
    if (h.type != w.type || h.tokens != w.tokens) {
      const auto at = static_cast<std::size_t>(
          std::mismatch(h.tokens.begin(), h.tokens.end(), w.tokens.begin(), w.tokens.end()).first -
          h.tokens.begin());
      return fmt::format("{} {} differs from the audit schema: it has `{}` where the schema has `{}`", w.type,
                         name, excerpt(h.tokens, at), excerpt(w.tokens, at));
    }
  }
  for (const auto& [name, h] : have) {
    if (!want.count(name)) {
      return fmt::format("{} {} is not part of the audit schema (an added object can change or drop rows as "
                         "they are written, or what auditors read)",
                         h.type, name);
    }
  }
  return "";
}

}  // namespace reviewer::audit
