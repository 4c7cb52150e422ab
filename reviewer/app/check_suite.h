// The "check_suite" job kind (check_suite `completed`, see
// github/webhook.h): the suite itself from the payload, then the head's
// check runs and commit statuses from GitHub, recorded as audit evidence
// (reviewer/commands/check_evidence.h) for each PR the suite lists (PR 0
// when none). Without credentials only the payload's row is recorded.
// A failed GitHub read is retried (5xx, 429, no answer) or fails the job
// (401, 403: an installation that has not granted `statuses: read` yet,
// 404), as every GitHub read of the handler does; the suite's row is kept
// either way and is not recorded twice by the retry.
#pragma once

#include "reviewer/app/handler.h"

namespace reviewer::app {

JobResult handle_check_suite(JobContext& ctx);

}  // namespace reviewer::app
