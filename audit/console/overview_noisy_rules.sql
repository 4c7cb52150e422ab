-- Overview: the ten rules with the most "unhelpful" votes in the period
-- (/feedback and 👎 reactions), then the fewest helpful ones.
SELECT f.rule, CAST(sum(1 - f.helpful) AS BIGINT) AS unhelpful, CAST(sum(f.helpful) AS BIGINT) AS helpful
FROM feedback f
WHERE f.at >= ?1 AND f.at <= ?2 AND {repos f.repository}
GROUP BY f.rule
HAVING sum(1 - f.helpful) > 0
ORDER BY unhelpful DESC, helpful, f.rule
LIMIT 10
