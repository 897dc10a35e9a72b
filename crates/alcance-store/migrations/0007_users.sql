-- Alcance store, schema version 7: the people of a served workspace (`alcance serve`,
-- docs/adr/0010-users-roles-and-tokens.md).
-- 1. users: email (unique in any letter case; stored lower-case), role, Argon2id password
--    hash (PHC string; NULL for an invited user who has not set one yet).
-- 2. user_sessions: browser sign-ins; the id the cookie carries is stored as its SHA-256
--    (hex), never in clear; each has an expiry and the CSRF token state-changing requests
--    must repeat in the X-CSRF-Token header.
-- 3. api_tokens: bearer tokens for BI tools, per user, with a role no higher than the
--    user's (checked by alcance-app), stored as SHA-256 (hex), revocable, last use kept.
-- 4. user_tokens: one-time tokens (password reset, invitation), SHA-256 (hex), expiring.
-- 5. client_shares: which accounts and campaigns a client user may read.
-- 6. audit_log: sign-ins (ok and failed), role changes, token creation / use / revocation,
--    exports. Never holds a password or a token.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,               -- lower-case
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'analyst', 'client')),
    password_hash TEXT,                        -- Argon2id PHC string; NULL until set
    created_at    TEXT NOT NULL                -- UTC
) STRICT;
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE user_sessions (
    id_hash    TEXT NOT NULL PRIMARY KEY,      -- SHA-256 (hex) of the cookie's value
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,                  -- UTC
    expires_at TEXT NOT NULL                   -- UTC
) STRICT;
CREATE INDEX user_sessions_user ON user_sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'analyst', 'client')),
    token_hash   TEXT NOT NULL UNIQUE,         -- SHA-256 (hex) of the token
    created_at   TEXT NOT NULL,                -- UTC
    last_used_at TEXT,                         -- UTC, updated at most once a minute
    revoked_at   TEXT                          -- UTC; refused from then on
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE user_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,      -- SHA-256 (hex) of the token
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('reset', 'invite')),
    created_at TEXT NOT NULL,                  -- UTC
    expires_at TEXT NOT NULL,                  -- UTC
    used_at    TEXT                            -- UTC; a used token is refused
) STRICT;
CREATE INDEX user_tokens_user ON user_tokens (user_id);

CREATE TABLE client_shares (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('account', 'campaign')),
    target_id INTEGER NOT NULL,                -- accounts.id or campaigns.id
    PRIMARY KEY (user_id, kind, target_id)
) STRICT;

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,                     -- UTC
    actor   TEXT,                              -- the user's email; NULL when unknown
    action  TEXT NOT NULL,                     -- sign-in, role-change, token-create, ...
    subject TEXT,                              -- what it acted on (an email, a token name, a path)
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
    detail  TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
