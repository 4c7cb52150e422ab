#include "reviewer/commands/events.h"

#include <fmt/format.h>


#include "audit/store.h"
#include "reviewer/commands/actions.h"
#include "reviewer/commands/check_evidence.h"
#include "reviewer/commands/state.h"
#include "reviewer/core/error.h"
#include "reviewer/core/text.h"
#include "reviewer/github/webhook.h"

namespace reviewer::commands {

namespace {

using nlohmann::json;
using github::payload::integer;
using github::payload::object;
using github::payload::owner_repo;
using github::payload::string;
using github::payload::string_or_empty;

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

void event(CommandContext& ctx, const github::PullInfo& pr, const std::string& kind, const std::string& actor,
           const std::string& head, const std::string& merge_sha, const std::string& detail, Outcome& out,
           const std::string& at = "") {
  auto h = ctx.audit.history(pr.full_name(), pr.pr.number);
  for (const auto& e : h.events) {
    const auto& r = e.record;
    if (r.kind == kind && r.head_sha == head && r.merge_sha == merge_sha && r.detail == detail && r.actor == actor) {
      return;  // a retried job or a redelivery: recorded once
    }
  }
  ctx.audit.record_pr_event({pr.full_name(), pr.pr.number, kind, actor, head, merge_sha, 0, detail, at});
  out.notes.push_back(fmt::format("{} {}", kind, actor));
}

// After an approval went away: back to action_required when a human review
// is still required and no standing approval covers the head.
void recheck_gate(CommandContext& ctx, const github::PullInfo& pr, Outcome& out, const std::string& reason) {
  auto h = ctx.audit.history(pr.full_name(), pr.pr.number);
  if (!human_review_required(h) || human_approved_head(h, pr.pr.head_sha)) return;
  github::Publisher p = command_publisher(ctx, pr, reason, out);
  if (p.gate_conclusion(target_of(pr), pr.pr.head_sha) != "success") return;
  p.set_gate(target_of(pr), pr.pr.head_sha, "action_required", "reviewer: human review requested",
             "A human review is required and no standing approval by a person with write access covers this head.",
             ctx.options.mode);
}

}  // namespace

Outcome handle_issue_comment(CommandContext& ctx, const json& payload) {
  const std::string action = string_or_empty(payload, "action");
  if (action != "created") return ignored(fmt::format("issue_comment {}: only new comments carry commands", action));
  const json& issue = object(payload, "issue", "");
  if (!issue.contains("pull_request") || issue["pull_request"].is_null()) return ignored("comment on an issue, not a PR");
  const json& comment = object(payload, "comment", "");
  if (is_bot(github::payload::member_or_null(comment, "user"), github::payload::member_or_null(comment, "performed_via_github_app"), ctx.options.bot_login)) {
    return ignored("comment by a bot");
  }
  auto commands = parse_commands(string(comment, "body", "comment"), bot_mention(ctx.options.bot_login));
  if (commands.empty()) return ignored("no command");
  auto [owner, repo] = owner_repo(payload);
  github::PullInfo pr = github::fetch_pull(ctx.client, owner, repo, integer(issue, "number", "issue"));
  Outcome out;
  Actor actor{string(object(comment, "user", "comment"), "login", "comment.user"),
              string_or_empty(comment, "author_association")};
  CommandRun run(ctx, pr, actor, std::to_string(integer(comment, "id", "comment")), out);
  run_commands(run, commands);
  return out;
}

Outcome handle_pull_request_review(CommandContext& ctx, const json& payload) {
  const std::string action = string_or_empty(payload, "action");
  if (action != "submitted" && action != "dismissed") return ignored("pull_request_review " + action);
  const json& review = object(payload, "review", "");
  const json& user = object(review, "user", "review");
  if (is_bot(user, nullptr, ctx.options.bot_login)) return ignored("review by a bot");
  auto [owner, repo] = owner_repo(payload);
  const json& pull = object(payload, "pull_request", "");
  github::PullInfo pr = github::fetch_pull(ctx.client, owner, repo, integer(pull, "number", "pull_request"));
  const std::string login = string(user, "login", "review.user");
  const std::string review_id = std::to_string(integer(review, "id", "review"));
  const std::string detail = "review=" + review_id;
  const std::string commit = string_or_empty(review, "commit_id");
  Outcome out;
  if (action == "dismissed") {
    event(ctx, pr, "approval_dismissed", login, commit, "", detail, out);
    recheck_gate(ctx, pr, out, "review " + review_id);
    return out;
  }
  Actor actor{login, string_or_empty(review, "author_association")};
  CommandRun run(ctx, pr, actor, "review-" + review_id, out);
  auto commands = parse_commands(string_or_empty(review, "body"), bot_mention(ctx.options.bot_login));
  const std::string state = lower(string(review, "state", "review"));  // REST spells it upper-case
  if (state == "approved") {
    if (run.access_level() == Access::write) {
      event(ctx, pr, "approved", login, commit, "", detail, out);
      // The current head, approved by a person with write access: the gate
      // turns green unless the bot asked for changes (that stays failure).
      if (commit == pr.pr.head_sha) {
        std::string current = run.publisher.gate_conclusion(target_of(pr), pr.pr.head_sha);
        auto h = ctx.audit.history(pr.full_name(), pr.pr.number);
        if (current == "action_required" || (current.empty() && human_review_required(h))) {
          run.publisher.set_gate(target_of(pr), pr.pr.head_sha, "success",
                                 fmt::format("reviewer: approved by {}", login),
                                 fmt::format("@{} (write access) approved {}.", login, pr.pr.head_sha),
                                 ctx.options.mode);
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
  const std::string action = string_or_empty(payload, "action");
  static const std::pair<const char*, const char*> kinds[] = {
      {"opened", "opened"}, {"synchronize", "pushed"}, {"reopened", "reopened"},
      {"ready_for_review", "ready_for_review"}, {"closed", "closed"}};
  std::string kind;
  for (const auto& [a, k] : kinds) {
    if (action == a) kind = k;
  }
  if (kind.empty()) return ignored("pull_request " + action);
  auto [owner, repo] = owner_repo(payload);
  const json& pull = object(payload, "pull_request", "");
  github::PullInfo pr;
  pr.pr.repository = owner + "/" + repo;
  pr.pr.number = integer(pull, "number", "pull_request");
  pr.pr.head_sha = string(object(pull, "head", "pull_request"), "sha", "pull_request.head");
  pr.pr.author = string(object(pull, "user", "pull_request"), "login", "pull_request.user");
  const std::string sender = payload.contains("sender") ? string_or_empty(payload["sender"], "login") : std::string();
  Outcome out;
  if (kind == "closed" && github::payload::flag_or_false(pull, "merged")) {
    std::string merged_by = pull.contains("merged_by") ? string_or_empty(pull["merged_by"], "login") : std::string();
    std::string merge_sha = string_or_empty(pull, "merge_commit_sha");
    // GitHub's merge time, so checks completed after the merge show as such
    // (v_merged_before_checks_completed); now when the payload has none.
    event(ctx, pr, "merged", merged_by.empty() ? sender : merged_by, pr.pr.head_sha, merge_sha, "", out,
          github::payload::time_or_empty(pull, "merged_at"));
    auto reverted = ctx.audit.link_reverts(pr.full_name(), pr.pr.number, string_or_empty(pull, "title"),
                                           string_or_empty(pull, "body"), "");
    for (auto n : reverted) out.notes.push_back(fmt::format("reverts #{}", n));
  } else {
    event(ctx, pr, kind, kind == "opened" ? pr.pr.author : sender, pr.pr.head_sha, "", "", out);
  }
  if (kind == "closed") {
    int n = collect_reactions(ctx, pr);
    if (n > 0) out.notes.push_back(fmt::format("{} reaction{} recorded as feedback", n, n == 1 ? "" : "s"));
  }
  if (kind == "closed" && github::payload::flag_or_false(pull, "merged")) {
    // The test results of the merged head, last: a failed read retries the
    // job, and everything above is recorded once.
    HeadChecks h{owner, repo, {pr.pr.number}, pr.pr.head_sha, "merged", {}};
    out.notes.push_back(record_head_checks(&ctx.client, ctx.audit, h, ctx.options.log));
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
