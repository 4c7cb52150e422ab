#include "reviewer/commands/github_ops.h"

#include <algorithm>

#include <fmt/format.h>

#include "reviewer/github/webhook.h"

#include "audit/store.h"
#include "reviewer/commands/codeowners.h"
#include "reviewer/commands/permissions.h"
#include "reviewer/core/error.h"
#include "reviewer/core/review_result.h"
#include "reviewer/github/labels.h"

namespace reviewer::commands {

namespace {

constexpr std::size_t kMaxReviewerRequests = 15;  // GitHub's cap on requested reviewers at once

bool ours(const nlohmann::json& user, const std::string& bot_login) {
  return user.is_object() && !bot_login.empty() && github::payload::string_or_empty(user, "login") == bot_login;
}

}  // namespace

std::string Outcome::summary() const {
  std::string s;
  for (const auto& n : notes) s += (s.empty() ? "" : "; ") + n;
  return s;
}

github::PublishTarget target_of(const github::PullInfo& pr) {
  github::PublishTarget t;
  t.owner = pr.owner();
  t.repo = pr.repo();
  t.number = pr.pr.number;
  return t;
}

std::string repo_path(const github::PullInfo& pr) { return github::repo_path(target_of(pr)); }

github::Publisher command_publisher(CommandContext& ctx, const github::PullInfo& pr, std::string reason,
                                    Outcome& out) {
  github::PublisherOptions o;
  o.bot_login = ctx.options.bot_login;
  o.app = ctx.options.app;
  o.log = ctx.options.log;
  o.on_call = [&ctx, &out, repository = pr.full_name(), number = pr.pr.number, reason = std::move(reason)](
                  std::string_view kind, const github::PlannedCall& call, bool sent) {
    out.calls.push_back(call);
    audit::ActionRecord a;
    a.run_id = reason;
    a.repository = repository;
    a.pr_number = number;
    a.detail = fmt::format("{} {}", call.method, call.path);
    a.kind = sent ? std::string(kind) : fmt::format("would_{}", kind);
    a.http_status = call.status;
    a.github_id = call.github_id;
    ctx.audit.record_action(a);
  };
  return github::Publisher(&ctx.client, std::move(o));
}

void post_reply(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr, const std::string& body) {
  p.send("comment", {"POST", fmt::format("{}/issues/{}/comments", repo_path(pr), pr.pr.number), {{"body", body}}},
         ctx.options.mode, true);
}

void label_needs_human(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr) {
  const std::string base = fmt::format("{}/issues/{}/labels", repo_path(pr), pr.pr.number);
  std::vector<std::string> current;
  for (const auto& l : ctx.client.get_all(base)) {
    if (l.is_object() && l.contains("name") && l["name"].is_string()) current.push_back(l["name"]);
  }
  auto has = [&](const char* name) { return std::find(current.begin(), current.end(), name) != current.end(); };
  if (!has(github::kNeedsHumanLabel)) {
    p.send("label", {"POST", base, {{"labels", {github::kNeedsHumanLabel}}}}, ctx.options.mode);
  }
  if (has(github::kApprovedLabel)) {
    github::RequestOptions gone;
    gone.ok_statuses = {404};
    p.send("label", {"DELETE", base + "/" + github::url_encode(github::kApprovedLabel), nullptr}, ctx.options.mode,
           false, gone);
  }
}

int dismiss_bot_approvals(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr,
                          const std::string& message) {
  const std::string path = fmt::format("{}/pulls/{}/reviews", repo_path(pr), pr.pr.number);
  int n = 0;
  for (const auto& rv : ctx.client.get_all(path)) {
    if (!rv.is_object() || github::payload::string_or_empty(rv, "state") != "APPROVED") continue;
    if (!ours(github::payload::member_or_null(rv, "user"), ctx.options.bot_login)) continue;
    std::int64_t id = github::payload::integer_or_zero(rv, "id");
    if (id == 0) continue;
    p.send("dismiss_review", {"PUT", fmt::format("{}/{}/dismissals", path, id),
                              {{"message", message}, {"event", "DISMISS"}}},
           ctx.options.mode);
    ++n;
  }
  return n;
}

std::string request_code_owners(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr) {
  if (!ctx.options.codeowners) return "Code owners were not looked up (no repository mirror configured).";
  std::optional<std::string> text;
  try {
    text = ctx.options.codeowners(pr);
  } catch (const Error& e) {
    if (ctx.options.log) ctx.options.log(fmt::format("{}#{}: CODEOWNERS unreadable: {}", pr.full_name(), pr.pr.number, e.what()));
    return "I could not read CODEOWNERS at the base commit, so please request reviewers yourself.";
  }
  if (!text) return "This repository has no CODEOWNERS file at the base commit, so please request reviewers yourself.";
  Codeowners co = parse_codeowners(*text);
  std::vector<std::string> paths;
  for (const auto& f : ctx.client.get_all(fmt::format("{}/pulls/{}/files?per_page=100", repo_path(pr), pr.pr.number))) {
    if (!f.is_object()) continue;
    for (const char* key : {"filename", "previous_filename"}) {
      if (f.contains(key) && f[key].is_string()) paths.push_back(f[key].get<std::string>());
    }
  }
  ReviewerSet set = reviewers_for(co, paths, pr.owner());
  std::erase_if(set.users, [&](const std::string& u) {
    return u == pr.pr.author || u == ctx.options.bot_login || is_bot(nlohmann::json{{"login", u}});
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
  auto r = p.send("request_reviewers",
                  {"POST", fmt::format("{}/pulls/{}/requested_reviewers", repo_path(pr), pr.pr.number), body},
                  ctx.options.mode, false, ro);
  std::vector<std::string> names;
  for (const auto& u : set.users) names.push_back("@" + u);
  for (const auto& t : set.teams) names.push_back(fmt::format("@{}/{}", pr.owner(), t));
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  if (r.status == 422) return fmt::format("GitHub refused to request reviews from the code owners ({}).", list);
  return fmt::format("Code owners asked to review: {}.", list);
}

}  // namespace reviewer::commands
