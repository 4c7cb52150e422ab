-- The console's summary (audit/overview_summary.h): votes appended after
-- seq ?1, for overview_noisy_rules.sql's sums.
SELECT f.repository, f.rule, f.helpful, f.at
FROM feedback f
WHERE f.seq > ?1
