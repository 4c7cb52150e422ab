-- Finished jobs and their deliveries are deleted once older than the
-- retention (prune_rows), so /metrics can no longer count jobs by state to
-- report how many ever ended: queue_job_totals keeps that count per final
-- state, kept by the trigger in the transaction that ends the job (the
-- count of a database from before is its starting point). A job ends once:
-- done, failed, superseded and dead are final. Each state has 16 rows
-- (shard = the backend's pid mod 16), summed when read: intake supersedes
-- pending jobs in every batch, and one row per state would make the
-- batches of all lanes and instances wait for each other's commit.
CREATE TABLE IF NOT EXISTS queue_job_totals(state TEXT NOT NULL, shard INT NOT NULL, n BIGINT NOT NULL,
                                            PRIMARY KEY(state, shard));
INSERT INTO queue_job_totals(state, shard, n)
  SELECT s.state, 0, (SELECT COUNT(*) FROM queue_jobs j WHERE j.state=s.state)
  FROM unnest(ARRAY['done','failed','superseded','dead']) AS s(state)
  ON CONFLICT (state, shard) DO NOTHING;
-- SECURITY DEFINER: the table's owner updates the totals, so serve's role
-- (README, "Several instances on PostgreSQL": SELECT and INSERT on new
-- tables) needs no new grant; the search path is the migration's.
CREATE OR REPLACE FUNCTION queue_job_ended() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO queue_job_totals(state, shard, n) VALUES (NEW.state, pg_backend_pid() % 16, 1)
    ON CONFLICT (state, shard) DO UPDATE SET n = queue_job_totals.n + 1;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS queue_jobs_ended ON queue_jobs;
CREATE TRIGGER queue_jobs_ended AFTER UPDATE OF state ON queue_jobs FOR EACH ROW
  WHEN (NEW.state IS DISTINCT FROM OLD.state AND NEW.state IN ('done','failed','superseded','dead'))
  EXECUTE FUNCTION queue_job_ended();
-- The dead letters still in the queue, counted by /metrics.
CREATE INDEX IF NOT EXISTS queue_jobs_dead ON queue_jobs(id) WHERE state='dead';
