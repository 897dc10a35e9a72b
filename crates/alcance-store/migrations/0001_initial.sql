-- Alcance store, schema version 1. Forward-only: never edit this file once released;
-- add a new NNNN_description.sql instead (sqlx checks each applied file's checksum).
--
-- Conventions (docs/schema.md has the full description):
-- * Every timestamp is UTC text in RFC 3339 with second precision and a `Z` suffix,
--   `YYYY-MM-DDTHH:MM:SSZ`, so text order is time order.
-- * Metric values are REAL in the catalog unit (counts, seconds, percent 0-100, ratio 0-1);
--   NULL means "the platform served no data" and is never written as 0.
-- * Booleans are INTEGER 0/1.

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY,
    platform          TEXT    NOT NULL,
    external_id       TEXT    NOT NULL,
    username          TEXT,
    display_name      TEXT,
    owned             INTEGER NOT NULL DEFAULT 1 CHECK (owned IN (0, 1)),
    status            TEXT    NOT NULL DEFAULT 'active'
                              CHECK (status IN ('active', 'needs_reauth', 'paused', 'disconnected')),
    vault_key         TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    last_collected_at TEXT,
    UNIQUE (platform, external_id)
) STRICT;

CREATE TABLE app_credentials (
    platform     TEXT    PRIMARY KEY,
    client_id    TEXT    NOT NULL,
    redirect_uri TEXT    NOT NULL,
    has_secret   INTEGER NOT NULL DEFAULT 0 CHECK (has_secret IN (0, 1)),
    updated_at   TEXT    NOT NULL
) STRICT;

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    external_id   TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    published_at  TEXT,
    permalink     TEXT,
    caption       TEXT,
    first_seen_at TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL,
    UNIQUE (account_id, external_id)
) STRICT;

CREATE TABLE post_metrics (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    metric       TEXT    NOT NULL,
    value        REAL,
    collected_at TEXT    NOT NULL,
    bucket       TEXT    NOT NULL, -- collected_at truncated to the UTC hour
    last_seen_at TEXT    NOT NULL,
    UNIQUE (post_id, metric, bucket)
) STRICT;

CREATE TABLE account_metrics (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    metric       TEXT    NOT NULL,
    period       TEXT    NOT NULL,
    period_start TEXT    NOT NULL, -- for period 'snapshot': the UTC hour bucket of collected_at
    period_end   TEXT    NOT NULL,
    value        REAL,
    collected_at TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    UNIQUE (account_id, metric, period, period_start, period_end)
) STRICT;

CREATE TABLE audience (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    audience     TEXT    NOT NULL,
    dimension    TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    value        REAL,
    timeframe    TEXT    NOT NULL,
    collected_at TEXT    NOT NULL,
    bucket       TEXT    NOT NULL, -- collected_at truncated to the UTC day
    UNIQUE (account_id, audience, dimension, key, timeframe, bucket)
) STRICT;

CREATE TABLE collection_runs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('demo', 'manual', 'scheduled')),
    status          TEXT    NOT NULL DEFAULT 'running'
                            CHECK (status IN ('running', 'ok', 'partial', 'failed', 'cancelled')),
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    accounts_total  INTEGER NOT NULL DEFAULT 0,
    accounts_ok     INTEGER NOT NULL DEFAULT 0,
    accounts_failed INTEGER NOT NULL DEFAULT 0,
    metrics_written INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX collection_runs_started ON collection_runs (started_at);

CREATE TABLE run_events (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES collection_runs (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    at         TEXT    NOT NULL,
    level      TEXT    NOT NULL CHECK (level IN ('info', 'warn', 'gap', 'error')),
    code       TEXT    NOT NULL,
    message    TEXT    NOT NULL
) STRICT;

CREATE INDEX run_events_run ON run_events (run_id, id);
CREATE INDEX run_events_account ON run_events (account_id);

CREATE TABLE raw_responses (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER REFERENCES collection_runs (id) ON DELETE SET NULL,
    account_id      INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    method          TEXT    NOT NULL,
    url             TEXT    NOT NULL, -- secrets replaced by REDACTED
    status          INTEGER NOT NULL, -- HTTP status; 0 when no response arrived
    body_hash       TEXT    NOT NULL, -- SHA-256 of the uncompressed body, lower-case hex
    body_len        INTEGER NOT NULL, -- uncompressed body length, bytes
    body            BLOB    NOT NULL, -- zlib (RFC 1950) compressed body
    fetched_at      TEXT    NOT NULL, -- first sight
    last_fetched_at TEXT    NOT NULL, -- latest sight
    seen_count      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (method, url, status, body_hash)
) STRICT;

CREATE INDEX raw_responses_run ON raw_responses (run_id);
CREATE INDEX raw_responses_account ON raw_responses (account_id);
