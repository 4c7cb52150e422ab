-- The ended-jobs totals leave intake's transaction. Schema 4 kept them by
-- a trigger in the transaction that ended each job (intake's, whenever a
-- delivery supersedes a pending job): a SECURITY DEFINER call and an upsert
-- per superseded job, which cost two instances on one database a third of
-- their intake (bench/README.md `## server`, session 25). Now a job's end
-- is only its row entering queue_jobs_uncounted (a partial index on the
-- jobs whose end queue_job_totals does not hold yet), and the maintenance
-- thread of each instance folds those rows into queue_job_totals in small
-- transactions (queue_fold_job_totals). stats() reads the totals plus that
-- small tail in one statement (one snapshot), so the counters stay exact
-- and only grow; the prune deletes only counted jobs.
-- uncounted: false for the rows there are (the jobs that had ended are
-- counted), true for every job inserted from now on (the default, whoever
-- inserts it: an older build still running too) and for the live ones.
ALTER TABLE queue_jobs ADD COLUMN IF NOT EXISTS uncounted BOOLEAN NOT NULL DEFAULT false;
UPDATE queue_jobs SET uncounted=true WHERE state IN ('pending','leased');
ALTER TABLE queue_jobs ALTER COLUMN uncounted SET DEFAULT true;
DROP TRIGGER IF EXISTS queue_jobs_ended ON queue_jobs;
DROP FUNCTION IF EXISTS queue_job_ended();
CREATE INDEX IF NOT EXISTS queue_jobs_uncounted ON queue_jobs(state)
  WHERE uncounted AND state IN ('done','failed','superseded','dead');
-- Folds at most `batch` uncounted ends into the totals (shard 0) and
-- answers how many. Rows another instance is folding are skipped (SKIP
-- LOCKED), and one it folded meanwhile is no longer uncounted when locked,
-- so each end is counted once. SECURITY DEFINER: serve's role (README,
-- "Several instances on PostgreSQL") may not UPDATE queue_job_totals; the
-- search path is the migration's with pg_temp last (set below), so a
-- caller's temporary table cannot stand in for a table here.
CREATE OR REPLACE FUNCTION queue_fold_job_totals(batch INT) RETURNS BIGINT LANGUAGE sql SECURITY DEFINER AS $$
  WITH f AS (
    UPDATE queue_jobs q SET uncounted = false
    FROM (SELECT id FROM queue_jobs WHERE uncounted AND state IN ('done','failed','superseded','dead')
          LIMIT batch FOR UPDATE SKIP LOCKED) b
    WHERE q.id = b.id AND q.uncounted AND q.state IN ('done','failed','superseded','dead')
    RETURNING q.state),
  c AS (SELECT state, count(*) AS n FROM f GROUP BY state),
  t AS (INSERT INTO queue_job_totals(state, shard, n) SELECT state, 0, n FROM c
        ON CONFLICT (state, shard) DO UPDATE SET n = queue_job_totals.n + excluded.n)
  SELECT COALESCE(sum(n), 0)::bigint FROM c
$$;
DO $$ BEGIN
  EXECUTE format('ALTER FUNCTION queue_fold_job_totals(INT) SET search_path = %s, pg_temp', current_setting('search_path'));
END $$;
-- Said, not assumed: a database whose owner's default privileges revoke
-- EXECUTE from PUBLIC would otherwise leave serve's role unable to fold,
-- and ended jobs would never be counted, nor pruned.
GRANT EXECUTE ON FUNCTION queue_fold_job_totals(INT) TO PUBLIC;
