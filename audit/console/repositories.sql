-- The repositories the log knows: those with review runs or pull request
-- events. Each step seeks the next name in an index (a skip scan), so the
-- cost is the number of repositories, not of rows.
WITH RECURSIVE
  reviewed(repository) AS (
    SELECT min(repository) FROM review_runs
    UNION ALL
    SELECT (SELECT min(r.repository) FROM review_runs r WHERE r.repository > reviewed.repository)
    FROM reviewed WHERE reviewed.repository IS NOT NULL),
  evented(repository) AS (
    SELECT min(repository) FROM pr_events
    UNION ALL
    SELECT (SELECT min(e.repository) FROM pr_events e WHERE e.repository > evented.repository)
    FROM evented WHERE evented.repository IS NOT NULL)
SELECT repository FROM reviewed WHERE repository IS NOT NULL
UNION
SELECT repository FROM evented WHERE repository IS NOT NULL
