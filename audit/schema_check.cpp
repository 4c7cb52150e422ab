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

std::string meta_value(Connection& db, const char* key) {
  if (!storage::has_table(db, "schema_meta")) return "";
  auto v = db.prepare("SELECT value FROM schema_meta WHERE key = ?");
  v.bind(1, key);
  return v.step() ? v.column_text(0) : "";
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

std::string token_mismatch(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  const auto at = static_cast<std::size_t>(
      std::mismatch(have.begin(), have.end(), want.begin(), want.end()).first - have.begin());
  return fmt::format("it has `{}` where the schema has `{}`", excerpt(have, at), excerpt(want, at));
}

std::string views_not_ours(std::string_view stored_revision, int revision) {
  return fmt::format("the views are not this build's (schema_meta.views_sha256 differs; views revision {}, this "
                     "build's {}): they cannot be checked; verify with the reviewer that wrote them, or re-create "
                     "them with `reviewer audit migrate` as the owner",
                     stored_revision.empty() ? "unknown" : stored_revision, revision);
}

std::string not_in_schema(std::string_view type, std::string_view name) {
  return fmt::format("{} {} is not part of the audit schema (an added object can change or drop rows as they are "
                     "written, or what auditors read)",
                     type, name);
}

std::string schema_difference(Connection& db) {
  const int version = schema_version(db);
  const int latest = latest_schema_version();
  if (version > latest) {
    return fmt::format("the schema is version {}, newer than this reviewer knows (up to {}): its tables and "
                       "triggers cannot be checked; verify with a reviewer that knows it",
                       version, latest);
  }
  // Views another build wrote (or a views_sha256 edited so that they would
  // be skipped) are a failure, as a newer schema is: they go unchecked.
  const bool with_views = version == latest;
  if (with_views && meta_value(db, "views_sha256") != fast_sha256_hex(embedded_views())) {
    return views_not_ours(meta_value(db, "views_revision"), views_revision(embedded_views()));
  }
  Connection canonical = Connection::open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  create_schema(canonical, version);
  const auto want = objects(canonical, with_views);
  const auto have = objects(db, with_views);
  for (const auto& [name, w] : want) {
    auto it = have.find(name);
    if (it == have.end()) return fmt::format("{} {} of the audit schema is missing", w.type, name);
    const auto& h = it->second;
    if (h.type != w.type || h.tokens != w.tokens) {
      return fmt::format("{} {} differs from the audit schema: {}", w.type, name, token_mismatch(h.tokens, w.tokens));
    }
  }
  for (const auto& [name, h] : have) {
    if (!want.count(name)) {
      return not_in_schema(h.type, name);
    }
  }
  return "";
}

}  // namespace reviewer::audit
