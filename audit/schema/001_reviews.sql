-- 001: review runs, agent results and findings: what `reviewer review` writes.
--
-- Every audit table is STRICT (a value is stored with exactly the type the
-- writer gave, so the verifier re-hashes what was hashed) and starts with the
-- chain columns:
--   seq        position in the one log-wide sequence (1, 2, 3, ... over all
--              audit tables together); the table's rowid
--   prev_hash  row_hash of the row with seq - 1 (64 zeros for seq 1)
--   row_hash   SHA-256 over the canonical encoding of every other column
--   recorded_at when the row was written, UTC ISO 8601
-- Triggers reject UPDATE and DELETE: the log only grows.

CREATE TABLE review_runs (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  run_id TEXT NOT NULL UNIQUE,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  title TEXT NOT NULL,
  author TEXT NOT NULL,
  trigger TEXT NOT NULL,
  mode TEXT NOT NULL,
  base_ref TEXT NOT NULL,
  base_sha TEXT NOT NULL,
  head_sha TEXT NOT NULL,
  draft INTEGER NOT NULL,
  human_review_override INTEGER NOT NULL,
  guidance_version TEXT NOT NULL,
  reviewer_version TEXT NOT NULL,
  decision TEXT NOT NULL,
  reasons TEXT NOT NULL,          -- JSON array of strings, in policy order
  size_label TEXT NOT NULL,
  lines_added INTEGER NOT NULL,
  lines_deleted INTEGER NOT NULL,
  files INTEGER NOT NULL,
  areas INTEGER NOT NULL,
  excluded_files INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL
) STRICT;
-- Covering for the latency view: no table lookups per PR.
CREATE INDEX review_runs_pr ON review_runs(repository, pr_number, started_at, decision, mode, duration_ms);

CREATE TABLE agent_results (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  run_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  status TEXT NOT NULL,           -- ok | failed | timed_out
  duration_ms INTEGER NOT NULL,
  finding_count INTEGER NOT NULL,
  error TEXT NOT NULL             -- why it failed; empty when ok
) STRICT;
CREATE INDEX agent_results_run ON agent_results(run_id, status);

CREATE TABLE findings (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  run_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  finding_id TEXT NOT NULL,       -- stable across pushes (make_finding_id)
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,         -- info | warning | error | critical
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  message TEXT NOT NULL,
  evidence TEXT NOT NULL,         -- as the agent redacted it
  suggestion TEXT NOT NULL
) STRICT;
CREATE INDEX findings_run ON findings(run_id, severity);

CREATE TRIGGER review_runs_no_update BEFORE UPDATE ON review_runs
  BEGIN SELECT RAISE(ABORT, 'audit table review_runs is append-only: UPDATE rejected'); END;
CREATE TRIGGER review_runs_no_delete BEFORE DELETE ON review_runs
  BEGIN SELECT RAISE(ABORT, 'audit table review_runs is append-only: DELETE rejected'); END;
CREATE TRIGGER agent_results_no_update BEFORE UPDATE ON agent_results
  BEGIN SELECT RAISE(ABORT, 'audit table agent_results is append-only: UPDATE rejected'); END;
CREATE TRIGGER agent_results_no_delete BEFORE DELETE ON agent_results
  BEGIN SELECT RAISE(ABORT, 'audit table agent_results is append-only: DELETE rejected'); END;
CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings
  BEGIN SELECT RAISE(ABORT, 'audit table findings is append-only: UPDATE rejected'); END;
CREATE TRIGGER findings_no_delete BEFORE DELETE ON findings
  BEGIN SELECT RAISE(ABORT, 'audit table findings is append-only: DELETE rejected'); END;
