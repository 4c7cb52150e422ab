-- Overview: every merge in the period with its approval, whether it was
-- reverted, and when the change was opened, first approved by a person and
-- first approved by the bot (the start of its first approve run in active
-- mode). The rules are v_merged_prs's: 'bot' when the latest run (by seq)
-- on the merged head decided approve in active mode, a person's approval
-- when the pull request has an `approved` event, reverted when it has a
-- `reverted` one. Written per merge over covering indexes (migration 008)
-- rather than over the view, which reads table rows for each merge: 0.4 s
-- less over 96,502 merges. overview_merged_view.sql is the same over
-- v_merged_prs; tests/console/test_console_overview_plans.cpp holds the
-- two to the same rows. Each row ends with its pull request, and the prs
-- placeholder narrows the merges to some pull requests: the console's summary
-- (audit/overview_summary.h) reads every merge once, then again only the
-- merges of the pull requests that later rows touch.
WITH per_merge AS MATERIALIZED (
  SELECT m.repository, m.pr_number, m.at AS merged_at,
         (SELECT CASE WHEN r.decision = 'approve' AND r.mode = 'active' THEN 1 ELSE 0 END FROM review_runs r
           WHERE r.repository = m.repository AND r.pr_number = m.pr_number AND r.head_sha = m.head_sha
           ORDER BY r.seq DESC LIMIT 1) AS bot_approved,
         (SELECT count(*) FROM pr_events x WHERE x.repository = m.repository AND x.pr_number = m.pr_number
             AND x.kind = 'reverted') AS reverts,
         (SELECT min(e.at) FROM pr_events e WHERE e.repository = m.repository AND e.pr_number = m.pr_number
             AND e.kind = 'opened') AS opened_at,
         (SELECT min(e.at) FROM pr_events e WHERE e.repository = m.repository AND e.pr_number = m.pr_number
             AND e.kind = 'approved') AS person_approved_at,
         (SELECT min(r.started_at) FROM review_runs r WHERE r.repository = m.repository
             AND r.pr_number = m.pr_number AND r.decision = 'approve' AND r.mode = 'active') AS bot_approved_at
  FROM pr_events m
  WHERE m.kind = 'merged' AND m.at >= ?1 AND m.at <= ?2 AND {repos m.repository} AND {prs m})
SELECT merged_at,
       CASE WHEN bot_approved = 1 THEN
              CASE WHEN person_approved_at IS NOT NULL THEN 'bot+human' ELSE 'bot' END
            WHEN person_approved_at IS NOT NULL THEN 'human' ELSE 'none' END AS approval,
       CASE WHEN reverts > 0 THEN 1 ELSE 0 END AS reverted, opened_at, person_approved_at, bot_approved_at,
       repository, pr_number
FROM per_merge
