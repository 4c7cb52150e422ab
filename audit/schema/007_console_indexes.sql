-- 007: indexes for the auditor's console (`reviewer audit serve`), whose
-- targets are set over a log of 100,000 changes (bench/README.md
-- `## console`). No table changes; the chain is untouched.

-- A change's page shows the deliveries of its repository while it was
-- open (a delivery names its repository, not its pull request): without
-- this, every change page read every delivery.
CREATE INDEX deliveries_repository ON deliveries(repository, received_at);

-- Merges and reverts, for the views that start from them (v_merged_prs,
-- the overview's rules): a repository's merges without reading its other
-- events. Partial, and led by (repository, pr_number) like pr_events_pr:
-- an index led by kind would let SQLite answer one pull request's
-- min(seq) or max(at) by walking that kind's events of every pull request.
CREATE INDEX pr_events_merged ON pr_events(repository, pr_number, at) WHERE kind = 'merged';
CREATE INDEX pr_events_reverted ON pr_events(repository, pr_number) WHERE kind = 'reverted';
