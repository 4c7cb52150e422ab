#include "reviewer/commands/permissions.h"

#include <fmt/format.h>

#include "reviewer/github/webhook.h"

namespace reviewer::commands {

bool is_bot(const nlohmann::json& user, const nlohmann::json& performed_via_app, std::string_view bot_login) {
  if (performed_via_app.is_object()) return true;
  if (!user.is_object()) return true;  // no author: nothing to obey
  if (github::payload::string_or_empty(user, "type") == "Bot") return true;
  std::string login = github::payload::string_or_empty(user, "login");
  if (login.empty()) return true;
  if (login.size() >= 5 && login.compare(login.size() - 5, 5, "[bot]") == 0) return true;
  return !bot_login.empty() && login == bot_login;
}

std::string_view to_string(Access a) {
  switch (a) {
    case Access::none: return "none";
    case Access::read: return "read";
    case Access::write: return "write";
  }
  return "none";
}

Access access_from_permission(const nlohmann::json& answer) {
  if (!answer.is_object()) return Access::none;
  std::string role = github::payload::string_or_empty(answer, "role_name");
  if (role == "admin" || role == "maintain" || role == "write") return Access::write;
  std::string perm = github::payload::string_or_empty(answer, "permission");
  if (perm == "admin" || perm == "write") return Access::write;
  if (perm == "read" || role == "triage" || role == "read") return Access::read;
  return Access::none;
}

Access resolve_access(github::RestClient& client, std::string_view owner, std::string_view repo,
                      std::string_view login, std::string_view association) {
  if (association == "OWNER") return Access::write;
  if (!association.empty() && association != "MEMBER" && association != "COLLABORATOR") return Access::none;
  github::RequestOptions ro;
  ro.ok_statuses = {404};
  auto r = client.get(fmt::format("/repos/{}/{}/collaborators/{}/permission", github::url_encode(owner),
                                  github::url_encode(repo), github::url_encode(login)),
                      ro);
  if (r.status == 404) return Access::none;
  return access_from_permission(r.body);
}

}  // namespace reviewer::commands
