-- 002: what the server sees and does on GitHub: webhook deliveries, pull
-- request snapshots, actions posted, overrides, feedback on findings and the
-- PR lifecycle (opened ... merged, reverted). Same chain columns and
-- append-only triggers as 001.

CREATE TABLE deliveries (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  delivery_id TEXT NOT NULL,      -- X-GitHub-Delivery
  event TEXT NOT NULL,            -- X-GitHub-Event
  action TEXT NOT NULL,           -- payload "action", empty when none
  repository TEXT NOT NULL,
  received_at TEXT NOT NULL,
  signature_valid INTEGER NOT NULL, -- 1 when the HMAC matched; the secret is never stored
  outcome TEXT NOT NULL           -- queued | ignored | rejected | duplicate | ...
) STRICT;
CREATE INDEX deliveries_id ON deliveries(delivery_id);

CREATE TABLE pull_requests (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  title TEXT NOT NULL,
  author TEXT NOT NULL,
  base_ref TEXT NOT NULL,
  head_sha TEXT NOT NULL,
  draft INTEGER NOT NULL,
  observed_at TEXT NOT NULL       -- one snapshot per change seen; latest wins
) STRICT;
CREATE INDEX pull_requests_pr ON pull_requests(repository, pr_number);

CREATE TABLE actions (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  run_id TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  kind TEXT NOT NULL,             -- review_approve | review_comment | review_request_changes |
                                  -- inline_comment | label | check_run | would_<kind> (dry-run)
  github_id TEXT NOT NULL,        -- id GitHub returned; empty when not posted
  http_status INTEGER NOT NULL,   -- 0 when not posted
  detail TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX actions_pr ON actions(repository, pr_number);

CREATE TABLE overrides (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  kind TEXT NOT NULL,             -- human_review | cancel
  actor TEXT NOT NULL,
  comment_id TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX overrides_pr ON overrides(repository, pr_number);

CREATE TABLE feedback (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  finding_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  actor TEXT NOT NULL,
  helpful INTEGER NOT NULL,       -- 1 helpful, 0 not helpful
  comment_id TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX feedback_rule ON feedback(rule);

CREATE TABLE pr_events (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  kind TEXT NOT NULL,             -- opened | ready_for_review | pushed | approved | merged |
                                  -- closed | reopened | reverted
  actor TEXT NOT NULL,            -- who did it (for approved: the approving person)
  head_sha TEXT NOT NULL,
  merge_sha TEXT NOT NULL,        -- merged: the merge commit
  related_pr INTEGER NOT NULL,    -- reverted: the PR whose merge reverted this one; else 0
  detail TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX pr_events_pr ON pr_events(repository, pr_number, kind, at);
CREATE INDEX pr_events_merge ON pr_events(merge_sha);

CREATE TRIGGER deliveries_no_update BEFORE UPDATE ON deliveries
  BEGIN SELECT RAISE(ABORT, 'audit table deliveries is append-only: UPDATE rejected'); END;
CREATE TRIGGER deliveries_no_delete BEFORE DELETE ON deliveries
  BEGIN SELECT RAISE(ABORT, 'audit table deliveries is append-only: DELETE rejected'); END;
CREATE TRIGGER pull_requests_no_update BEFORE UPDATE ON pull_requests
  BEGIN SELECT RAISE(ABORT, 'audit table pull_requests is append-only: UPDATE rejected'); END;
CREATE TRIGGER pull_requests_no_delete BEFORE DELETE ON pull_requests
  BEGIN SELECT RAISE(ABORT, 'audit table pull_requests is append-only: DELETE rejected'); END;
CREATE TRIGGER actions_no_update BEFORE UPDATE ON actions
  BEGIN SELECT RAISE(ABORT, 'audit table actions is append-only: UPDATE rejected'); END;
CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
  BEGIN SELECT RAISE(ABORT, 'audit table actions is append-only: DELETE rejected'); END;
CREATE TRIGGER overrides_no_update BEFORE UPDATE ON overrides
  BEGIN SELECT RAISE(ABORT, 'audit table overrides is append-only: UPDATE rejected'); END;
CREATE TRIGGER overrides_no_delete BEFORE DELETE ON overrides
  BEGIN SELECT RAISE(ABORT, 'audit table overrides is append-only: DELETE rejected'); END;
CREATE TRIGGER feedback_no_update BEFORE UPDATE ON feedback
  BEGIN SELECT RAISE(ABORT, 'audit table feedback is append-only: UPDATE rejected'); END;
CREATE TRIGGER feedback_no_delete BEFORE DELETE ON feedback
  BEGIN SELECT RAISE(ABORT, 'audit table feedback is append-only: DELETE rejected'); END;
CREATE TRIGGER pr_events_no_update BEFORE UPDATE ON pr_events
  BEGIN SELECT RAISE(ABORT, 'audit table pr_events is append-only: UPDATE rejected'); END;
CREATE TRIGGER pr_events_no_delete BEFORE DELETE ON pr_events
  BEGIN SELECT RAISE(ABORT, 'audit table pr_events is append-only: DELETE rejected'); END;
