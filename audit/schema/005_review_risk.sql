-- 005: the history agent's revert risk per review run (DESIGN.md policy step
-- 4b): what the model estimated, against which threshold, and from how much
-- history. One row per run that has an estimate; none when the history agent
-- did not judge. Same chain columns and append-only triggers as 001.
--
-- Probabilities are INTEGER millionths (as model_calls stores cost): the
-- chain hashes only INTEGER, TEXT and NULL, and `audit verify` takes a REAL
-- value for an edit. v_decisions shows them as fractions.

CREATE TABLE review_risk (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  run_id TEXT NOT NULL UNIQUE,       -- review_runs.run_id
  probability_micro INTEGER,         -- 421300 is 0.4213; NULL when the model gave no finite number
  threshold_micro INTEGER,           -- the same for the threshold
  threshold_source TEXT NOT NULL,    -- e.g. "approve_share 0.60 of 3412 past changes" or "absolute 0.30"
  above_threshold INTEGER NOT NULL,  -- 1: policy step 4b asked for a person
  model TEXT NOT NULL,               -- repository (trained on its own history) | prior (shipped)
  model_version TEXT NOT NULL,
  explanation TEXT NOT NULL,         -- the top contributing features in words
  features TEXT NOT NULL,            -- JSON array [{name, value, contribution}], as the agent ordered them
  indexed_commit TEXT NOT NULL,      -- the base-branch commit the history index reached
  indexed_commits INTEGER NOT NULL,
  labelled_positives INTEGER NOT NULL,
  note TEXT NOT NULL                 -- why the prior model was used, or other limits; may be empty
) STRICT;

CREATE TRIGGER review_risk_no_update BEFORE UPDATE ON review_risk
  BEGIN SELECT RAISE(ABORT, 'audit table review_risk is append-only: UPDATE rejected'); END;
CREATE TRIGGER review_risk_no_delete BEFORE DELETE ON review_risk
  BEGIN SELECT RAISE(ABORT, 'audit table review_risk is append-only: DELETE rejected'); END;
