#include "audit/posted.h"

#include "audit/readonly.h"

namespace reviewer::audit {
namespace {

// The newest github_id of a 2xx action whose kind matches `kind_like`
// (a LIKE pattern, '\' escapes) and whose detail names the head.
std::optional<std::string> find_action(const std::filesystem::path& db, std::string_view repository,
                                       std::int64_t pr_number, std::string_view kind_like, int min_status,
                                       std::string_view head_sha) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec) || head_sha.empty()) return std::nullopt;
  Connection c = open_read_only(db);
  Statement s = c.prepare(
      "SELECT github_id FROM actions WHERE repository=?1 AND pr_number=?2 AND kind LIKE ?3 ESCAPE '\\' "
      "AND http_status BETWEEN ?4 AND 299 AND instr(detail, 'head=' || ?5) > 0 ORDER BY seq DESC LIMIT 1");
  s.bind(1, repository);
  s.bind(2, pr_number);
  s.bind(3, kind_like);
  s.bind(4, static_cast<std::int64_t>(min_status));
  s.bind(5, head_sha);
  if (!s.step()) return std::nullopt;
  return s.column_text(0);
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
