-- Alcance store, schema version 11: LGPD / GDPR (issue 15 point 7; docs/PRIVACY.md,
-- docs/schema.md). Forward-only.
-- 1. audience_consents: the workspace's consent to collect demographic (audience) data,
--    one row per grant: who gave it (the OS user on the desktop and the CLI, the signed-in
--    user on the server), when (UTC), and the exact text shown (its version and language).
--    A withdrawal fills withdrawn_by / withdrawn_at and the number of audience rows it
--    deleted; the row stays as the record. At most one row is active (withdrawn_at NULL).
-- 2. workspace_settings: one row (id = 1) of workspace-wide settings; raw_retention_days
--    is how many days archived raw responses are kept (NULL: forever, the default).
-- Privacy actions (consent, account export and deletion, retention, pruning) are written
-- to audit_log (schema version 7) with the action names privacy-*.

CREATE TABLE audience_consents (
    id           INTEGER PRIMARY KEY,
    text_version TEXT    NOT NULL,             -- e.g. 'audience-v1'
    language     TEXT    NOT NULL,             -- 'en' or 'pt-BR': the text the person saw
    text         TEXT    NOT NULL,             -- the exact text shown
    granted_by   TEXT    NOT NULL,             -- OS user or signed-in user's email
    granted_at   TEXT    NOT NULL,             -- UTC
    withdrawn_by TEXT,
    withdrawn_at TEXT,                         -- UTC; NULL while active
    rows_deleted INTEGER                       -- audience rows the withdrawal deleted
) STRICT;
CREATE UNIQUE INDEX audience_consents_one_active ON audience_consents ((withdrawn_at IS NULL))
    WHERE withdrawn_at IS NULL;

CREATE TABLE workspace_settings (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    raw_retention_days INTEGER CHECK (raw_retention_days IS NULL OR raw_retention_days >= 1),
    updated_at         TEXT    NOT NULL        -- UTC
) STRICT;
