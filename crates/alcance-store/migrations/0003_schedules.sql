-- Alcance store, schema version 3: background collection. Forward-only: never edit this
-- file once released; add a new NNNN_description.sql instead. (0002 is campaigns.)
--
-- 1. collection_runs.status gains 'paused' (a run stopped between two accounts, resumable
--    from run_accounts). SQLite cannot change a CHECK constraint in place, so the table is
--    rebuilt with the procedure of https://www.sqlite.org/lang_altertable.html#otheralter:
--    create the new table, copy, drop the old one, rename, recreate the indexes. Dropping
--    the old table must not cascade into run_events (ON DELETE CASCADE) or raw_responses
--    (ON DELETE SET NULL), so the store applies migrations with foreign_keys=OFF
--    (Store::migrate) and the first statement below refuses to run otherwise; the last one
--    refuses to commit if any foreign key is left dangling.
-- 2. schedules: one row per account, its cadence and next run (UTC); created for every
--    account by a trigger, default daily and due at once.
-- 3. post_refresh: when each age horizon of an account's posts was last re-collected
--    (the collector's RefreshPolicy).
-- 4. run_accounts: per-run, per-account progress, so a paused run resumes where it stopped.

CREATE TEMP TABLE migration_0003_guard (
    foreign_keys_must_be_off INTEGER CHECK (foreign_keys_must_be_off = 0),
    dangling_foreign_keys    INTEGER CHECK (dangling_foreign_keys = 0)
);
INSERT INTO migration_0003_guard (foreign_keys_must_be_off) SELECT foreign_keys FROM pragma_foreign_keys;

CREATE TABLE collection_runs_rebuilt (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('demo', 'manual', 'scheduled')),
    status          TEXT    NOT NULL DEFAULT 'running'
                            CHECK (status IN ('running', 'paused', 'ok', 'partial', 'failed', 'cancelled')),
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    accounts_total  INTEGER NOT NULL DEFAULT 0,
    accounts_ok     INTEGER NOT NULL DEFAULT 0,
    accounts_failed INTEGER NOT NULL DEFAULT 0,
    metrics_written INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO collection_runs_rebuilt (id, kind, status, started_at, finished_at, accounts_total, accounts_ok,
                                     accounts_failed, metrics_written)
SELECT id, kind, status, started_at, finished_at, accounts_total, accounts_ok, accounts_failed, metrics_written
FROM collection_runs;

DROP TABLE collection_runs;
ALTER TABLE collection_runs_rebuilt RENAME TO collection_runs;
CREATE INDEX collection_runs_started ON collection_runs (started_at);
CREATE INDEX collection_runs_status ON collection_runs (status);

CREATE TABLE schedules (
    account_id    INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    cadence       TEXT    NOT NULL DEFAULT 'daily'
                          CHECK (cadence IN ('hourly', 'daily', 'weekly', 'custom')),
    every_seconds INTEGER NOT NULL DEFAULT 86400 CHECK (every_seconds >= 60), -- the cadence, seconds
    next_run_at   TEXT    NOT NULL, -- when the scheduler collects the account next (jittered)
    last_run_at   TEXT,             -- collected_at of the last attempt
    last_status   TEXT    CHECK (last_status IN ('ok', 'failed')),
    last_error    TEXT,             -- code: message of the last failure, secrets redacted
    updated_at    TEXT    NOT NULL
) STRICT;

CREATE INDEX schedules_next_run ON schedules (next_run_at);

-- Every account gets the default schedule: daily, due at once.
INSERT INTO schedules (account_id, next_run_at, updated_at)
SELECT id,
       coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', last_collected_at, '+1 day'), created_at),
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM accounts;

CREATE TRIGGER accounts_default_schedule AFTER INSERT ON accounts
BEGIN
    INSERT OR IGNORE INTO schedules (account_id, next_run_at, updated_at)
    VALUES (NEW.id, NEW.created_at, NEW.created_at);
END;

CREATE TABLE post_refresh (
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    horizon_seconds INTEGER NOT NULL CHECK (horizon_seconds > 0), -- posts up to this age
    refreshed_at    TEXT    NOT NULL,                             -- last collection covering them
    PRIMARY KEY (account_id, horizon_seconds)
) STRICT;

CREATE TABLE run_accounts (
    run_id          INTEGER NOT NULL REFERENCES collection_runs (id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL, -- 0-based order in the run
    status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
    window_since    TEXT    NOT NULL, -- the collection window the account was planned with
    window_until    TEXT    NOT NULL,
    metrics_written INTEGER NOT NULL DEFAULT 0,
    posts_written   INTEGER NOT NULL DEFAULT 0,
    gaps            INTEGER NOT NULL DEFAULT 0,
    needs_reauth    INTEGER NOT NULL DEFAULT 0 CHECK (needs_reauth IN (0, 1)),
    error           TEXT,
    finished_at     TEXT,
    PRIMARY KEY (run_id, account_id)
) STRICT;

CREATE INDEX run_accounts_account ON run_accounts (account_id);

INSERT INTO migration_0003_guard (dangling_foreign_keys) SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE migration_0003_guard;
