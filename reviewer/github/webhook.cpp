#include "reviewer/github/webhook.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::github {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
  throw Error(Error::Code::invalid_input, "webhook payload: " + what);
}

std::string join(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

const json& field(const json& obj, const char* key, const std::string& path) {
  if (!obj.is_object()) bad(fmt::format("'{}' is not an object", path.empty() ? "body" : path));
  auto it = obj.find(key);
  if (it == obj.end()) bad(fmt::format("'{}' is missing", join(path, key)));
  return *it;
}

std::string str(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_string()) bad(fmt::format("'{}' is not a string", join(path, key)));
  return v.get<std::string>();
}

std::string str_or_empty(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (v.is_null()) return {};
  if (!v.is_string()) bad(fmt::format("'{}' is not a string", join(path, key)));
  return v.get<std::string>();
}

std::int64_t integer(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_number_integer()) bad(fmt::format("'{}' is not an integer", join(path, key)));
  return v.get<std::int64_t>();
}

std::string nonempty(std::string v, const char* key, const std::string& path) {
  if (v.empty()) bad(fmt::format("'{}' is empty", join(path, key)));
  return v;
}

bool one_of(const std::string& v, std::initializer_list<const char*> set) {
  for (const char* s : set) {
    if (v == s) return true;
  }
  return false;
}

std::string repository_of(const json& payload) {
  auto it = payload.find("repository");
  if (it == payload.end() || it->is_null()) return {};
  return str(*it, "full_name", "repository");
}

}  // namespace

Classified classify_webhook(const std::string& event, const json& payload) {
  if (!payload.is_object()) bad("the body is not a JSON object");
  Classified c;
  if (auto it = payload.find("action"); it != payload.end()) {
    if (!it->is_string()) bad("'action' is not a string");
    c.action = it->get<std::string>();
  }
  c.repository = repository_of(payload);
  if (event == "pull_request") {
    PullRequestEvent pr = parse_pull_request_event(payload);
    if (one_of(c.action, {"opened", "synchronize", "reopened", "ready_for_review", "edited"})) {
      c.job = WebhookJob{"review", pr.repository, pr.number, pr.head_sha, true};
    } else if (c.action == "closed") {
      // Lifecycle (merged / closed, revert links, reactions): no review.
      c.job = WebhookJob{"pull_request", pr.repository, pr.number, pr.head_sha, false};
    }
  } else if (event == "issue_comment") {
    const json& issue = field(payload, "issue", "");
    integer(issue, "number", "issue");
    str(field(payload, "comment", ""), "body", "comment");
    const bool on_pr = issue.contains("pull_request") && !issue["pull_request"].is_null();
    if (on_pr && one_of(c.action, {"created", "edited"})) {
      if (c.repository.empty()) bad("'repository' is missing");
      c.job = WebhookJob{"comment", c.repository, integer(issue, "number", "issue"), "", false};
    }
  } else if (event == "pull_request_review") {
    const json& pr = field(payload, "pull_request", "");
    const json& review = field(payload, "review", "");
    str(review, "state", "review");
    if (one_of(c.action, {"submitted", "dismissed"})) {
      if (c.repository.empty()) bad("'repository' is missing");
      c.job = WebhookJob{"review_state", c.repository, integer(pr, "number", "pull_request"),
                      str(field(pr, "head", "pull_request"), "sha", "pull_request.head"), false};
    }
  } else if ((event == "check_run" || event == "check_suite") && c.action == "rerequested") {
    // The "Re-run" button: a fresh review of the PR's current head. Queued
    // as a review job so it and a new push supersede each other. Only our
    // own check run counts (the check name of check_run.h):
    // re-running someone else's check must not supersede our review.
    const json& subject = field(payload, event.c_str(), "");
    if (event == "check_run" && str(subject, "name", event) != "reviewer") return c;
    const std::string head = str(subject, "head_sha", event);
    if (c.repository.empty()) bad("'repository' is missing");
    std::int64_t number = 0;  // 0: a fork's PR, found by head sha when the job runs
    if (auto it = subject.find("pull_requests"); it != subject.end() && it->is_array() && !it->empty()) {
      number = integer(it->at(0), "number", event + ".pull_requests[0]");
    }
    c.job = WebhookJob{"review", c.repository, number, head, number > 0};
  } else if (event == "check_suite" && c.action == "completed") {
    // Test results as audit evidence (issue 21): the checks of this head
    // are read and recorded. GitHub sends `completed` to every App with
    // checks:read installed on the repository, for every suite (GitHub
    // Actions' and other Apps' too), while `requested`/`rerequested` go
    // only to the suite's own App (docs, "Webhook events and payloads",
    // check_suite, Availability).
    const json& subject = field(payload, "check_suite", "");
    const std::string head = str(subject, "head_sha", "check_suite");
    if (!is_commit_sha(head)) bad("'check_suite.head_sha' is not a commit id");
    if (c.repository.empty()) bad("'repository' is missing");
    std::int64_t number = 0;  // 0: no PR listed (a fork's, or a branch push)
    if (auto it = subject.find("pull_requests"); it != subject.end() && it->is_array() && !it->empty()) {
      number = std::max<std::int64_t>(0, payload::integer_or_zero(it->at(0), "number"));
    }
    c.job = WebhookJob{"check_suite", c.repository, number, head, false};
  } else if (event == "installation") {
    integer(field(payload, "installation", ""), "id", "installation");
  }
  if (c.job) {
    if (auto it = payload.find("installation"); it != payload.end() && it->is_object()) {
      if (auto id = it->find("id"); id != it->end() && id->is_number_integer()) c.job->installation = id->get<std::int64_t>();
    }
  }
  return c;
}

