-- Alcance store, schema version 6: partial and deferred accounts of a run (issue 15;
-- docs/schema.md, run_accounts).
-- 1. run_accounts.partial: the account failed half-way and what arrived before the failure
--    was stored (its batch is marked partial; the failure is a run event and a data gap).
-- 2. run_accounts.retry_at: when a rate-limited (or deadline-cut) account will be collected
--    again; the account's schedule is set to it. NULL when nothing was deferred.
-- Columns only (no CHECK widened), so no table rebuild: `status` keeps its four values.

ALTER TABLE run_accounts ADD COLUMN partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1));
ALTER TABLE run_accounts ADD COLUMN retry_at TEXT;
