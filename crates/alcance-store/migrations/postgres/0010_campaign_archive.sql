-- Alcance store, schema version 10 (PostgreSQL): archived campaigns (issue 13;
-- docs/schema.md, campaigns). Same column as the SQLite migration 0010.

ALTER TABLE campaigns ADD COLUMN archived_at TEXT COLLATE "C";
