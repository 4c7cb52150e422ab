#include "audit/posted.h"

#include "audit/history.h"
#include "audit/log_reader.h"
#include "audit/pg_log.h"
#include "audit/readonly.h"

namespace reviewer::audit {
namespace {

// The newest github_id of a 2xx action whose kind matches `kind_like`
// (a LIKE pattern, '\' escapes) and whose detail names the head. `db` is
// the log's file, or its postgresql:// URL.
std::optional<std::string> find_action(const std::filesystem::path& db, std::string_view repository,
                                       std::int64_t pr_number, std::string_view kind_like, int min_status,
                                       std::string_view head_sha) {
  if (head_sha.empty()) return std::nullopt;
  const std::string sql =
      "SELECT github_id FROM actions WHERE repository=?1 AND pr_number=?2 AND kind LIKE ?3 ESCAPE '\\' "
      "AND http_status BETWEEN ?4 AND 299 AND detail LIKE '%head=' || ?5 || '%' ORDER BY seq DESC LIMIT 1";
  const std::vector<Value> params{std::string(repository), pr_number, std::string(kind_like),
                                  static_cast<std::int64_t>(min_status), std::string(head_sha)};
  std::optional<std::string> found;
  auto take = [&](const LogRow& r) { found = text_value(r.values[0]); };
  if (storage::is_postgres_url(db.string())) {
    auto c = pg_open(db.string());
    pg_reader(c)->each(sql, params, take);
    return found;
  }
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) return std::nullopt;
  Connection c = open_read_only(db);
  sqlite_reader(c)->each(sql, params, take);
  return found;
}

}  // namespace

std::optional<std::string> posted_review(const std::filesystem::path& db, std::string_view repository,
                                         std::int64_t pr_number, std::string_view head_sha, std::string_view kind) {
  if (kind.empty()) return find_action(db, repository, pr_number, "review\\_%", 200, head_sha);
  std::string like;
  for (char c : kind) {
    if (c == '_' || c == '%' || c == '\\') like += '\\';
    like += c;
  }
  return find_action(db, repository, pr_number, like, 200, head_sha);
}

bool publish_completed(const std::filesystem::path& db, std::string_view repository, std::int64_t pr_number,
                       std::string_view head_sha) {
  return find_action(db, repository, pr_number, "publish\\_complete", 0, head_sha).has_value();
}

}  // namespace reviewer::audit
