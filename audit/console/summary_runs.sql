-- The console's summary (audit/overview_summary.h): review runs appended
-- after seq ?1, for overview_decisions.sql's counts and to find the pull
-- requests whose merges they may change.
SELECT r.repository, r.pr_number, r.started_at, r.decision
FROM review_runs r
WHERE r.seq > ?1
