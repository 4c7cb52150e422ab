-- Dead letters are reported to the audit log; reported_ms marks the ones
-- already there, and the partial index finds the others cheaply.
ALTER TABLE jobs ADD COLUMN reported_ms INTEGER;
CREATE INDEX jobs_unreported_dead ON jobs(id) WHERE state='dead' AND reported_ms IS NULL;
