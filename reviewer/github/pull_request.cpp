#include "reviewer/github/pull_request.h"

#include <fmt/format.h>

namespace reviewer::github {
namespace {

const nlohmann::json& object_at(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) {
    throw Error(Error::Code::invalid_input, fmt::format("pull request JSON has no '{}' object", key));
  }
  return j[key];
}

std::string string_at(const nlohmann::json& j, const char* key, bool required) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  if (required) throw Error(Error::Code::invalid_input, fmt::format("pull request JSON has no '{}' string", key));
  return {};
}

}  // namespace

PullInfo pull_from_json(const nlohmann::json& j, const std::string& owner_repo) {
  PullInfo info;
  PullRequest& pr = info.pr;
  pr.repository = owner_repo;
  if (!j.is_object() || !j.contains("number") || !j["number"].is_number_integer()) {
    throw Error(Error::Code::invalid_input, "pull request JSON has no 'number'");
  }
  pr.number = j["number"].get<std::int64_t>();
  pr.title = string_at(j, "title", true);
  pr.body = string_at(j, "body", false);  // null when empty
  pr.draft = j.contains("draft") && j["draft"].is_boolean() && j["draft"].get<bool>();
  if (j.contains("user") && j["user"].is_object()) pr.author = string_at(j["user"], "login", false);
  if (j.contains("labels") && j["labels"].is_array()) {
    for (const auto& l : j["labels"]) {
      if (l.is_object() && l.contains("name") && l["name"].is_string()) pr.labels.push_back(l["name"]);
    }
  }
  const auto& head = object_at(j, "head");
  const auto& base = object_at(j, "base");
  pr.head_sha = string_at(head, "sha", true);
  pr.head_ref = string_at(head, "ref", false);
  pr.base_ref = string_at(base, "ref", true);
  info.base_tip_sha = string_at(base, "sha", true);
  info.state = string_at(j, "state", false);
  info.merged = j.contains("merged") && j["merged"].is_boolean() && j["merged"].get<bool>();
  auto repo_name = [](const nlohmann::json& side) {
    return side.contains("repo") && side["repo"].is_object() ? string_at(side["repo"], "full_name", false) : "";
  };
  // A deleted fork has head.repo null: treat it as a fork.
  info.from_fork = repo_name(head) != repo_name(base) || repo_name(head).empty();
  return info;
}

std::string PullInfo::owner() const { return pr.repository.substr(0, pr.repository.find('/')); }

std::string PullInfo::repo() const {
  auto slash = pr.repository.find('/');
  return slash == std::string::npos ? std::string() : pr.repository.substr(slash + 1);
}

PullInfo fetch_pull(RestClient& client, const std::string& owner, const std::string& repo, std::int64_t number) {
  Response r = client.get(fmt::format("/repos/{}/{}/pulls/{}", url_encode(owner), url_encode(repo), number));
  return pull_from_json(r.body, owner + "/" + repo);
}

std::vector<std::int64_t> open_pulls_with_head(RestClient& client, const std::string& owner, const std::string& repo,
                                               const std::string& sha) {
  auto text = [](const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  std::vector<std::int64_t> out;
  for (const auto& p : client.get_all(fmt::format("/repos/{}/{}/commits/{}/pulls", url_encode(owner),
                                                  url_encode(repo), sha))) {
    if (text(p, "state") != "open" || !p.contains("head") || text(p["head"], "sha") != sha) continue;
    if (p.contains("number") && p["number"].is_number_integer()) out.push_back(p["number"].get<std::int64_t>());
  }
  return out;
}

}  // namespace reviewer::github
