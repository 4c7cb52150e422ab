#include "reviewer/commands/events.h"

#include <fmt/format.h>

#include "reviewer/commands/json_util.h"

#include "audit/store.h"
#include "reviewer/commands/actions.h"
#include "reviewer/commands/state.h"
#include "reviewer/core/error.h"

namespace reviewer::commands {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
  throw Error(Error::Code::invalid_input, "webhook payload: " + what);
}

const json& obj(const json& j, const char* key, const char* where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) bad(fmt::format("'{}' is missing or not an object", where));
  return j[key];
}

std::string str(const json& j, const char* key, const char* where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) bad(fmt::format("'{}' is missing or not a string", where));
  return j[key].get<std::string>();
}

std::string str_or_empty(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::int64_t integer(const json& j, const char* key, const char* where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) bad(fmt::format("'{}' is missing or not an integer", where));
  return j[key].get<std::int64_t>();
}

std::pair<std::string, std::string> owner_repo(const json& payload) {
  const json& repo = obj(payload, "repository", "repository");
  return {str(obj(repo, "owner", "repository.owner"), "login", "repository.owner.login"),
          str(repo, "name", "repository.name")};
}

std::string bot_mention(const std::string& bot_login) {
  auto pos = bot_login.find("[bot]");
  return pos == std::string::npos ? bot_login : bot_login.substr(0, pos);
}

Outcome ignored(std::string why) {
  Outcome o;
  o.ignored = true;
  o.notes.push_back(std::move(why));
  return o;
}

void event(CommandContext& ctx, const PrInfo& pr, const std::string& kind, const std::string& actor,
           const std::string& head, const std::string& merge_sha, const std::string& detail, Outcome& out) {
  auto h = ctx.audit.history(pr.full_name(), pr.number);
  for (const auto& e : h.events) {
    const auto& r = e.record;
    if (r.kind == kind && r.head_sha == head && r.merge_sha == merge_sha && r.detail == detail && r.actor == actor) {
      return;  // a retried job or a redelivery: recorded once
    }
  }
  ctx.audit.record_pr_event({pr.full_name(), pr.number, kind, actor, head, merge_sha, 0, detail, ""});
  out.notes.push_back(fmt::format("{} {}", kind, actor));
}

// After an approval went away: back to action_required when a human review
// is still required and no standing approval covers the head.
void recheck_gate(CommandContext& ctx, const PrInfo& pr, Outcome& out, const std::string& reason) {
  auto h = ctx.audit.history(pr.full_name(), pr.number);
  if (!human_review_required(h) || human_approved_head(h, pr.head_sha)) return;
  if (gate_conclusion(ctx, pr, pr.head_sha) != "success") return;
  Poster p(ctx, pr, reason, out);
  set_gate(ctx, p, pr, pr.head_sha, "action_required", "reviewer: human review requested",
           "A human review is required and no standing approval by a person with write access covers this head.");
}

}  // namespace

Outcome handle_issue_comment(CommandContext& ctx, const json& payload) {
  const std::string action = str_or_empty(payload, "action");
  if (action != "created") return ignored(fmt::format("issue_comment {}: only new comments carry commands", action));
  const json& issue = obj(payload, "issue", "issue");
  if (!issue.contains("pull_request") || issue["pull_request"].is_null()) return ignored("comment on an issue, not a PR");
  const json& comment = obj(payload, "comment", "comment");
  if (is_bot(member(comment, "user"), member(comment, "performed_via_github_app"), ctx.options.bot_login)) {
    return ignored("comment by a bot");
  }
  auto commands = parse_commands(str(comment, "body", "comment.body"), bot_mention(ctx.options.bot_login));
  if (commands.empty()) return ignored("no command");
  auto [owner, repo] = owner_repo(payload);
  PrInfo pr = fetch_pull(ctx.client, owner, repo, integer(issue, "number", "issue.number"));
  Outcome out;
  Actor actor{str(obj(comment, "user", "comment.user"), "login", "comment.user.login"),
              str_or_empty(comment, "author_association")};
  CommandRun run(ctx, pr, actor, std::to_string(integer(comment, "id", "comment.id")), out);
  run_commands(run, commands);
  return out;
}

