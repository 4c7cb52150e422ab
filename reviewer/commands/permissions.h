// Who may do what. `author_association` in a webhook is a coarse hint
// (MEMBER says nothing about this repository), so write access is confirmed
// with GitHub's collaborator-permission API, as GITHUB.md B6 advises:
//   OWNER                     write (the repository's or organisation's owner)
//   MEMBER, COLLABORATOR      confirmed: GET /repos/{o}/{r}/collaborators/{u}/permission
//                             must say admin or write (maintain counts as write)
//   anything else             no write access (CONTRIBUTOR, FIRST_TIMER, NONE, ...)
// Bots, this one included, are never obeyed.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reviewer/github/rest_client.h"

namespace reviewer::commands {

// A webhook `user` object (comment.user, review.user, sender), plus
// `performed_via_github_app` of the comment when there is one.
// True for user.type "Bot", a login ending in "[bot]", a comment made
// through a GitHub App, and `bot_login` itself.
bool is_bot(const nlohmann::json& user, const nlohmann::json& performed_via_app = nullptr,
            std::string_view bot_login = {});

enum class Access { none, read, write };
std::string_view to_string(Access a);

// The legacy `permission` of the collaborator-permission answer (admin,
// write, read, none) and its `role_name` (maintain, triage, custom roles).
Access access_from_permission(const nlohmann::json& answer);

// What `login` may do on owner/repo, given the association GitHub reported.
// Calls the permission API for MEMBER, COLLABORATOR and an unknown (empty)
// association, e.g. for the author of a reaction; a 404 (not a
// collaborator) is Access::none. Throws github::GitHubError when GitHub
// cannot answer (the job is retried: never guessed as allowed).
Access resolve_access(github::RestClient& client, std::string_view owner, std::string_view repo,
                      std::string_view login, std::string_view association);

}  // namespace reviewer::commands
