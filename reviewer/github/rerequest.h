// The "Re-run" button: check_run and check_suite `rerequested` events ask
// for a fresh review of a head. This turns such a delivery into that
// request; everything else (other events, other actions, other Apps' runs)
// yields nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace reviewer::github {

struct RerunRequest {
  std::int64_t installation_id = 0;  // 0 without an installation (plain-token set-ups)
  std::string owner, repo;
  std::string head_sha;
  // PR numbers from the payload. Empty for PRs from forks: the caller maps
  // the head sha back to its PR through its own records.
  std::vector<std::int64_t> pull_numbers;
};

// `event` is the X-GitHub-Event header. For check_run, only runs named
// `check_name` count (a re-run of another App's check is not ours).
// Throws reviewer::Error when a relevant payload lacks required fields.
std::optional<RerunRequest> parse_rerequest(std::string_view event, const nlohmann::json& payload,
                                            std::string_view check_name = "reviewer");

}  // namespace reviewer::github
