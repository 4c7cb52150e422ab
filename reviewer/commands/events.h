// Entry points for the job handler, one per webhook event. Payloads are
// attacker-influenced JSON: a handled event missing a field it needs is a
// reviewer::Error(invalid_input) naming the field (the job fails, it is
// not retried); GitHub API failures throw github::GitHubError (retried).
//
//   issue_comment created on a PR      commands (actions.h); edits never re-trigger
//   pull_request_review submitted      commands in the review body; a person's
//                                      approval / request for changes (pr_events);
//                                      an approval of the current head by someone
//                                      with write access turns the gate green
//   pull_request_review dismissed      the approval no longer counts
//   pull_request opened, synchronize,  lifecycle rows in pr_events (pushed for
//     reopened, ready_for_review,      synchronize); closed: merged (merge sha) or
//     closed                           closed, revert PRs linked, reactions collected;
//                                      merged: the head's check runs and statuses
//                                      recorded (check_evidence.h)
//
// Comments and reviews by bots, this one included, are ignored (no loops).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "reviewer/commands/context.h"

namespace reviewer::commands {

Outcome handle_issue_comment(CommandContext& ctx, const nlohmann::json& payload);
Outcome handle_pull_request_review(CommandContext& ctx, const nlohmann::json& payload);
Outcome handle_pull_request(CommandContext& ctx, const nlohmann::json& payload);

// Dispatches on the X-GitHub-Event name; any other event is ignored.
Outcome handle_event(CommandContext& ctx, std::string_view event, const nlohmann::json& payload);

}  // namespace reviewer::commands