bool classify_webhook_reads(int depth, std::string_view key) {
  auto in = [key](std::initializer_list<std::string_view> set) {
    for (auto k : set) {
      if (key == k) return true;
    }
    return false;
  };
  switch (depth) {
    case 1:
      return in({"action", "repository", "pull_request", "issue", "comment", "review", "installation", "check_run",
                 "check_suite"});
    case 2:  // repository.full_name, pull_request.*, issue.number/pull_request, comment.body, review.state,
             // installation.id, check_run/check_suite.name/head_sha/pull_requests
      return in({"full_name", "number", "title", "body", "draft", "labels", "user", "head", "base", "pull_request",
                 "state", "id", "name", "head_sha", "pull_requests"});
    case 3: return in({"login", "sha", "ref"});  // pull_request.user.login, pull_request.head/base.sha/ref
    case 4: return in({"name", "number"});       // pull_request.labels[].name, check_*.pull_requests[].number
    default: return false;
  }
}

PullRequestEvent parse_pull_request_event(const json& payload) {
  if (!payload.is_object()) bad("the body is not a JSON object");
  PullRequestEvent e;
  e.action = str(payload, "action", "");
  e.repository = str(field(payload, "repository", ""), "full_name", "repository");
  const json& pr = field(payload, "pull_request", "");
  e.number = integer(pr, "number", "pull_request");
  if (e.number <= 0) bad("'pull_request.number' is not positive");
  e.title = str(pr, "title", "pull_request");
  e.body = str_or_empty(pr, "body", "pull_request");
  if (pr.contains("draft")) {
    if (!pr["draft"].is_boolean()) bad("'pull_request.draft' is not a boolean");
    e.draft = pr["draft"].get<bool>();
  }
  if (pr.contains("labels")) {
    const json& labels = pr["labels"];
    if (!labels.is_array()) bad("'pull_request.labels' is not an array");
    for (const auto& l : labels) e.labels.push_back(str(l, "name", "pull_request.labels[]"));
  }
  e.author = str(field(pr, "user", "pull_request"), "login", "pull_request.user");
  const json& head = field(pr, "head", "pull_request");
  const json& base = field(pr, "base", "pull_request");
  e.head_sha = str(head, "sha", "pull_request.head");
  e.head_ref = str(head, "ref", "pull_request.head");
  e.base_sha = str(base, "sha", "pull_request.base");
  e.base_ref = str(base, "ref", "pull_request.base");
  for (const std::string* sha : {&e.head_sha, &e.base_sha}) {
    if (sha->size() != 40 || sha->find_first_not_of("0123456789abcdef") != std::string::npos) {
      bad(sha == &e.head_sha ? "'pull_request.head.sha' is not a 40-digit commit sha" : "'pull_request.base.sha' is not a 40-digit commit sha");
    }
  }
  if (auto it = payload.find("installation"); it != payload.end() && it->is_object()) {
    e.installation_id = integer(*it, "id", "installation");
  }
  return e;
}

