-- The repositories the log knows: those reviewed and those merged.
SELECT DISTINCT repository FROM review_runs
UNION
SELECT DISTINCT repository FROM pr_events WHERE kind = 'merged'
