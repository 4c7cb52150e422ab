-- 008: covering indexes for the console's overview (audit/console/
-- overview_merged.sql), so its all-time figures over 100,000 changes read
-- index entries only (bench/README.md `## console`). No table changes;
-- the chain is untouched.

-- Every merge's pull request, time and merged head from the index alone
-- (pr_events_merged has no head_sha: one table row read per merge).
-- `kind` is listed so SQLite sees the index as covering. Led by pr_number,
-- not repository: led by repository, SQLite took it for the lookups by
-- (repository, head_sha) of v_merged_with_failing_checks instead of
-- pr_events_head, walking every merge of the repository for each failed
-- check (the Changes page's checks=failed filter went from 0.5 s to past
-- its 30 s deadline).
CREATE INDEX pr_events_merged_head ON pr_events(pr_number, repository, at, head_sha, kind) WHERE kind = 'merged';

-- The latest run on a head (the highest seq) with its decision and mode,
-- from one index probe (review_runs_head has neither: a table row read).
CREATE INDEX review_runs_head_latest ON review_runs(repository, pr_number, head_sha, seq, decision, mode);
