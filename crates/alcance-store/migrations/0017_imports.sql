-- Alcance store, schema version 17: imports of platform exports (issue 17 point 5;
-- docs/imports.md, docs/schema.md "Imports and precedence"). Forward-only. (0016 is another
-- branch's migration.)
-- 1. imports: one row per file imported into an account: its kind, name, SHA-256 and the
--    counts of what it did. The same bytes are imported once per account
--    (UNIQUE (account_id, sha256)): a second import of the file is refused as already done.
-- 2. import_conflicts: the values an import did not write because the store already held
--    another value for the same post metric or day (an API value is never overwritten).
-- 3. source / import_id on posts, post_metrics and account_metrics: who wrote the row,
--    `api` (a collection; every row before this version) or `import` (the import
--    import_id). A collection that re-reads a row an import wrote takes it over
--    (source back to `api`, import_id NULL).

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('x_archive', 'meta_posts', 'meta_daily', 'tiktok_daily',
                                                 'tiktok_videos', 'youtube_videos', 'youtube_daily',
                                                 'generic_csv')),
    file_name   TEXT    NOT NULL,            -- as given, without its folder
    sha256      TEXT    NOT NULL,            -- SHA-256 of the file's bytes, lower-case hex
    imported_at TEXT    NOT NULL,            -- UTC, wall clock
    rows_read   INTEGER NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    added       INTEGER NOT NULL DEFAULT 0 CHECK (added >= 0),      -- metric values written
    duplicates  INTEGER NOT NULL DEFAULT 0 CHECK (duplicates >= 0), -- values already stored
    conflicts   INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0),  -- values not written (import_conflicts)
    errors      INTEGER NOT NULL DEFAULT 0 CHECK (errors >= 0),     -- lines refused
    UNIQUE (account_id, sha256)
) STRICT;

CREATE TABLE import_conflicts (
    id             INTEGER PRIMARY KEY,
    import_id      INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line           INTEGER NOT NULL,         -- 1-based line of the file (tweets.js: the tweet's 1-based position)
    metric         TEXT    NOT NULL,         -- catalog key
    post_id        TEXT,                     -- the platform's post id (post metrics), else NULL
    day            TEXT,                     -- YYYY-MM-DD UTC day (daily account metrics), else NULL
    stored_value   REAL,                     -- the value kept
    stored_source  TEXT    NOT NULL CHECK (stored_source IN ('api', 'import')),
    imported_value REAL    NOT NULL          -- the value of the file, not written
) STRICT;

CREATE INDEX import_conflicts_import ON import_conflicts (import_id, id);

ALTER TABLE posts ADD COLUMN source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import'));
ALTER TABLE posts ADD COLUMN import_id INTEGER REFERENCES imports (id) ON DELETE SET NULL;
ALTER TABLE post_metrics ADD COLUMN source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import'));
ALTER TABLE post_metrics ADD COLUMN import_id INTEGER REFERENCES imports (id) ON DELETE SET NULL;
ALTER TABLE account_metrics ADD COLUMN source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import'));
ALTER TABLE account_metrics ADD COLUMN import_id INTEGER REFERENCES imports (id) ON DELETE SET NULL;
