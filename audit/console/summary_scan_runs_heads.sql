-- summary_scan_runs.sql's columns, then summary_scan_heads.sql's head and
-- seq: both reads in one sequential scan of review_runs, for PostgreSQL
-- (audit/overview_summary.cpp; SQLite reads the two from their covering
-- indexes, faster than one scan of the table).
SELECT r.repository, r.pr_number, r.started_at, r.decision, r.mode, r.head_sha, r.seq
FROM review_runs r
