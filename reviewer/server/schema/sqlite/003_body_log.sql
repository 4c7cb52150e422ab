-- New bodies live in the body log (body_log.h); the row names them.
-- body_segments records which deliveries each segment holds, so a segment
-- is deleted only when all of them are old and finished. Jobs carry their
-- App installation, the outer round-robin key.
ALTER TABLE deliveries ADD COLUMN body_file TEXT;
ALTER TABLE deliveries ADD COLUMN body_offset INTEGER;
ALTER TABLE deliveries ADD COLUMN body_length INTEGER;
CREATE TABLE body_segments(file TEXT PRIMARY KEY, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL,
                           last_ms INTEGER NOT NULL);
ALTER TABLE jobs ADD COLUMN installation INTEGER NOT NULL DEFAULT 0;
CREATE TABLE installation_turns(installation INTEGER PRIMARY KEY, last_turn INTEGER NOT NULL);
