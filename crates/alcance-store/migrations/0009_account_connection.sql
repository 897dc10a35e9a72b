-- Alcance store, schema version 9: how an owned account was connected (issue 14;
-- docs/schema.md, accounts). One platform can be connected in two ways (Bluesky: app
-- password or AT Protocol OAuth; Threads: a pasted long-lived token or an authorization
-- code), so the accounts screen reads the way from the row instead of guessing it from the
-- platform. NULL for rows written before this version and for tracked profiles: the
-- platform's usual way is shown (`ConnectionKind::of`).

ALTER TABLE accounts ADD COLUMN connection TEXT CHECK (connection IN ('oauth', 'token', 'app_password'));
