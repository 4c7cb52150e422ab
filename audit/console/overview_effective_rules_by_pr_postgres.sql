-- overview_effective_rules_by_pr.sql for PostgreSQL (the same rows): the
-- runs and findings of each reverted pull request probed through their
-- indexes (a LATERAL subquery, which the planner keeps as a nested loop),
-- instead of a hash join of every run and every finding with the reverts.
-- SQLite has no LATERAL, and probes for the plain join.
SELECT v.repository, v.pr_number, x.rule, x.started_at
FROM (SELECT DISTINCT e.repository, e.pr_number FROM pr_events e WHERE e.kind = 'reverted' AND {prs e}) v
CROSS JOIN LATERAL (
  SELECT DISTINCT f.rule, r.started_at
  FROM review_runs r
  JOIN findings f ON f.run_id = r.run_id
  WHERE r.repository = v.repository AND r.pr_number = v.pr_number) x
