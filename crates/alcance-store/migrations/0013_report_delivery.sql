-- Alcance store, schema version 13: scheduled delivery of reports by email (issue 13
-- point 5; docs/reports.md "Scheduled delivery", docs/schema.md). Forward-only.
-- 1. report_schedules: what to send (the weekly report or one campaign's), when (weekly on
--    a weekday and hour, or monthly on a day and hour, in an IANA time zone), in which
--    language, to whom (a JSON array of addresses) and as which files (pdf, xlsx).
-- 2. report_deliveries: one row per schedule and period, its start in UTC. The primary key
--    (schedule_id, period_start) is what keeps a period from being sent twice: a worker
--    claims a period by inserting its row, and a second worker's insert finds it taken.
-- 3. mail_settings: one row (id = 1), the workspace's SMTP server as a URL without its
--    password (the password is in the vault, never here) and the sender.
-- (0012 and 0013 are other branches' migrations.)

CREATE TABLE report_schedules (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('weekly_report', 'campaign_report')),
    campaign_id  INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
    cadence      TEXT    NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    weekday      INTEGER CHECK (weekday BETWEEN 0 AND 6),       -- weekly: 0 = Monday … 6 = Sunday
    day_of_month INTEGER CHECK (day_of_month BETWEEN 1 AND 28), -- monthly: the day it is sent
    hour         INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23), -- local hour it is sent
    time_zone    TEXT    NOT NULL,                               -- IANA, e.g. America/Sao_Paulo
    language     TEXT    NOT NULL CHECK (language IN ('en', 'pt-BR')),
    recipients   TEXT    NOT NULL,                               -- JSON array of addresses
    formats      TEXT    NOT NULL,                               -- comma separated: pdf, xlsx
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at   TEXT    NOT NULL,                               -- UTC
    CHECK ((kind = 'campaign_report') = (campaign_id IS NOT NULL)),
    CHECK ((cadence = 'weekly' AND weekday IS NOT NULL AND day_of_month IS NULL)
        OR (cadence = 'monthly' AND day_of_month IS NOT NULL AND weekday IS NULL))
) STRICT;

CREATE TABLE report_deliveries (
    schedule_id     INTEGER NOT NULL REFERENCES report_schedules (id) ON DELETE CASCADE,
    period_start    TEXT    NOT NULL, -- UTC start of the reported week or month (local midnight)
    period_end      TEXT    NOT NULL, -- UTC end, exclusive
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,             -- the last failure, secrets redacted
    next_attempt_at TEXT,             -- UTC; while pending, when it may be tried (again)
    sent_at         TEXT,             -- UTC
    message_id      TEXT,             -- the Message-ID header of the sent email
    created_at      TEXT    NOT NULL, -- UTC, when the period was claimed
    PRIMARY KEY (schedule_id, period_start)
) STRICT;

CREATE INDEX report_deliveries_retry ON report_deliveries (status, next_attempt_at);

CREATE TABLE mail_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    smtp_url   TEXT    NOT NULL, -- smtp://user@host:587?tls=required, smtps://…; never a password
    sender     TEXT    NOT NULL, -- From: address, e.g. Alcance <reports@agency.example>
    updated_at TEXT    NOT NULL  -- UTC
) STRICT;
