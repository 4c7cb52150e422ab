-- Revert rate of bot-approved vs. human-approved merged changes over a
-- period (edit the first line). A change approved by both counts in both.
WITH period(since, until) AS (VALUES ('2026-01-01', '2027-01-01')),
merged AS (
  SELECT m.* FROM v_merged_prs m, period p WHERE m.merged_at >= p.since AND m.merged_at < p.until)
SELECT 'bot' AS approved_by, count(*) AS merged, coalesce(sum(reverted), 0) AS reverted,
       round(1.0 * sum(reverted) / nullif(count(*), 0), 4) AS revert_rate
FROM merged WHERE approval IN ('bot', 'bot+human')
UNION ALL
SELECT 'human', count(*), coalesce(sum(reverted), 0), round(1.0 * sum(reverted) / nullif(count(*), 0), 4)
FROM merged WHERE approval IN ('human', 'bot+human');
