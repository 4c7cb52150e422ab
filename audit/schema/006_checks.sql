-- 006: test results as audit evidence (issue 21): the check runs and commit
-- statuses of a head as GitHub reported them when the PR was merged, or
-- when a check suite completed, one row per check per observation; and one
-- row per completed check suite from the webhook itself, so something is
-- recorded even when the API cannot be read. Same chain columns and
-- append-only triggers as 001. Every text comes from GitHub and is capped
-- and cleaned before it is stored (reviewer/github/commit_checks.h).
-- Also indexes that keep the evidence views (views.sql) to index probes on
-- large logs.

CREATE TABLE check_results (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,     -- 0 when the head belongs to no PR we know (a fork's, a branch push)
  head_sha TEXT NOT NULL,
  source TEXT NOT NULL,           -- check_run | status | check_suite
  name TEXT NOT NULL,             -- check run name, status context, or the suite's app name
  app TEXT NOT NULL,              -- app slug (check run, suite); creator login (status)
  result TEXT NOT NULL,           -- completed: conclusion (success, failure, neutral, cancelled, skipped,
                                  -- timed_out, action_required, stale, startup_failure); incomplete:
                                  -- status (queued, in_progress, waiting, pending); status: state
                                  -- (success, failure, error, pending)
  url TEXT NOT NULL,              -- html_url / target_url (http or https only); '' when none
  completed_at TEXT NOT NULL,     -- '' when not completed; a status: its updated_at unless pending
  observed_at TEXT NOT NULL,      -- when we read it from GitHub
  trigger TEXT NOT NULL           -- merged | check_suite
) STRICT;
-- The views' lookups (a head's checks, the latest row of each, whether it
-- failed or completed) read this index alone, never the table: on 100,000
-- merged changes the check views cost one probe per change.
CREATE INDEX check_results_head ON check_results(repository, head_sha, source, name, result, completed_at);
CREATE INDEX check_results_pr ON check_results(repository, pr_number);
-- From a head with a failed check to its merged PR (v_merged_with_failing_checks).
CREATE INDEX pr_events_head ON pr_events(repository, head_sha);
-- v_merged_prs' latest run on the merged head, without reading the runs:
-- about a third of a full scan of that view on 100,000 changes.
CREATE INDEX review_runs_head ON review_runs(repository, pr_number, head_sha);

CREATE TRIGGER check_results_no_update BEFORE UPDATE ON check_results
  BEGIN SELECT RAISE(ABORT, 'audit table check_results is append-only: UPDATE rejected'); END;
CREATE TRIGGER check_results_no_delete BEFORE DELETE ON check_results
  BEGIN SELECT RAISE(ABORT, 'audit table check_results is append-only: DELETE rejected'); END;
