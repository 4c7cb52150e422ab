-- Runs where a sub-agent failed or timed out, with the decision taken
-- (the policy fails closed: it must be needs_human).
SELECT r.run_id, r.repository, r.pr_number, r.started_at, a.agent, a.status, a.error, r.decision
FROM agent_results a JOIN review_runs r ON r.run_id = a.run_id
WHERE a.status <> 'ok'
ORDER BY r.started_at;
