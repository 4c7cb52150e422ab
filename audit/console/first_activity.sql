-- When the log first saw a pull request event or a review run (the oldest
-- row of each, by seq): with latest_activity.sql, the span the overview
-- weighs a period against to choose how to read its merges.
SELECT min(t) FROM (
  SELECT (SELECT e.at FROM pr_events e ORDER BY e.seq LIMIT 1) AS t
  UNION ALL
  SELECT (SELECT r.started_at FROM review_runs r ORDER BY r.seq LIMIT 1)) AS first