Outcome handle_pull_request_review(CommandContext& ctx, const json& payload) {
  const std::string action = str_or_empty(payload, "action");
  if (action != "submitted" && action != "dismissed") return ignored("pull_request_review " + action);
  const json& review = obj(payload, "review", "review");
  const json& user = obj(review, "user", "review.user");
  if (is_bot(user, nullptr, ctx.options.bot_login)) return ignored("review by a bot");
  auto [owner, repo] = owner_repo(payload);
  const json& pull = obj(payload, "pull_request", "pull_request");
  PrInfo pr = fetch_pull(ctx.client, owner, repo, integer(pull, "number", "pull_request.number"));
  const std::string login = str(user, "login", "review.user.login");
  const std::string review_id = std::to_string(integer(review, "id", "review.id"));
  const std::string detail = "review=" + review_id;
  const std::string commit = str_or_empty(review, "commit_id");
  Outcome out;
  if (action == "dismissed") {
    event(ctx, pr, "approval_dismissed", login, commit, "", detail, out);
    recheck_gate(ctx, pr, out, "review " + review_id);
    return out;
  }
  Actor actor{login, str_or_empty(review, "author_association")};
  CommandRun run(ctx, pr, actor, "review-" + review_id, out);
  auto commands = parse_commands(str_or_empty(review, "body"), bot_mention(ctx.options.bot_login));
  std::string state = str(review, "state", "review.state");
  for (auto& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));  // REST spells it upper-case
  if (state == "approved") {
    if (run.access_level() == Access::write) {
      event(ctx, pr, "approved", login, commit, "", detail, out);
      // The current head, approved by a person with write access: the gate
      // turns green unless the bot asked for changes (that stays failure).
      if (commit == pr.head_sha) {
        std::string current = gate_conclusion(ctx, pr, pr.head_sha);
        auto h = ctx.audit.history(pr.full_name(), pr.number);
        if (current == "action_required" || (current.empty() && human_review_required(h))) {
          set_gate(ctx, run.poster, pr, pr.head_sha, "success", fmt::format("reviewer: approved by {}", login),
                   fmt::format("@{} (write access) approved {}.", login, pr.head_sha));
        }
      }
    } else {
      event(ctx, pr, "approved_without_access", login, commit, "", detail, out);
    }
  } else if (state == "changes_requested") {
    event(ctx, pr, "changes_requested", login, commit, "", detail, out);
    recheck_gate(ctx, pr, out, "review " + review_id);
  }
  if (!commands.empty()) run_commands(run, commands);
  return out;
}

Outcome handle_pull_request(CommandContext& ctx, const json& payload) {
  const std::string action = str_or_empty(payload, "action");
  static const std::pair<const char*, const char*> kinds[] = {
      {"opened", "opened"}, {"synchronize", "pushed"}, {"reopened", "reopened"},
      {"ready_for_review", "ready_for_review"}, {"closed", "closed"}};
  std::string kind;
  for (const auto& [a, k] : kinds) {
    if (action == a) kind = k;
  }
  if (kind.empty()) return ignored("pull_request " + action);
  auto [owner, repo] = owner_repo(payload);
  const json& pull = obj(payload, "pull_request", "pull_request");
  PrInfo pr;
  pr.owner = owner;
  pr.repo = repo;
  pr.number = integer(pull, "number", "pull_request.number");
  pr.head_sha = str(obj(pull, "head", "pull_request.head"), "sha", "pull_request.head.sha");
  pr.author = str(obj(pull, "user", "pull_request.user"), "login", "pull_request.user.login");
  const std::string sender = payload.contains("sender") ? str_or_empty(payload["sender"], "login") : std::string();
  Outcome out;
  if (kind == "closed" && flag(pull, "merged")) {
    std::string merged_by = pull.contains("merged_by") ? str_or_empty(pull["merged_by"], "login") : std::string();
    std::string merge_sha = str_or_empty(pull, "merge_commit_sha");
    event(ctx, pr, "merged", merged_by.empty() ? sender : merged_by, pr.head_sha, merge_sha, "", out);
    auto reverted = ctx.audit.link_reverts(pr.full_name(), pr.number, str_or_empty(pull, "title"),
                                           str_or_empty(pull, "body"), "");
    for (auto n : reverted) out.notes.push_back(fmt::format("reverts #{}", n));
  } else {
    event(ctx, pr, kind, kind == "opened" ? pr.author : sender, pr.head_sha, "", "", out);
  }
  if (kind == "closed") {
    int n = collect_reactions(ctx, pr);
    if (n > 0) out.notes.push_back(fmt::format("{} reaction{} recorded as feedback", n, n == 1 ? "" : "s"));
  }
  return out;
}

Outcome handle_event(CommandContext& ctx, std::string_view event_name, const json& payload) {
  if (event_name == "issue_comment") return handle_issue_comment(ctx, payload);
  if (event_name == "pull_request_review") return handle_pull_request_review(ctx, payload);
  if (event_name == "pull_request") return handle_pull_request(ctx, payload);
  return ignored(fmt::format("event {}", event_name));
}

}  // namespace reviewer::commands
