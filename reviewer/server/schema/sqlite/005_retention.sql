-- Finished jobs and their deliveries are deleted once older than the
-- retention (prune_rows), so /metrics can no longer count jobs by state to
-- report how many ever ended: job_totals keeps that count per final state,
-- kept by the trigger in the transaction that ends the job (the count of a
-- database from before is its starting point). A job ends once: done,
-- failed, superseded and dead are final.
CREATE TABLE job_totals(state TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO job_totals(state, n)
  SELECT s.state, (SELECT COUNT(*) FROM jobs j WHERE j.state=s.state)
  FROM (SELECT 'done' AS state UNION ALL SELECT 'failed' UNION ALL SELECT 'superseded' UNION ALL SELECT 'dead') s;
CREATE TRIGGER jobs_ended AFTER UPDATE OF state ON jobs
  WHEN NEW.state<>OLD.state AND NEW.state IN ('done','failed','superseded','dead')
BEGIN
  UPDATE job_totals SET n=n+1 WHERE state=NEW.state;
END;
-- A delivery is deleted only when no job of it is left: that probe, and the
-- foreign key's check on each delete, would otherwise scan the jobs table.
CREATE INDEX jobs_by_delivery ON jobs(delivery_id);
