-- Overview: the rows of overview_merged.sql (every merge in the period,
-- with its approval as v_merged_prs gives it, whether it was reverted, and
-- when it was opened, first approved by a person and first approved by the
-- bot), read in one pass per table grouped by pull request instead of
-- several index probes per merge: faster when the period holds most of
-- the log's merges (the all-time overview). The rules are v_merged_prs's:
-- approval 'bot' when the latest run (by seq) on the merged head decided
-- approve in active mode, a person's approval when the pull request has an
-- `approved` event, reverted when it has a `reverted` one. Test
-- tests/console/test_console_overview_plans.cpp holds both queries to the
-- same rows.
WITH events AS (
  SELECT repository, pr_number,
         min(CASE WHEN kind = 'opened' THEN at END) AS opened_at,
         min(CASE WHEN kind = 'approved' THEN at END) AS person_approved_at,
         max(CASE WHEN kind = 'reverted' THEN 1 ELSE 0 END) AS reverted
  FROM pr_events
  WHERE kind IN ('opened', 'approved', 'reverted') AND {repos repository}
  GROUP BY repository, pr_number),
runs AS (
  SELECT repository, pr_number,
         min(CASE WHEN decision = 'approve' AND mode = 'active' THEN started_at END) AS bot_approved_at
  FROM review_runs
  WHERE {repos repository}
  GROUP BY repository, pr_number),
latest AS (
  SELECT repository, pr_number, head_sha, max(seq) AS seq
  FROM review_runs
  WHERE {repos repository}
  GROUP BY repository, pr_number, head_sha)
SELECT m.at AS merged_at,
       CASE WHEN b.decision = 'approve' AND b.mode = 'active' THEN
              CASE WHEN e.person_approved_at IS NOT NULL THEN 'bot+human' ELSE 'bot' END
            WHEN e.person_approved_at IS NOT NULL THEN 'human' ELSE 'none' END AS approval,
       coalesce(e.reverted, 0) AS reverted, e.opened_at, e.person_approved_at, r.bot_approved_at
FROM pr_events m
LEFT JOIN events e ON e.repository = m.repository AND e.pr_number = m.pr_number
LEFT JOIN runs r ON r.repository = m.repository AND r.pr_number = m.pr_number
LEFT JOIN latest l ON l.repository = m.repository AND l.pr_number = m.pr_number AND l.head_sha = m.head_sha
LEFT JOIN review_runs b ON b.seq = l.seq
WHERE m.kind = 'merged' AND m.at >= ?1 AND m.at <= ?2 AND {repos m.repository}
