-- Alcance store, schema version 9 (PostgreSQL): how an owned account was connected (issue
-- 14; docs/schema.md, accounts). Same column as the SQLite migration 0009.

ALTER TABLE accounts ADD COLUMN connection TEXT COLLATE "C" CHECK (connection IN ('oauth', 'token', 'app_password'));
