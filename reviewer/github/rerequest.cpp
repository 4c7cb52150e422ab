#include "reviewer/github/rerequest.h"

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::github {
namespace {

const nlohmann::json& field(const nlohmann::json& j, const char* key, const char* where) {
  if (!j.is_object() || !j.contains(key)) {
    throw Error(Error::Code::invalid_input, fmt::format("{} payload has no '{}'", where, key));
  }
  return j[key];
}

std::string text(const nlohmann::json& j, const char* key, const char* where) {
  const auto& v = field(j, key, where);
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    throw Error(Error::Code::invalid_input, fmt::format("{} payload: '{}' is not a non-empty string", where, key));
  }
  return v.get<std::string>();
}

bool is_sha(const std::string& s) {
  return (s.size() == 40 || s.size() == 64) && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::optional<RerunRequest> parse_rerequest(std::string_view event, const nlohmann::json& payload,
                                            std::string_view check_name) {
  if (event != "check_run" && event != "check_suite") return std::nullopt;
  if (!payload.is_object() || payload.value("action", std::string()) != "rerequested") return std::nullopt;
  const char* where = event == "check_run" ? "check_run" : "check_suite";
  const auto& subject = field(payload, where, where);
  if (event == "check_run" && subject.value("name", std::string()) != check_name) return std::nullopt;

  RerunRequest req;
  req.head_sha = text(subject, "head_sha", where);
  if (!is_sha(req.head_sha)) {
    throw Error(Error::Code::invalid_input, fmt::format("{} payload: head_sha is not a commit id", where));
  }
  const auto& repo = field(payload, "repository", where);
  req.repo = text(repo, "name", "repository");
  req.owner = text(field(repo, "owner", "repository"), "login", "repository.owner");
  if (payload.contains("installation") && payload["installation"].is_object()) {
    req.installation_id = payload["installation"].value("id", std::int64_t{0});
  }
  // A check_run's PRs are listed on the run; a suite lists them on itself.
  if (subject.contains("pull_requests") && subject["pull_requests"].is_array()) {
    for (const auto& p : subject["pull_requests"]) {
      if (p.is_object() && p.contains("number") && p["number"].is_number_integer()) {
        req.pull_numbers.push_back(p["number"].get<std::int64_t>());
      }
    }
  }
  return req;
}

}  // namespace reviewer::github
