-- The audit sample's population: changes merged in the period, in the
-- chosen repositories, by approver type (?3: '' any, 'bot' the bot
-- approved, alone or with a person; 'person' a person approved, alone or
-- with the bot; 'none' neither).
SELECT DISTINCT m.repository, m.pr_number
FROM v_merged_prs m
WHERE m.merged_at >= ?1 AND m.merged_at <= ?2 AND {repos m.repository}
  AND (?3 = '' OR (?3 = 'bot' AND m.approval IN ('bot', 'bot+human'))
       OR (?3 = 'person' AND m.approval IN ('human', 'bot+human')) OR (?3 = 'none' AND m.approval = 'none'))
