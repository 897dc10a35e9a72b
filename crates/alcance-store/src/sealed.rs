//! `sealed_tokens`: the team vault's entries (a name, the id of the workspace key it is
//! sealed under, the nonce and the AES-256-GCM ciphertext). The store never sees a token in
//! clear nor the workspace key; sealing and opening happen in
//! `alcance_platforms::vault::sealed`.

use crate::time::to_db;
use crate::{on_pool, Store, StoreError};
use chrono::{DateTime, Utc};

/// One row of `sealed_tokens`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedTokenRow {
    /// The vault key name (`alcance/{platform}/{external_id}`).
    pub name: String,
    /// Id of the workspace key it is sealed under (12 hex characters).
    pub key_id: String,
    /// The 12-byte nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext and tag.
    pub ciphertext: Vec<u8>,
}

impl Store {
    /// The sealed entry `name`, if any.
    pub async fn sealed_token(&self, name: &str) -> Result<Option<SealedTokenRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT name, key_id, nonce, ciphertext FROM sealed_tokens WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(p)
        .await?))
    }

    /// Stores (or replaces) the sealed entry `row.name`, stamped `now` (UTC).
    pub async fn save_sealed_token(&self, row: &SealedTokenRow, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO sealed_tokens (name, key_id, nonce, ciphertext, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce,
                 ciphertext = excluded.ciphertext, updated_at = excluded.updated_at"
        )
        .bind(&row.name)
        .bind(&row.key_id)
        .bind(&row.nonce)
        .bind(&row.ciphertext)
        .bind(to_db(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Removes the sealed entry `name`; a missing one is not an error.
    pub async fn delete_sealed_token(&self, name: &str) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query("DELETE FROM sealed_tokens WHERE name = $1")
            .bind(name)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Every sealed entry's name with its key id, by name.
    pub async fn sealed_token_key_ids(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT name, key_id FROM sealed_tokens ORDER BY name"
        )
        .fetch_all(p)
        .await?))
    }
}
