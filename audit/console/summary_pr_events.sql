-- The console's summary (audit/overview_summary.h): the pull requests
-- with an event appended after seq ?1, and its kind (an opening, an
-- approval, a merge, a revert: each may change that pull request's merges
-- in the overview).
SELECT DISTINCT e.repository, e.pr_number, e.kind
FROM pr_events e
WHERE e.seq > ?1
