-- Alcance store, schema version 4: the team vault (docs/schema.md, sealed_tokens).
-- In a team workspace the tokens live here, each sealed with AES-256-GCM under a workspace
-- key that never enters the database (alcance_platforms::vault::sealed). A solo workspace
-- keeps its tokens in the OS keychain or the encrypted vault file and leaves this table empty.

CREATE TABLE sealed_tokens (
    name       TEXT NOT NULL PRIMARY KEY, -- vault key name, alcance/{platform}/{external_id}
    key_id     TEXT NOT NULL,             -- id of the workspace key it is sealed under (12 hex)
    nonce      BLOB NOT NULL,             -- 12 random bytes
    ciphertext BLOB NOT NULL,             -- AES-256-GCM ciphertext and tag
    updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX sealed_tokens_key_id ON sealed_tokens (key_id);
