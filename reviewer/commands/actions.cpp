#include "reviewer/commands/actions.h"

#include <ctime>
#include <map>

#include <fmt/format.h>

#include "reviewer/github/webhook.h"
#include <re2/re2.h>

#include "audit/store.h"
#include "reviewer/commands/state.h"
#include "reviewer/core/utc_time.h"
#include "reviewer/github/markdown.h"

namespace reviewer::commands {

namespace {

std::chrono::system_clock::time_point now(const CommandContext& ctx) {
  return ctx.options.now ? ctx.options.now() : std::chrono::system_clock::now();
}

std::string short_sha(const std::string& sha) { return sha.substr(0, 12); }

std::string who(const std::string& login) { return "@" + github::markdown_escape(login); }

std::string code(std::string_view s) {
  // Attacker-chosen text in a reply: escaped, never in a code span a backtick could close.
  return github::markdown_escape(std::string(s.substr(0, 100)));
}

bool already_replied(const audit::PrHistory& h, const std::string& reason) {
  for (const auto& a : h.actions) {
    if (a.record.run_id == reason && (a.record.kind == "comment" || a.record.kind == "would_comment")) return true;
  }
  return false;
}

void react(CommandRun& run, const char* content) {
  if (run.comment_id.empty() || run.comment_id.rfind("review-", 0) == 0) return;  // review bodies take no reaction
  run.publisher.send("reaction",
                     {"POST", fmt::format("{}/issues/comments/{}/reactions", repo_path(run.pr), run.comment_id),
                      {{"content", content}}},
                     run.ctx.options.mode, true);
}

}  // namespace

CommandRun::CommandRun(CommandContext& c, const github::PullInfo& p, Actor a, std::string id, Outcome& o)
    : ctx(c), pr(p), actor(std::move(a)), comment_id(std::move(id)), out(o),
      publisher(command_publisher(c, p, "comment " + comment_id, o)) {}

Access CommandRun::access_level() {
  if (!access) access = resolve_access(ctx.client, pr.owner(), pr.repo(), actor.login, actor.association);
  return *access;
}

void CommandRun::refuse(const Command& cmd, const std::string& why, const std::string& reply_line) {
  audit::ActionRecord a;
  a.run_id = "comment " + comment_id;
  a.repository = pr.full_name();
  a.pr_number = pr.pr.number;
  a.kind = "command_refused";
  a.detail = fmt::format("/{} by {} ({}, access {}): {}", to_string(cmd.kind), actor.login,
                         actor.association.empty() ? "no association" : actor.association,
                         access ? to_string(*access) : "unchecked", why);
  ctx.audit.record_action(a);
  reply.push_back(reply_line);
  out.notes.push_back(fmt::format("refused /{} by {}: {}", to_string(cmd.kind), actor.login, why));
}

void run_human_review(CommandRun& run, const Command& cmd) {
  const bool author = run.actor.login == run.pr.pr.author;
  if (!author && run.access_level() != Access::write) {
    run.refuse(cmd, "neither the author nor write access",
               fmt::format("Sorry {}, only the author of this pull request or someone with write access can "
                           "ask for a human review here.", who(run.actor.login)));
    return;
  }
  auto history = run.ctx.audit.history(run.pr.full_name(), run.pr.pr.number);
  bool recorded = false;
  for (const auto& o : history.overrides) recorded |= o.record.comment_id == run.comment_id;
  if (!recorded) {
    run.ctx.audit.record_override({run.pr.full_name(), run.pr.pr.number, "human_review", run.actor.login, run.comment_id, ""});
  }
  dismiss_bot_approvals(run.ctx, run.publisher, run.pr,
                        fmt::format("{} asked for a human review: the bot's approval no longer applies.",
                                    run.actor.login));
  label_needs_human(run.ctx, run.publisher, run.pr);
  run.publisher.set_gate(target_of(run.pr), run.pr.pr.head_sha, "action_required", "reviewer: human review requested",
                         fmt::format("{} asked for a human review{}. This check passes once a person with write "
                                     "access approves the current head; no later push is approved automatically.",
                                     who(run.actor.login), cmd.reason.empty() ? "" : ": " + code(cmd.reason)),
                         run.ctx.options.mode);
  std::string owners = request_code_owners(run.ctx, run.publisher, run.pr);
  if (run.ctx.options.mode != Mode::active) {
    owners = fmt::format("(In {} mode I change no labels, approvals, checks or reviewers.)",
                         to_string(run.ctx.options.mode));
  }
  run.reply.push_back(fmt::format(
      "Human review requested by {}. I will not approve this pull request automatically, on this or any later "
      "push, until someone with write access says `/human-review cancel`; the `reviewer` check passes once a "
      "person with write access approves the current head. {}",
      who(run.actor.login), owners));
  run.out.notes.push_back(fmt::format("human review requested by {}", run.actor.login));
}

void run_human_review_cancel(CommandRun& run, const Command& cmd) {
  if (run.access_level() != Access::write) {
    run.refuse(cmd, "no write access",
               fmt::format("Sorry {}, only someone with write access can lift a human-review request.",
                           who(run.actor.login)));
    return;
  }
  auto history = run.ctx.audit.history(run.pr.full_name(), run.pr.pr.number);
  if (!human_review_required(history)) {
    run.reply.push_back("No human review is requested on this pull request, so there is nothing to cancel.");
    return;
  }
  if (run.actor.login == run.pr.pr.author) {
    // The author may withdraw their own request, never someone else's.
    for (auto it = history.overrides.rbegin(); it != history.overrides.rend() && it->record.kind != "cancel"; ++it) {
      if (it->record.actor != run.pr.pr.author) {
        run.refuse(cmd, fmt::format("the request by {} needs someone other than the author", it->record.actor),
                   fmt::format("Sorry {}, {} asked for a human review; someone else with write access must lift it.",
                               who(run.actor.login), who(it->record.actor)));
        return;
      }
    }
  }
  bool recorded = false;
  for (const auto& o : history.overrides) recorded |= o.record.comment_id == run.comment_id && o.record.kind == "cancel";
  if (!recorded) {
    run.ctx.audit.record_override({run.pr.full_name(), run.pr.pr.number, "cancel", run.actor.login, run.comment_id, ""});
  }
  run.out.rerun = RerunRequest{run.pr.full_name(), run.pr.pr.number, run.pr.pr.head_sha, run.actor.login};
  run.reply.push_back(fmt::format("{} lifted the human-review request; I am reviewing {} again.",
                                  who(run.actor.login), short_sha(run.pr.pr.head_sha)));
  run.out.notes.push_back(fmt::format("human review cancelled by {}", run.actor.login));
}

void run_review(CommandRun& run, const Command& cmd) {
  if (run.access_level() != Access::write) {
    run.refuse(cmd, "no write access",
               fmt::format("Sorry {}, only someone with write access can ask me to review again.", who(run.actor.login)));
    return;
  }
  auto history = run.ctx.audit.history(run.pr.full_name(), run.pr.pr.number);
  const auto t = now(run.ctx);
  bool retried = false;
  for (auto it = history.actions.rbegin(); it != history.actions.rend(); ++it) {
    if (it->record.kind != "rerun_request") continue;
    if (it->record.run_id == "comment " + run.comment_id) {
      retried = true;  // this comment, on a retried job: honoured already
      break;
    }
    auto at = parse_utc_iso8601(it->record.at);
    if (at && t < *at + run.ctx.options.review_min_interval) {
      run.refuse(cmd, "rate limited",
                 fmt::format("{}, a new review was requested at {}; ask again after {}.", who(run.actor.login),
                             it->record.at, utc_iso8601(*at + run.ctx.options.review_min_interval)));
      return;
    }
    break;
  }
  if (!retried) {
    run.ctx.audit.record_action({"comment " + run.comment_id, run.pr.full_name(), run.pr.pr.number, "rerun_request", "",
                                 0, fmt::format("/review by {} of {}", run.actor.login, run.pr.pr.head_sha), utc_iso8601(t)});
  }
  collect_reactions(run.ctx, run.pr);
  run.out.rerun = RerunRequest{run.pr.full_name(), run.pr.pr.number, run.pr.pr.head_sha, run.actor.login};
  react(run, "+1");
  run.out.notes.push_back(fmt::format("re-review of {} requested by {}", short_sha(run.pr.pr.head_sha), run.actor.login));
}

void run_feedback(CommandRun& run, const Command& cmd) {
  if (run.access_level() != Access::write) {
    run.refuse(cmd, "no write access",
               fmt::format("Sorry {}, feedback on findings is taken from people with write access only.",
                           who(run.actor.login)));
    return;
  }
  auto history = run.ctx.audit.history(run.pr.full_name(), run.pr.pr.number);
  std::string rule;
  for (const auto& f : history.findings) {
    if (f.finding_id == cmd.finding_id) rule = f.rule;
  }
  if (rule.empty()) {
    run.reply.push_back(fmt::format("I reported no finding {} on this pull request; finding ids are shown next to "
                                    "each finding in my review.", code(cmd.finding_id)));
    return;
  }
  for (const auto& f : history.feedback) {
    if (f.record.comment_id == run.comment_id && f.record.finding_id == cmd.finding_id &&
        f.record.helpful == cmd.helpful) {
      return;  // a retried job
    }
  }
  run.ctx.audit.record_feedback({run.pr.full_name(), run.pr.pr.number, cmd.finding_id, rule, run.actor.login,
                                 cmd.helpful, run.comment_id, ""});
  if (!cmd.reason.empty()) {
    run.ctx.audit.record_action({"comment " + run.comment_id, run.pr.full_name(), run.pr.pr.number, "feedback_reason", "",
                                 0, fmt::format("{}: {}", cmd.finding_id, cmd.reason), ""});
  }
  react(run, "+1");
  run.out.notes.push_back(fmt::format("{} feedback on {} ({}) by {}", cmd.helpful ? "helpful" : "unhelpful",
                                      cmd.finding_id, rule, run.actor.login));
}

void run_commands(CommandRun& run, const std::vector<Command>& commands) {
  bool helped = false;
  for (const auto& cmd : commands) {
    switch (cmd.kind) {
      case Command::Kind::human_review: run_human_review(run, cmd); break;
      case Command::Kind::human_review_cancel: run_human_review_cancel(run, cmd); break;
      case Command::Kind::review: run_review(run, cmd); break;
      case Command::Kind::feedback: run_feedback(run, cmd); break;
      case Command::Kind::unknown:
        if (!helped) {
          run.reply.push_back(fmt::format("I did not understand {}.\n\n{}", code(cmd.text), help_text()));
          run.out.notes.push_back(fmt::format("help for '{}'", cmd.text.substr(0, 60)));
          helped = true;
        }
        break;
    }
  }
  if (run.reply.empty()) return;
  auto history = run.ctx.audit.history(run.pr.full_name(), run.pr.pr.number);
  if (already_replied(history, "comment " + run.comment_id)) return;
  std::string body;
  for (const auto& line : run.reply) body += (body.empty() ? "" : "\n\n") + line;
  post_reply(run.ctx, run.publisher, run.pr, body);
}

int collect_reactions(CommandContext& ctx, const github::PullInfo& pr) {
  static const RE2 marker("<!-- reviewer:finding=([A-Za-z0-9_-]{1,64}) -->");
  auto history = ctx.audit.history(pr.full_name(), pr.pr.number);
  std::map<std::string, std::string> rules;
  for (const auto& f : history.findings) rules[f.finding_id] = f.rule;
  std::map<std::string, Access> access;
  int added = 0, scanned = 0;
  for (const auto& c : ctx.client.get_all(fmt::format("{}/pulls/{}/comments?per_page=100", repo_path(pr), pr.pr.number))) {
    if (!c.is_object() || !c.contains("user") || github::payload::string_or_empty(c["user"], "login") != ctx.options.bot_login) continue;
    std::string id;
    if (!RE2::PartialMatch(github::payload::string_or_empty(c, "body"), marker, &id) || !rules.count(id)) continue;
    if (c.contains("reactions") && c["reactions"].is_object() && github::payload::integer_or_zero(c["reactions"], "+1") == 0 &&
        github::payload::integer_or_zero(c["reactions"], "-1") == 0) {
      continue;  // the rollup says there is nothing to fetch
    }
    if (++scanned > 100) break;
    const std::string comment_key = fmt::format("reaction:{}", github::payload::integer_or_zero(c, "id"));
    for (const auto& r : ctx.client.get_all(fmt::format("{}/pulls/comments/{}/reactions?per_page=100", repo_path(pr),
                                                        github::payload::integer_or_zero(c, "id")))) {
      if (!r.is_object()) continue;
      std::string content = github::payload::string_or_empty(r, "content");
      if (content != "+1" && content != "-1") continue;
      const nlohmann::json user = github::payload::member_or_null(r, "user");
      if (is_bot(user, nullptr, ctx.options.bot_login)) continue;
      const std::string login = github::payload::string_or_empty(user, "login");
      const bool helpful = content == "+1";
      bool seen = false;
      for (const auto& f : history.feedback) {
        seen |= f.record.comment_id == comment_key && f.record.actor == login && f.record.helpful == helpful;
      }
      if (seen) continue;
      auto it = access.find(login);
      if (it == access.end()) it = access.emplace(login, resolve_access(ctx.client, pr.owner(), pr.repo(), login, "")).first;
      if (it->second != Access::write) continue;
      audit::FeedbackRecord f{pr.full_name(), pr.pr.number, id, rules[id], login, helpful, comment_key, ""};
      ctx.audit.record_feedback(f);
      history.feedback.push_back({0, f});
      ++added;
    }
  }
  return added;
}

}  // namespace reviewer::commands
