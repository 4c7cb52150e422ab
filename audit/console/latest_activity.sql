-- When the log last saw a pull request event or a review run (the newest
-- row of each, by seq): the overview's default period ends there.
SELECT max(t) FROM (
  SELECT (SELECT e.at FROM pr_events e ORDER BY e.seq DESC LIMIT 1) AS t
  UNION ALL
  SELECT (SELECT r.started_at FROM review_runs r ORDER BY r.seq DESC LIMIT 1)) AS latest
