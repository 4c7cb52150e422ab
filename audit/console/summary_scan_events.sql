-- The console's summary (audit/overview_summary.h), when it reads the whole
-- log: every merge (the covering index pr_events_merged_head), and every
-- opening, approval and revert (the covering index pr_events_pr), for
-- overview_merged.sql's rows computed from one pass over each
-- (audit/overview_scan.h) instead of its index probes per merge.
SELECT m.repository, m.pr_number, m.kind, m.at, m.head_sha
FROM pr_events m
WHERE m.kind = 'merged'
UNION ALL
SELECT e.repository, e.pr_number, e.kind, e.at, ''
FROM pr_events e
WHERE e.kind IN ('opened', 'approved', 'reverted')
