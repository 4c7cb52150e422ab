-- Median and p90 time from a PR being ready for review to the bot's first
-- decision and to its approval (by the bot in active mode or a person).
SELECT metric, prs, median_seconds, p90_seconds,
       round(median_seconds / 60.0, 1) AS median_minutes, round(p90_seconds / 60.0, 1) AS p90_minutes
FROM v_review_latency_summary;
