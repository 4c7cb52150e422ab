// The commands' effects. Each takes the context (GitHub client, audit log,
// options), the PR as GitHub reports it now, and who asked; each records
// what it did in the audit log and adds reply lines for the one reply that
// answers the comment.
//
// Authority (DESIGN.md "Security rules"):
//   /human-review         the PR author, or anyone with write access
//   /human-review cancel  write access; the author may lift only requests
//                         that the author made (not a maintainer's)
//   /review, /feedback    write access
// A refusal gets a polite reply line and an actions row (kind
// command_refused) naming the actor, the command and why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reviewer/commands/context.h"
#include "reviewer/commands/github_ops.h"
#include "reviewer/commands/parser.h"
#include "reviewer/commands/permissions.h"

namespace reviewer::commands {

struct Actor {
  std::string login;
  std::string association;  // author_association from the webhook
};

// One comment's (or review body's) commands being carried out.
struct CommandRun {
  CommandContext& ctx;
  const github::PullInfo& pr;  // as GitHub reports it now
  Actor actor;
  std::string comment_id;   // "123" (issue comment) or "review-456" (review body)
  Outcome& out;
  github::Publisher publisher;  // every call: command_publisher (github_ops.h)
  std::vector<std::string> reply;  // lines of the reply posted at the end
  std::optional<Access> access;    // resolved once, when first needed

  CommandRun(CommandContext& c, const github::PullInfo& p, Actor a, std::string id, Outcome& o);
  Access access_level();
  // The reply line and the audit row for a refused command.
  void refuse(const Command& cmd, const std::string& why, const std::string& reply_line);
};

void run_human_review(CommandRun& run, const Command& cmd);
void run_human_review_cancel(CommandRun& run, const Command& cmd);
void run_review(CommandRun& run, const Command& cmd);
void run_feedback(CommandRun& run, const Command& cmd);

// Runs every command in order, then posts the reply (if any) once; a
// retried job does not reply twice.
void run_commands(CommandRun& run, const std::vector<Command>& commands);

// 👍/👎 reactions of people with write access on the bot's inline comments
// (those ending in <!-- reviewer:finding=ID -->) become feedback rows, each
// (comment, person, verdict) once. Called when a review re-runs and when
// the PR closes. Returns how many rows were added.
int collect_reactions(CommandContext& ctx, const github::PullInfo& pr);

}  // namespace reviewer::commands