std::optional<RerunRequest> parse_rerequest(std::string_view event, const json& payload,
                                            std::string_view check_name) {
  if (event != "check_run" && event != "check_suite") return std::nullopt;
  if (payload::string_or_empty(payload, "action") != "rerequested") return std::nullopt;
  const std::string where(event);
  const json& subject = field(payload, where.c_str(), "");
  if (event == "check_run" && payload::string_or_empty(subject, "name") != check_name) return std::nullopt;

  RerunRequest req;
  req.head_sha = nonempty(str(subject, "head_sha", where), "head_sha", where);
  if (!is_commit_sha(req.head_sha)) bad(fmt::format("'{}.head_sha' is not a commit id", where));
  const json& repo = field(payload, "repository", "");
  req.repo = nonempty(str(repo, "name", "repository"), "name", "repository");
  req.owner = nonempty(str(field(repo, "owner", "repository"), "login", "repository.owner"), "login",
                       "repository.owner");
  req.installation_id = installation_of(payload);
  // A check_run's PRs are listed on the run; a suite lists them on itself.
  if (auto it = subject.find("pull_requests"); it != subject.end() && it->is_array()) {
    for (const auto& p : *it) {
      if (p.is_object() && p.contains("number") && p["number"].is_number_integer()) {
        req.pull_numbers.push_back(p["number"].get<std::int64_t>());
      }
    }
  }
  return req;
}

std::string clone_url_of(const json& payload) {
  const auto& repo = payload.contains("repository") ? payload["repository"] : json();
  if (!repo.is_object() || !repo.contains("clone_url") || !repo["clone_url"].is_string() ||
      repo["clone_url"].get_ref<const std::string&>().empty()) {
    bad("'repository.clone_url' is missing");
  }
  return repo["clone_url"].get<std::string>();
}

std::int64_t installation_of(const json& payload) {
  if (!payload.is_object()) return 0;
  auto it = payload.find("installation");
  if (it == payload.end() || !it->is_object()) return 0;
  auto id = it->find("id");
  return id != it->end() && id->is_number_integer() ? id->get<std::int64_t>() : 0;
}

bool is_commit_sha(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

namespace payload {

const json& object(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_object()) bad(fmt::format("'{}' is not an object", join(path, key)));
  return v;
}

std::string string(const json& j, const char* key, const std::string& path) { return str(j, key, path); }

std::int64_t integer(const json& j, const char* key, const std::string& path) {
  return github::integer(j, key, path);
}

const json& member_or_null(const json& j, const char* key) {
  static const json null_json;
  if (!j.is_object()) return null_json;
  auto it = j.find(key);
  return it == j.end() ? null_json : *it;
}

std::string string_or_empty(const json& j, const char* key) {
  const json& v = member_or_null(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::int64_t integer_or_zero(const json& j, const char* key) {
  const json& v = member_or_null(j, key);
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

bool flag_or_false(const json& j, const char* key) {
  const json& v = member_or_null(j, key);
  return v.is_boolean() && v.get<bool>();
}

std::string time_or_empty(const json& j, const char* key) {
  const std::string v = string_or_empty(j, key);
  // YYYY-MM-DDTHH:MM:SS, then Z or .digits Z.
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  if (v.size() < shape.size() + 1 || v.size() > 40) return {};
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(v[i])) != 0;
    if (shape[i] == 'd' ? !digit : v[i] != shape[i]) return {};
  }
  std::string_view rest = std::string_view(v).substr(shape.size());
  if (rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  }
  if (rest != "Z") return {};
  return v.substr(0, shape.size()) + "Z";
}

std::pair<std::string, std::string> owner_repo(const json& p) {
  const json& repo = object(p, "repository", "");
  return {string(object(repo, "owner", "repository"), "login", "repository.owner"),
          string(repo, "name", "repository")};
}

}  // namespace payload

}  // namespace reviewer::github
