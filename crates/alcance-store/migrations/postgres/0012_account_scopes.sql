-- Alcance store, schema version 12 (PostgreSQL): the permissions each connection was
-- granted and who connected it (issue 13 point 6; docs/schema.md, accounts). Same columns
-- as the SQLite migration 0012.

ALTER TABLE accounts ADD COLUMN granted_scopes TEXT COLLATE "C";
ALTER TABLE accounts ADD COLUMN declined_scopes TEXT COLLATE "C";
ALTER TABLE accounts ADD COLUMN connected_by TEXT COLLATE "C";
