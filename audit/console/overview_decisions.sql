-- Overview: review runs per day and decision in the period.
SELECT substr(r.started_at, 1, 10) AS day, r.decision, count(*) AS runs
FROM review_runs r
WHERE r.started_at >= ?1 AND r.started_at <= ?2 AND {repos r.repository}
GROUP BY substr(r.started_at, 1, 10), r.decision
