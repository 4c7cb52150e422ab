-- Finished jobs and their deliveries are deleted once older than the
-- retention (prune_rows), so /metrics can no longer count jobs by state to
-- report how many ever ended: queue_job_totals keeps that count per final
-- state, kept by the trigger in the transaction that ends the job (the
-- count of a database from before is its starting point). A job ends once:
-- done, failed, superseded and dead are final. Each state has a row per
-- shard (the backend's pid mod 1024: connections alive together rarely
-- share one), summed when read: intake supersedes pending jobs in every
-- batch, and a row held by one batch until its commit makes any other
-- batch on the same row wait. With 16 shards, two instances on 64 pull
-- requests took 550-712 deliveries/s at p99 84-268 ms against 800-884/s at
-- 64-75 ms without the totals (bench/README.md `## server`, session 25).
CREATE TABLE IF NOT EXISTS queue_job_totals(state TEXT NOT NULL, shard INT NOT NULL, n BIGINT NOT NULL,
                                            PRIMARY KEY(state, shard));
INSERT INTO queue_job_totals(state, shard, n)
  SELECT s.state, 0, (SELECT COUNT(*) FROM queue_jobs j WHERE j.state=s.state)
  FROM unnest(ARRAY['done','failed','superseded','dead']) AS s(state)
  ON CONFLICT (state, shard) DO NOTHING;
-- SECURITY DEFINER: the table's owner updates the totals, so serve's role
-- (README, "Several instances on PostgreSQL": SELECT and INSERT on new
-- tables) needs no new grant. Its search path is the migration's with
-- pg_temp last (set below), so a caller's temporary table cannot stand in
-- for queue_job_totals and run its triggers as the owner.
CREATE OR REPLACE FUNCTION queue_job_ended() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  INSERT INTO queue_job_totals(state, shard, n) VALUES (NEW.state, pg_backend_pid() % 1024, 1)
    ON CONFLICT (state, shard) DO UPDATE SET n = queue_job_totals.n + 1;
  RETURN NULL;
END $$;
DO $$ BEGIN
  EXECUTE format('ALTER FUNCTION queue_job_ended() SET search_path = %s, pg_temp', current_setting('search_path'));
END $$;
DROP TRIGGER IF EXISTS queue_jobs_ended ON queue_jobs;
CREATE TRIGGER queue_jobs_ended AFTER UPDATE OF state ON queue_jobs FOR EACH ROW
  WHEN (NEW.state IS DISTINCT FROM OLD.state AND NEW.state IN ('done','failed','superseded','dead'))
  EXECUTE FUNCTION queue_job_ended();
-- The dead letters still in the queue, counted by /metrics.
CREATE INDEX IF NOT EXISTS queue_jobs_dead ON queue_jobs(id) WHERE state='dead';
