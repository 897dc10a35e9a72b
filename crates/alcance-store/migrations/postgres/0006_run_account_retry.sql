-- Alcance store, schema version 6 (PostgreSQL): partial and deferred accounts of a run
-- (issue 15; docs/schema.md, run_accounts). Same columns as the SQLite migration 0006.

ALTER TABLE run_accounts ADD COLUMN partial BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE run_accounts ADD COLUMN retry_at TEXT COLLATE "C";
