-- The console's summary (audit/overview_summary.h): /human-review
-- requests appended after seq ?1, for overview_overrides.sql's counts.
SELECT o.repository, o.at
FROM overrides o
WHERE o.seq > ?1 AND o.kind = 'human_review'
