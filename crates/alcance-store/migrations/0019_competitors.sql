-- Alcance store, schema version 19: competitor sets and share of voice (issue 17 point 1;
-- docs/schema.md, docs/metrics.md "Competitors"). Forward-only.
-- 1. competitor_sets: named groups of competitors, each with its own collection cadence
--    (`hourly`, `daily`, `weekly` or `custom` + period) that its members' schedules take.
-- 2. competitors: which accounts (tracked public profiles or own connections) are
--    competitors, one set each. Removing a competitor deletes the row only; the account
--    and its data stay.
-- 3. voice_terms: the hashtags or keywords whose share of voice is collected.
-- 4. voice_totals: public X posts matching a term per UTC day (GET /2/tweets/counts/recent,
--    query=<term>, granularity=day).
-- 5. voice_counts: the same per account (query=<term> from:<handle>).
-- No token here: the X App's app-only bearer token lives in the vault.

CREATE TABLE competitor_sets (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    cadence       TEXT    NOT NULL CHECK (cadence IN ('hourly', 'daily', 'weekly', 'custom')),
    every_seconds INTEGER NOT NULL CHECK (every_seconds >= 60),
    created_at    TEXT    NOT NULL -- UTC
) STRICT;

CREATE TABLE competitors (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    set_id     INTEGER NOT NULL REFERENCES competitor_sets (id) ON DELETE CASCADE,
    added_at   TEXT    NOT NULL -- UTC
) STRICT;

CREATE INDEX competitors_set ON competitors (set_id);

CREATE TABLE voice_terms (
    id           INTEGER PRIMARY KEY,
    term         TEXT    NOT NULL UNIQUE, -- as sent to X, trimmed: #verão or black friday
    added_at     TEXT    NOT NULL,        -- UTC
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    collected_at TEXT                     -- UTC, its last collection (at most one a UTC day)
) STRICT;

CREATE TABLE voice_totals (
    id           INTEGER PRIMARY KEY,
    term         TEXT    NOT NULL,                     -- as voice_terms.term
    day          TEXT    NOT NULL,                     -- UTC midnight
    count        INTEGER NOT NULL CHECK (count >= 0),  -- public posts matching the term that day
    collected_at TEXT    NOT NULL,                     -- UTC
    UNIQUE (term, day)
) STRICT;

CREATE TABLE voice_counts (
    id           INTEGER PRIMARY KEY,
    term         TEXT    NOT NULL,                     -- as voice_terms.term
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day          TEXT    NOT NULL,                     -- UTC midnight
    count        INTEGER NOT NULL CHECK (count >= 0),  -- the account's public posts matching it
    collected_at TEXT    NOT NULL,                     -- UTC
    UNIQUE (term, account_id, day)
) STRICT;
