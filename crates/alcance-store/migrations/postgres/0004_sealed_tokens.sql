-- Alcance store on PostgreSQL, schema version 4: the team vault, as ../0004_sealed_tokens.sql.

CREATE TABLE sealed_tokens (
    name       TEXT  COLLATE "C" NOT NULL PRIMARY KEY, -- vault key name, alcance/{platform}/{external_id}
    key_id     TEXT  COLLATE "C" NOT NULL,             -- id of the workspace key it is sealed under (12 hex)
    nonce      BYTEA NOT NULL,                         -- 12 random bytes
    ciphertext BYTEA NOT NULL,                         -- AES-256-GCM ciphertext and tag
    updated_at TEXT  COLLATE "C" NOT NULL
);

CREATE INDEX sealed_tokens_key_id ON sealed_tokens (key_id);
