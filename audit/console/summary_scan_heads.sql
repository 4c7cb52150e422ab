-- The console's summary (audit/overview_summary.h), when it reads the whole
-- log: every review run's head, seq, decision and mode (the covering index
-- review_runs_head_latest), for overview_merged.sql's "the latest run on
-- the merged head approved in active mode" (audit/overview_scan.h).
SELECT r.repository, r.pr_number, r.head_sha, r.seq, r.decision, r.mode
FROM review_runs r
