#include "reviewer/commands/github_ops.h"

#include <algorithm>

#include <fmt/format.h>

#include "reviewer/commands/json_util.h"

#include "audit/store.h"
#include "reviewer/commands/codeowners.h"
#include "reviewer/commands/permissions.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"
#include "reviewer/github/check_run.h"
#include "reviewer/github/labels.h"

namespace reviewer::commands {

namespace {

constexpr std::size_t kMaxReviewerRequests = 15;  // GitHub's cap on requested reviewers at once

std::string str_at(const nlohmann::json& j, const char* a, const char* b = nullptr) {
  if (!j.is_object() || !j.contains(a)) return {};
  const auto& v = j[a];
  if (b) return v.is_object() && v.contains(b) && v[b].is_string() ? v[b].get<std::string>() : std::string();
  return v.is_string() ? v.get<std::string>() : std::string();
}

bool ours(const nlohmann::json& user, const std::string& bot_login) {
  return user.is_object() && !bot_login.empty() && text(user, "login") == bot_login;
}

}  // namespace

std::string Outcome::summary() const {
  std::string s;
  for (const auto& n : notes) s += (s.empty() ? "" : "; ") + n;
  return s;
}

std::string repo_path(const PrInfo& pr) {
  return fmt::format("/repos/{}/{}", github::url_encode(pr.owner), github::url_encode(pr.repo));
}

PrInfo fetch_pull(github::RestClient& client, const std::string& owner, const std::string& repo,
                  std::int64_t number) {
  PrInfo pr;
  pr.owner = owner;
  pr.repo = repo;
  pr.number = number;
  auto r = client.get(fmt::format("{}/pulls/{}", repo_path(pr), number));
  pr.head_sha = str_at(r.body, "head", "sha");
  pr.base_sha = str_at(r.body, "base", "sha");
  pr.base_ref = str_at(r.body, "base", "ref");
  pr.author = str_at(r.body, "user", "login");
  pr.state = str_at(r.body, "state");
  pr.merged = r.body.is_object() && flag(r.body, "merged");
  if (pr.head_sha.empty()) {
    throw Error(Error::Code::invalid_input, fmt::format("GitHub's answer for {}/{}#{} has no head sha", owner, repo, number));
  }
  return pr;
}

Poster::Poster(CommandContext& ctx, const PrInfo& pr, std::string reason, Outcome& out)
    : ctx_(ctx), pr_(pr), reason_(std::move(reason)), out_(out) {}

github::Response Poster::send(std::string_view kind, github::PlannedCall call, bool shadow_ok,
                              const github::RequestOptions& ro) {
  using github::Mode;
  const Mode mode = ctx_.options.mode;
  if (mode == Mode::shadow && !shadow_ok) return {};  // a pilot never gates, labels or dismisses
  out_.calls.push_back(call);
  audit::ActionRecord a;
  a.run_id = reason_;
  a.repository = pr_.full_name();
  a.pr_number = pr_.number;
  a.detail = fmt::format("{} {}", call.method, call.path);
  if (mode == Mode::dry_run) {
    a.kind = fmt::format("would_{}", kind);
    ctx_.audit.record_action(a);
    return {};
  }
  github::Response r = ctx_.client.request(call.method, call.path, call.body, ro);
  a.kind = std::string(kind);
  a.http_status = r.status;
  if (r.body.is_object() && r.body.contains("id") && r.body["id"].is_number_integer()) {
    a.github_id = std::to_string(r.body["id"].get<std::int64_t>());
  }
  ctx_.audit.record_action(a);
  return r;
}

void post_reply(Poster& p, const PrInfo& pr, const std::string& body) {
  p.send("comment", {"POST", fmt::format("{}/issues/{}/comments", repo_path(pr), pr.number), {{"body", body}}}, true);
}

void label_needs_human(CommandContext& ctx, Poster& p, const PrInfo& pr) {
  const std::string base = fmt::format("{}/issues/{}/labels", repo_path(pr), pr.number);
  std::vector<std::string> current;
  for (const auto& l : ctx.client.get_all(base)) {
    if (l.is_object() && l.contains("name") && l["name"].is_string()) current.push_back(l["name"]);
  }
  auto has = [&](const char* name) { return std::find(current.begin(), current.end(), name) != current.end(); };
  if (!has(github::kNeedsHumanLabel)) {
    p.send("label", {"POST", base, {{"labels", {github::kNeedsHumanLabel}}}});
  }
  if (has(github::kApprovedLabel)) {
    github::RequestOptions gone;
    gone.ok_statuses = {404};
    p.send("label", {"DELETE", base + "/" + github::url_encode(github::kApprovedLabel), nullptr}, false, gone);
  }
}

int dismiss_bot_approvals(CommandContext& ctx, Poster& p, const PrInfo& pr, const std::string& message) {
  const std::string path = fmt::format("{}/pulls/{}/reviews", repo_path(pr), pr.number);
  int n = 0;
  for (const auto& rv : ctx.client.get_all(path)) {
    if (!rv.is_object() || text(rv, "state") != "APPROVED") continue;
    if (!ours(member(rv, "user"), ctx.options.bot_login)) continue;
    std::int64_t id = number(rv, "id");
    if (id == 0) continue;
    p.send("dismiss_review", {"PUT", fmt::format("{}/{}/dismissals", path, id),
                              {{"message", message}, {"event", "DISMISS"}}});
    ++n;
  }
  return n;
}

namespace {

// Our latest check run for `head` (GitHub lists the newest first), or null.
nlohmann::json our_run(CommandContext& ctx, const PrInfo& pr, const std::string& head) {
  auto runs = ctx.client.get_all(fmt::format("{}/commits/{}/check-runs?check_name={}&filter=latest", repo_path(pr),
                                             head, github::kCheckName),
                                 "check_runs");
  for (const auto& run : runs) {
    if (!run.is_object()) continue;
    const std::string& bot = ctx.options.bot_login;
    if (!bot.empty() && run.contains("app") && run["app"].is_object() &&
        text(run["app"], "slug") + "[bot]" != bot) {
      continue;
    }
    return run;
  }
  return nullptr;
}

}  // namespace

std::string gate_conclusion(CommandContext& ctx, const PrInfo& pr, const std::string& head) {
  if (!ctx.options.app) return {};
  auto run = our_run(ctx, pr, head);
  if (!run.is_object() || text(run, "status") != "completed") return {};
  return run.contains("conclusion") && run["conclusion"].is_string() ? run["conclusion"].get<std::string>() : "";
}

void set_gate(CommandContext& ctx, Poster& p, const PrInfo& pr, const std::string& head,
              const std::string& conclusion, const std::string& title, const std::string& summary) {
  if (!ctx.options.app) {
    std::string state = conclusion == "success" ? "success" : conclusion == "failure" ? "failure" : "pending";
    p.send("check_run", {"POST", fmt::format("{}/statuses/{}", repo_path(pr), head),
                         {{"state", state}, {"context", github::kCheckName},
                          {"description", github::truncate_utf8(title, 140)}}});
    return;
  }
  nlohmann::json body = {{"status", "completed"},
                         {"conclusion", conclusion},
                         {"completed_at", utc_now_iso8601()},
                         {"output", {{"title", title}, {"summary", github::truncate_utf8(summary, github::kMaxOutputChars)}}}};
  auto run = our_run(ctx, pr, head);
  if (run.is_object() && run.contains("id")) {
    p.send("check_run", {"PATCH", fmt::format("{}/check-runs/{}", repo_path(pr), number(run, "id")), body});
  } else {
    body["name"] = github::kCheckName;
    body["head_sha"] = head;
    p.send("check_run", {"POST", repo_path(pr) + "/check-runs", body});
  }
}

std::string request_code_owners(CommandContext& ctx, Poster& p, const PrInfo& pr) {
  if (!ctx.options.codeowners) return "Code owners were not looked up (no repository mirror configured).";
  std::optional<std::string> text;
  try {
    text = ctx.options.codeowners(pr);
  } catch (const Error& e) {
    if (ctx.options.log) ctx.options.log(fmt::format("{}#{}: CODEOWNERS unreadable: {}", pr.full_name(), pr.number, e.what()));
    return "I could not read CODEOWNERS at the base commit, so please request reviewers yourself.";
  }
  if (!text) return "This repository has no CODEOWNERS file at the base commit, so please request reviewers yourself.";
  Codeowners co = parse_codeowners(*text);
  std::vector<std::string> paths;
  for (const auto& f : ctx.client.get_all(fmt::format("{}/pulls/{}/files?per_page=100", repo_path(pr), pr.number))) {
    if (!f.is_object()) continue;
    for (const char* key : {"filename", "previous_filename"}) {
      if (f.contains(key) && f[key].is_string()) paths.push_back(f[key].get<std::string>());
    }
  }
  ReviewerSet set = reviewers_for(co, paths, pr.owner);
  std::erase_if(set.users, [&](const std::string& u) {
    return u == pr.author || u == ctx.options.bot_login || is_bot(nlohmann::json{{"login", u}});
  });
  if (set.users.size() > kMaxReviewerRequests) set.users.resize(kMaxReviewerRequests);
  if (set.teams.size() > kMaxReviewerRequests - set.users.size()) set.teams.resize(kMaxReviewerRequests - set.users.size());
  if (set.users.empty() && set.teams.empty()) {
    return "No code owner other than the author owns the changed files, so please request reviewers yourself.";
  }
  nlohmann::json body = nlohmann::json::object();
  if (!set.users.empty()) body["reviewers"] = set.users;
  if (!set.teams.empty()) body["team_reviewers"] = set.teams;
  github::RequestOptions ro;
  ro.ok_statuses = {422};  // e.g. an owner without access to the repository
  auto r = p.send("request_reviewers", {"POST", fmt::format("{}/pulls/{}/requested_reviewers", repo_path(pr), pr.number), body},
                  false, ro);
  std::vector<std::string> names;
  for (const auto& u : set.users) names.push_back("@" + u);
  for (const auto& t : set.teams) names.push_back(fmt::format("@{}/{}", pr.owner, t));
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  if (r.status == 422) return fmt::format("GitHub refused to request reviews from the code owners ({}).", list);
  return fmt::format("Code owners asked to review: {}.", list);
}

}  // namespace reviewer::commands
