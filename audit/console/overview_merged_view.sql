-- Overview, the reference for overview_merged.sql (the same rows): every
-- merge in the period as v_merged_prs gives it, with when the change was
-- opened, first approved by a person, and first approved by the bot
-- (the start of its first approve run in active mode).
SELECT m.merged_at, m.approval, m.reverted,
       (SELECT min(e.at) FROM pr_events e WHERE e.repository = m.repository AND e.pr_number = m.pr_number
           AND e.kind = 'opened') AS opened_at,
       (SELECT min(e.at) FROM pr_events e WHERE e.repository = m.repository AND e.pr_number = m.pr_number
           AND e.kind = 'approved') AS person_approved_at,
       (SELECT min(r.started_at) FROM review_runs r WHERE r.repository = m.repository
           AND r.pr_number = m.pr_number AND r.decision = 'approve' AND r.mode = 'active') AS bot_approved_at
FROM v_merged_prs m
WHERE m.merged_at >= ?1 AND m.merged_at <= ?2 AND {repos m.repository}
