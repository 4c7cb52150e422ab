-- Overview: the ten rules that fired on the most changes later reverted
-- (a `reverted` event), by runs started in the period.
SELECT f.rule, count(DISTINCT v.repository || ' #' || v.pr_number) AS reverted_changes
FROM pr_events v
JOIN review_runs r ON r.repository = v.repository AND r.pr_number = v.pr_number
JOIN findings f ON f.run_id = r.run_id
WHERE v.kind = 'reverted' AND r.started_at >= ?1 AND r.started_at <= ?2 AND {repos v.repository}
GROUP BY f.rule
ORDER BY reverted_changes DESC, f.rule
LIMIT 10
