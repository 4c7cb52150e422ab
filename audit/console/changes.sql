-- The Changes page's keys: every reviewed or merged change, newest first
-- (by its latest merge, else its latest review run). One row per pull
-- request (pr_number > 0, run_id '') and one per local `reviewer review`
-- run (pr_number 0, run_id set); last_seq is its latest run (NULL: merged,
-- never reviewed). The page then reads each key's evidence
-- (change_row.sql, change_run.sql), so this reads no more than it must.
-- Filters, '' for any: ?3 decision of the latest run; ?4 approver (bot,
-- person, none: as in sample_population.sql); ?5 reverted (yes, no); ?6
-- checks of the merged head (failed, pending: not completed when merged,
-- passed: some and none failed or pending, none: none recorded; the
-- documented check views). ?7 LIMIT, ?8 OFFSET.
WITH keys AS (
  SELECT r.repository, r.pr_number, CASE WHEN r.pr_number = 0 THEN r.run_id ELSE '' END AS run_id,
         max(r.seq) AS last_seq
  FROM review_runs r
  GROUP BY r.repository, r.pr_number, CASE WHEN r.pr_number = 0 THEN r.run_id ELSE '' END
  UNION ALL
  SELECT DISTINCT m.repository, m.pr_number, '', CAST(NULL AS BIGINT)
  FROM pr_events m
  WHERE m.kind = 'merged'
    AND NOT EXISTS (SELECT 1 FROM review_runs r WHERE r.repository = m.repository AND r.pr_number = m.pr_number)),
dated AS (
  SELECT k.repository, k.pr_number, k.run_id, k.last_seq, r.decision,
         coalesce((SELECT max(e.at) FROM pr_events e WHERE k.pr_number > 0 AND e.repository = k.repository
                     AND e.pr_number = k.pr_number AND e.kind = 'merged'), r.started_at) AS at
  FROM keys k LEFT JOIN review_runs r ON r.seq = k.last_seq)
SELECT d.repository, d.pr_number, d.run_id, d.last_seq
FROM dated d
WHERE d.at >= ?1 AND d.at <= ?2 AND {repos d.repository}
  AND (?3 = '' OR d.decision = ?3)
  AND (?4 = '' OR EXISTS (
        SELECT 1 FROM v_merged_prs m WHERE m.repository = d.repository AND m.pr_number = d.pr_number
          AND ((?4 = 'bot' AND m.approval IN ('bot', 'bot+human'))
               OR (?4 = 'person' AND m.approval IN ('human', 'bot+human')) OR (?4 = 'none' AND m.approval = 'none'))))
  AND (?5 = '' OR (?5 = 'yes') = EXISTS (
        SELECT 1 FROM pr_events v WHERE v.repository = d.repository AND v.pr_number = d.pr_number
          AND v.kind = 'reverted'))
  AND (?6 = '' OR (?6 = 'failed' AND EXISTS (
        SELECT 1 FROM v_merged_with_failing_checks c WHERE c.repository = d.repository AND c.pr_number = d.pr_number))
       OR (?6 = 'pending' AND EXISTS (
        SELECT 1 FROM v_merged_before_checks_completed c WHERE c.repository = d.repository AND c.pr_number = d.pr_number))
       OR (?6 IN ('passed', 'none') AND EXISTS (
        SELECT 1 FROM v_change_evidence c WHERE c.repository = d.repository AND c.pr_number = d.pr_number
          AND ((?6 = 'none' AND c.checks_total = 0)
               OR (?6 = 'passed' AND c.checks_total > 0 AND c.checks_failed = 0 AND c.checks_pending = 0)))))
ORDER BY d.at DESC, d.repository, d.pr_number DESC, d.run_id
LIMIT ?7 OFFSET ?8
