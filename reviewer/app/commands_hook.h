// Plugs reviewer/commands into the GitHub job handler:
//   kinds "comment" (issue_comment), "review_state" (pull_request_review)
//   and "pull_request" (closed)  -> commands::handle_event; a `/review` or a
//                                   cancelled `/human-review` reviews the
//                                   PR's current head through JobContext::review
//   kind "check_suite" (completed)   -> check_suite.h: test results as evidence
//   prepare (before every review) -> lifecycle row for pull_request events;
//                                   an active /human-review (policy step 3:
//                                   needs_human, never approved) and a person's
//                                   approval of the head (the gate) from the
//                                   audit log
#pragma once

#include "reviewer/app/handler.h"

namespace reviewer::app {

// Adds the kinds and chains `prepare` (an existing hook runs first).
void install_commands(AppHandlerOptions& options);

}  // namespace reviewer::app
