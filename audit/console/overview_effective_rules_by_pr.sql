-- Overview, for the console's summary (audit/overview_summary.h): the
-- rows overview_effective_rules.sql counts, before counting: each rule
-- that fired on a run of a reverted pull request, with the run's start,
-- for the pull requests the prs placeholder names (every one when it is
-- 1 = 1). The summary counts a rule once per pull request with such a
-- run in the period, as count(DISTINCT ...) does there.
SELECT DISTINCT v.repository, v.pr_number, f.rule, r.started_at
FROM pr_events v
JOIN review_runs r ON r.repository = v.repository AND r.pr_number = v.pr_number
JOIN findings f ON f.run_id = r.run_id
WHERE v.kind = 'reverted' AND {prs v}
