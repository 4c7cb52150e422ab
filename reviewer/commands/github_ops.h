// The GitHub calls behind the commands: read the PR fresh, reply, switch
// the verdict labels, dismiss the bot's approvals, move the gate, request
// code owners. Every mutating call goes through a Poster, which applies the
// mode and writes an `actions` row to the audit log for it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reviewer/commands/context.h"

namespace reviewer::commands {

// GET /repos/{o}/{r}/pulls/{n}: the PR as it is now (webhooks may be stale).
PrInfo fetch_pull(github::RestClient& client, const std::string& owner, const std::string& repo,
                  std::int64_t number);

class Poster {
 public:
  // `reason` ties the audit rows to what caused them, e.g. "comment 123".
  Poster(CommandContext& ctx, const PrInfo& pr, std::string reason, Outcome& out);

  // Sends (or in dry-run only records) one mutating call. Replies go out in
  // shadow mode too (`shadow_ok`); everything else only in active mode.
  // Returns the answer, or an empty Response when not sent.
  github::Response send(std::string_view kind, github::PlannedCall call, bool shadow_ok = false,
                        const github::RequestOptions& ro = {});

 private:
  CommandContext& ctx_;
  const PrInfo& pr_;
  std::string reason_;
  Outcome& out_;
};

std::string repo_path(const PrInfo& pr);

// POST /repos/{o}/{r}/issues/{n}/comments.
void post_reply(Poster& p, const PrInfo& pr, const std::string& body);

// `reviewer: needs-human` on, `reviewer: approved` off (idempotent).
void label_needs_human(CommandContext& ctx, Poster& p, const PrInfo& pr);

// Dismisses every standing APPROVED review by the bot; returns how many.
int dismiss_bot_approvals(CommandContext& ctx, Poster& p, const PrInfo& pr, const std::string& message);

// Completes the bot's check run `reviewer` for `head` with `conclusion`
// (PATCH of our latest run, else a new one); with a plain token, the commit
// status `reviewer` (action_required -> pending).
void set_gate(CommandContext& ctx, Poster& p, const PrInfo& pr, const std::string& head,
              const std::string& conclusion, const std::string& title, const std::string& summary);

// The conclusion of the bot's latest check run for `head`; "" when none or
// still running.
std::string gate_conclusion(CommandContext& ctx, const PrInfo& pr, const std::string& head);

// Requests reviews from the code owners of the PR's changed files (old and
// new paths), read from CODEOWNERS at the base commit. The author and bots
// are left out; at most 15 at once. Returns a sentence for the reply.
std::string request_code_owners(CommandContext& ctx, Poster& p, const PrInfo& pr);

}  // namespace reviewer::commands
