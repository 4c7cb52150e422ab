-- 007: indexes for the auditor's console (`reviewer audit serve`), whose
-- targets are set over a log of 100,000 changes (bench/README.md
-- `## console`). No table changes; the chain is untouched.

-- Merges, reverts and approvals by kind and time: the merged changes of a
-- period without reading every event (v_merged_prs starts here).
CREATE INDEX pr_events_kind ON pr_events(kind, at);

-- A change's page shows the deliveries of its repository while it was
-- open (a delivery names its repository, not its pull request).
CREATE INDEX deliveries_repository ON deliveries(repository, received_at);
