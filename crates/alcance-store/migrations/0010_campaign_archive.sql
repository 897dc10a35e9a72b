-- Alcance store, schema version 10: archived campaigns (issue 13; docs/schema.md,
-- campaigns). An archived campaign keeps its accounts, posts, costs and conversions and
-- its report; the Campaigns screen only hides it behind "Show archived". NULL: not
-- archived (every row written before this version).

ALTER TABLE campaigns ADD COLUMN archived_at TEXT;
