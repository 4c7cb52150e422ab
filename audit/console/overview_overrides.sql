-- Overview: /human-review requests per day in the period (cancellations
-- are not counted).
SELECT substr(o.at, 1, 10) AS day, count(*) AS overrides
FROM overrides o
WHERE o.kind = 'human_review' AND o.at >= ?1 AND o.at <= ?2 AND {repos o.repository}
GROUP BY substr(o.at, 1, 10)
