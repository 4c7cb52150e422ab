-- The console's summary (audit/overview_summary.h), when it reads the whole
-- log: every review run's start, decision and mode (the covering index
-- review_runs_pr), for overview_decisions.sql's counts and
-- overview_merged.sql's first approve run in active mode
-- (audit/overview_scan.h).
SELECT r.repository, r.pr_number, r.started_at, r.decision, r.mode
FROM review_runs r
