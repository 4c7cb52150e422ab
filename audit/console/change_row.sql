-- One merged change's evidence row (the Changes page, per key).
SELECT title, author, opened_at, merged_at, merged_by, merge_sha, approval, reverted, reverted_by_pr,
       checks_total, checks_failed, checks_pending, overrides
FROM v_change_evidence
WHERE repository = ?1 AND pr_number = ?2
ORDER BY merged_at DESC
LIMIT 1
