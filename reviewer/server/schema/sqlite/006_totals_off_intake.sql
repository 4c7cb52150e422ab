-- The ended-jobs totals leave intake's transaction. Schema 5 kept them by
-- a trigger in the transaction that ended each job (intake's, whenever a
-- delivery supersedes a pending job); now a job's end is only its row
-- entering jobs_uncounted (a partial index on the jobs whose end job_totals
-- does not hold yet), and the maintenance thread folds those rows into
-- job_totals in small transactions (fold_totals). stats() reads job_totals
-- plus that small tail in one statement, so the counters stay exact and
-- only grow; the prune deletes only counted jobs.
-- uncounted: 1 from a job's insert (the default, whoever inserts it) until
-- its end is in job_totals. The jobs that had ended are already counted.
ALTER TABLE jobs ADD COLUMN uncounted INTEGER NOT NULL DEFAULT 1;
UPDATE jobs SET uncounted=0 WHERE state IN ('done','failed','superseded','dead');
DROP TRIGGER jobs_ended;
CREATE INDEX jobs_uncounted ON jobs(state) WHERE uncounted=1 AND state IN ('done','failed','superseded','dead');
