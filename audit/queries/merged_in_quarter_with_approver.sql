-- Every change merged in a quarter, with who or what approved it and on
-- what evidence. Edit the period on the first line.
WITH period(since, until) AS (VALUES ('2026-01-01', '2026-04-01'))
SELECT m.repository, m.pr_number, m.merged_at, m.merge_sha, m.merged_by,
       m.approval, m.human_approvers, m.bot_run_id, m.bot_decision, m.bot_mode,
       d.reasons AS bot_reasons, d.findings AS bot_findings, d.agents_failed,
       m.reverted, m.reverted_by_pr
FROM v_merged_prs m CROSS JOIN period p
LEFT JOIN v_decisions d ON d.run_id = m.bot_run_id
WHERE m.merged_at >= p.since AND m.merged_at < p.until
ORDER BY m.merged_at;
