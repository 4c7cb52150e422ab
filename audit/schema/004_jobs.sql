-- 004: jobs of `reviewer serve` that were parked as dead letters (every
-- attempt failed, or the lease of the last attempt expired), so auditors see
-- them with `reviewer audit query` and not only in the server's queue.db.
-- One row per job; the delivery id is GitHub's X-GitHub-Delivery, and a
-- delivery has at most one job. Same chain columns and append-only triggers
-- as 001.

CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  delivery_id TEXT NOT NULL UNIQUE, -- X-GitHub-Delivery of the job's delivery
  job_id INTEGER NOT NULL,          -- jobs.id in the server's queue.db
  event TEXT NOT NULL,              -- X-GitHub-Event
  kind TEXT NOT NULL,               -- review | comment | review_state | ...
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  head_sha TEXT NOT NULL,
  attempts INTEGER NOT NULL,        -- attempts made before it was parked
  reason TEXT NOT NULL,             -- the last attempt's error, or the lease expiry
  parked_at TEXT NOT NULL           -- when the queue parked it
) STRICT;
CREATE INDEX dead_letters_pr ON dead_letters(repository, pr_number);

CREATE TRIGGER dead_letters_no_update BEFORE UPDATE ON dead_letters
  BEGIN SELECT RAISE(ABORT, 'audit table dead_letters is append-only: UPDATE rejected'); END;
CREATE TRIGGER dead_letters_no_delete BEFORE DELETE ON dead_letters
  BEGIN SELECT RAISE(ABORT, 'audit table dead_letters is append-only: DELETE rejected'); END;
