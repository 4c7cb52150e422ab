-- Control check of the decision policy: approve decisions recorded while an
-- agent failed or a warning-or-worse finding existed. Expected empty.
SELECT run_id, repository, pr_number, started_at, mode, agents_failed, findings, max_severity_rank
FROM v_decisions
WHERE decision = 'approve' AND (agents_failed > 0 OR max_severity_rank >= 2)
ORDER BY started_at;
