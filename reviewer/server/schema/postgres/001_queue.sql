-- The PostgreSQL job queue (pg_queue.cpp). Tables are prefixed queue_ so
-- the audit log may share the database. queue_meta keeps the version
-- builds before queue_schema_migrations read (and the row writable() locks).
CREATE TABLE queue_meta(key TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE queue_deliveries(
  id BIGSERIAL PRIMARY KEY,
  delivery_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  action TEXT NOT NULL,
  repository TEXT NOT NULL,
  received_ms BIGINT NOT NULL,
  headers TEXT NOT NULL,
  body BYTEA,
  outcome TEXT NOT NULL);
-- Bodies are stored as they came (migration 002 compresses them).
ALTER TABLE queue_deliveries ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE TABLE queue_jobs(
  id BIGSERIAL PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES queue_deliveries(delivery_id),
  event TEXT NOT NULL,
  kind TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number BIGINT NOT NULL,
  head_sha TEXT NOT NULL,
  installation BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK(state IN ('pending','leased','done','failed','dead','superseded')),
  attempts INT NOT NULL DEFAULT 0,
  available_ms BIGINT NOT NULL,
  lease_token TEXT,
  lease_expires_ms BIGINT,
  superseded_by BIGINT,
  created_ms BIGINT NOT NULL,
  finished_ms BIGINT,
  run_id TEXT,
  result TEXT,
  reported_ms BIGINT);
CREATE INDEX queue_jobs_pending ON queue_jobs(available_ms, id) WHERE state='pending';
CREATE INDEX queue_jobs_leased ON queue_jobs(lease_expires_ms) WHERE state='leased';
CREATE INDEX queue_jobs_by_pr ON queue_jobs(repository, pr_number, kind) WHERE state IN ('pending','leased');
CREATE INDEX queue_jobs_unreported_dead ON queue_jobs(id) WHERE state='dead' AND reported_ms IS NULL;
CREATE INDEX queue_jobs_delivery ON queue_jobs(delivery_id);
CREATE TABLE queue_repo_turns(repository TEXT PRIMARY KEY, last_turn BIGINT NOT NULL);
CREATE TABLE queue_installation_turns(installation BIGINT PRIMARY KEY, last_turn BIGINT NOT NULL);
CREATE SEQUENCE queue_turns;
