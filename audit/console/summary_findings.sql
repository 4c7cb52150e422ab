-- The console's summary (audit/overview_summary.h): the pull requests of
-- findings appended after seq ?1 (a finding names its run, not its pull
-- request; it may count for overview_effective_rules.sql).
SELECT DISTINCT r.repository, r.pr_number
FROM findings f
JOIN review_runs r ON r.run_id = f.run_id
WHERE f.seq > ?1
