-- Who overrode the bot (/human-review or its cancellation), when, and what
-- the bot had decided before. Edit the period on the first line.
WITH period(since, until) AS (VALUES ('2026-01-01', '2027-01-01'))
SELECT o.repository, o.pr_number, o.kind, o.actor, o.comment_id, o.at, o.bot_decision_before
FROM v_overrides o, period p
WHERE o.at >= p.since AND o.at < p.until
ORDER BY o.at;
