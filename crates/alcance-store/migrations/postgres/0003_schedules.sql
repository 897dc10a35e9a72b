-- Alcance store on PostgreSQL, schema version 3: background collection, as
-- ../0003_schedules.sql (SQLite). Forward-only. PostgreSQL changes a CHECK constraint in
-- place, so collection_runs is altered rather than rebuilt.

ALTER TABLE collection_runs DROP CONSTRAINT collection_runs_status_check;
ALTER TABLE collection_runs ADD CONSTRAINT collection_runs_status_check
    CHECK (status IN ('running', 'paused', 'ok', 'partial', 'failed', 'cancelled'));
CREATE INDEX collection_runs_status ON collection_runs (status);

CREATE TABLE schedules (
    account_id    BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    cadence       TEXT   COLLATE "C" NOT NULL DEFAULT 'daily'
                         CHECK (cadence IN ('hourly', 'daily', 'weekly', 'custom')),
    every_seconds BIGINT NOT NULL DEFAULT 86400 CHECK (every_seconds >= 60), -- the cadence, seconds
    next_run_at   TEXT   COLLATE "C" NOT NULL, -- when the scheduler collects the account next (jittered)
    last_run_at   TEXT   COLLATE "C",          -- collected_at of the last attempt
    last_status   TEXT   COLLATE "C" CHECK (last_status IN ('ok', 'failed')),
    last_error    TEXT   COLLATE "C",          -- code: message of the last failure, secrets redacted
    updated_at    TEXT   COLLATE "C" NOT NULL
);

CREATE INDEX schedules_next_run ON schedules (next_run_at);

-- Every account gets the default schedule: daily, due at once.
INSERT INTO schedules (account_id, next_run_at, updated_at)
SELECT id,
       coalesce(to_char((CAST(last_collected_at AS timestamptz) + interval '1 day') AT TIME ZONE 'UTC',
                        'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                created_at),
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM accounts;

CREATE FUNCTION accounts_default_schedule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO schedules (account_id, next_run_at, updated_at)
    VALUES (NEW.id, NEW.created_at, NEW.created_at)
    ON CONFLICT (account_id) DO NOTHING;
    RETURN NEW;
END;
$$;

CREATE TRIGGER accounts_default_schedule AFTER INSERT ON accounts
FOR EACH ROW EXECUTE FUNCTION accounts_default_schedule();

CREATE TABLE post_refresh (
    account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    horizon_seconds BIGINT NOT NULL CHECK (horizon_seconds > 0), -- posts up to this age
    refreshed_at    TEXT   COLLATE "C" NOT NULL,                 -- last collection covering them
    PRIMARY KEY (account_id, horizon_seconds)
);

CREATE TABLE run_accounts (
    run_id          BIGINT  NOT NULL REFERENCES collection_runs (id) ON DELETE CASCADE,
    account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position        BIGINT  NOT NULL, -- 0-based order in the run
    status          TEXT    COLLATE "C" NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
    window_since    TEXT    COLLATE "C" NOT NULL, -- the collection window the account was planned with
    window_until    TEXT    COLLATE "C" NOT NULL,
    metrics_written BIGINT  NOT NULL DEFAULT 0,
    posts_written   BIGINT  NOT NULL DEFAULT 0,
    gaps            BIGINT  NOT NULL DEFAULT 0,
    needs_reauth    BOOLEAN NOT NULL DEFAULT FALSE,
    error           TEXT    COLLATE "C",
    finished_at     TEXT    COLLATE "C",
    PRIMARY KEY (run_id, account_id)
);

CREATE INDEX run_accounts_account ON run_accounts (account_id);
