// The commands' effects on GitHub: reply, switch the verdict labels,
// dismiss the bot's approvals, request code owners. Every mutating call
// goes through github::Publisher (the one write path: it applies the mode;
// the gate is Publisher::set_gate), and each call it lets through becomes
// an `actions` row in the audit log.
#pragma once

#include <string>

#include "reviewer/commands/context.h"
#include "reviewer/github/publisher.h"
#include "reviewer/github/pull_request.h"

namespace reviewer::commands {

// A publisher for calls on `pr` caused by `reason` (e.g. "comment 123"):
// each call it sends, or in dry-run would send, is added to `out.calls` and
// recorded in the audit log (kind, or would_<kind> in dry-run), with
// `reason` as the row's run id.
github::Publisher command_publisher(CommandContext& ctx, const github::PullInfo& pr, std::string reason,
                                    Outcome& out);

// The publisher's target for `pr`, and its "/repos/{o}/{r}".
github::PublishTarget target_of(const github::PullInfo& pr);
std::string repo_path(const github::PullInfo& pr);

// POST /repos/{o}/{r}/issues/{n}/comments (also in shadow mode).
void post_reply(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr, const std::string& body);

// `reviewer: needs-human` on, `reviewer: approved` off (idempotent).
void label_needs_human(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr);

// Dismisses every standing APPROVED review by the bot; returns how many.
int dismiss_bot_approvals(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr,
                          const std::string& message);

// Requests reviews from the code owners of the PR's changed files (old and
// new paths), read from CODEOWNERS at the base commit. The author and bots
// are left out; at most 15 at once. Returns a sentence for the reply.
std::string request_code_owners(CommandContext& ctx, github::Publisher& p, const github::PullInfo& pr);

}  // namespace reviewer::commands
