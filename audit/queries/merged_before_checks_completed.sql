-- Control exceptions: changes merged in a period before every check of the
-- merged head had completed (no completion time recorded, or one after the
-- merge), with who or what approved them. Edit the period on the first line.
WITH period(since, until) AS (VALUES ('2026-01-01', '2027-01-01'))
SELECT b.repository, b.pr_number, b.merged_at, b.merge_sha, b.merged_by, b.approval,
       b.pending_count, b.pending
FROM v_merged_before_checks_completed b, period p
WHERE b.merged_at >= p.since AND b.merged_at < p.until
ORDER BY b.merged_at;
