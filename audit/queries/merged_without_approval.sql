-- Control exceptions: merged changes that neither the bot (in active mode)
-- nor a person approved. Expected to be empty where the check is required.
SELECT repository, pr_number, merged_at, merge_sha, merged_by, bot_decision, bot_mode
FROM v_merged_prs
WHERE approval = 'none'
ORDER BY merged_at;
