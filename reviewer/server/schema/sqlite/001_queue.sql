-- The SQLite job queue (sqlite_queue.cpp): deliveries as they arrived, the
-- jobs made of them, and when each repository was last served.
CREATE TABLE deliveries(
  id INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  action TEXT NOT NULL,
  repository TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  headers TEXT NOT NULL,
  body BLOB,
  outcome TEXT NOT NULL);
CREATE TABLE jobs(
  id INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES deliveries(delivery_id),
  event TEXT NOT NULL,
  kind TEXT NOT NULL,
  repository TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  head_sha TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','leased','done','failed','dead','superseded')),
  attempts INTEGER NOT NULL DEFAULT 0,
  available_ms INTEGER NOT NULL,
  lease_token TEXT,
  lease_expires_ms INTEGER,
  superseded_by INTEGER,
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  run_id TEXT,
  result TEXT);
CREATE INDEX jobs_by_state ON jobs(state, repository, id);
CREATE INDEX jobs_by_pr ON jobs(repository, pr_number, kind, state);
CREATE TABLE repo_turns(repository TEXT PRIMARY KEY, last_turn INTEGER NOT NULL);
