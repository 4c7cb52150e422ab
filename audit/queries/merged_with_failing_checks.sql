-- Control exceptions: changes merged in a period while a check of the
-- merged head had failed (its latest recorded result: failure, error,
-- timed_out, cancelled, action_required, startup_failure or stale), with
-- who or what approved them. Edit the period on the first line.
WITH period(since, until) AS (VALUES ('2026-01-01', '2027-01-01'))
SELECT f.repository, f.pr_number, f.merged_at, f.merge_sha, f.merged_by, f.approval,
       f.failing_count, f.failing
FROM v_merged_with_failing_checks f, period p
WHERE f.merged_at >= p.since AND f.merged_at < p.until
ORDER BY f.merged_at;
