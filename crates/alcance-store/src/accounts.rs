//! `accounts` and `app_credentials`.

use crate::error::touched_one;
use crate::time::{from_db_opt, to_db};
use crate::{platform_from_db, AccountRow, AppCredentialsRow, Store, StoreError};
use alcance_core::{AccountRef, AccountStatus, Platform};
use chrono::Utc;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const ACCOUNT_COLUMNS: &str =
    "id, platform, external_id, username, display_name, owned, status, vault_key, last_collected_at";

fn account_from_row(r: &SqliteRow) -> Result<AccountRow, StoreError> {
    let platform: String = r.try_get("platform")?;
    Ok(AccountRow {
        id: r.try_get("id")?,
        account: AccountRef {
            platform: platform_from_db("accounts.platform", &platform)?,
            external_id: r.try_get("external_id")?,
            username: r.try_get("username")?,
            owned: r.try_get("owned")?,
        },
        display_name: r.try_get("display_name")?,
        status: r.try_get("status")?,
        vault_key: r.try_get("vault_key")?,
        last_collected_at: from_db_opt("accounts.last_collected_at", r.try_get("last_collected_at")?)?,
    })
}

impl Store {
    /// Inserts the account, or updates it when `(platform, external_id)` exists, and returns
    /// `accounts.id`. On update, `owned` takes the given value, while `username`,
    /// `display_name` and `vault_key` change only when given (`None` keeps the stored value).
    /// Giving a `vault_key` (a fresh connect) also sets a `needs_reauth` or `disconnected`
    /// account back to `active`. `vault_key` is the NAME of the keychain entry, never a token.
    /// `created_at` / `updated_at` are the wall clock (UTC).
    pub async fn upsert_account(
        &self,
        account: &AccountRef,
        display_name: Option<&str>,
        vault_key: Option<&str>,
    ) -> Result<i64, StoreError> {
        let now = to_db(Utc::now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (platform, external_id, username, display_name, owned, status, vault_key,
                                   created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, ?7)
             ON CONFLICT (platform, external_id) DO UPDATE SET
                 username = coalesce(excluded.username, accounts.username),
                 display_name = coalesce(excluded.display_name, accounts.display_name),
                 owned = excluded.owned,
                 vault_key = coalesce(excluded.vault_key, accounts.vault_key),
                 status = CASE WHEN excluded.vault_key IS NOT NULL
                                    AND accounts.status IN ('needs_reauth', 'disconnected')
                               THEN 'active' ELSE accounts.status END,
                 updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(account.platform.as_str())
        .bind(&account.external_id)
        .bind(account.username.as_deref())
        .bind(display_name)
        .bind(account.owned)
        .bind(vault_key)
        .bind(&now)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Every account, in creation order (`accounts.id`).
    pub async fn list_accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(account_from_row).collect()
    }

    /// One account by `accounts.id`. Errors: [`StoreError::NotFound`].
    pub async fn account(&self, account_id: i64) -> Result<AccountRow, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1");
        let row = sqlx::query(&sql).bind(account_id).fetch_optional(&self.pool).await?;
        match row {
            Some(r) => account_from_row(&r),
            None => Err(StoreError::NotFound {
                what: "account",
                id: account_id,
            }),
        }
    }

    /// The `accounts.id` of the platform's account `external_id`, if stored.
    pub async fn account_id(&self, platform: Platform, external_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM accounts WHERE platform = ?1 AND external_id = ?2")
                .bind(platform.as_str())
                .bind(external_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets `accounts.status`. Takes an [`AccountStatus`] or its key (`"needs_reauth"`).
    /// Errors: [`StoreError::Invalid`] for a key that is not an account status,
    /// [`StoreError::NotFound`] for an unknown account.
    pub async fn set_account_status<S>(&self, account_id: i64, status: S) -> Result<(), StoreError>
    where
        S: TryInto<AccountStatus>,
        StoreError: From<S::Error>,
    {
        let status: AccountStatus = status.try_into()?;
        let done = sqlx::query("UPDATE accounts SET status = ?1, updated_at = ?2 WHERE id = ?3")
            .bind(status)
            .bind(to_db(Utc::now()))
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        touched_one(&done, "account", account_id)
    }

    /// Deletes the account and, through `ON DELETE CASCADE`, its posts, post metrics,
    /// account metrics, audience rows and archived raw responses. Its run events stay in the
    /// run log with `account_id` set to NULL. Errors: [`StoreError::NotFound`].
    pub async fn delete_account_data(&self, account_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM accounts WHERE id = ?1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        touched_one(&done, "account", account_id)
    }

    /// Saves (inserts or replaces) the user's developer-app settings for `platform`. Only
    /// whether a client secret exists (`has_secret`) is stored; the secret stays in the
    /// keychain.
    pub async fn save_app_credentials(
        &self,
        platform: Platform,
        client_id: &str,
        redirect_uri: &str,
        has_secret: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO app_credentials (platform, client_id, redirect_uri, has_secret, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (platform) DO UPDATE SET client_id = excluded.client_id,
                 redirect_uri = excluded.redirect_uri, has_secret = excluded.has_secret,
                 updated_at = excluded.updated_at",
        )
        .bind(platform.as_str())
        .bind(client_id)
        .bind(redirect_uri)
        .bind(has_secret)
        .bind(to_db(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The developer-app settings saved for `platform`, if any.
    pub async fn app_credentials(&self, platform: Platform) -> Result<Option<AppCredentialsRow>, StoreError> {
        let row = sqlx::query("SELECT client_id, redirect_uri, has_secret FROM app_credentials WHERE platform = ?1")
            .bind(platform.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(AppCredentialsRow {
                platform,
                client_id: r.try_get("client_id")?,
                redirect_uri: r.try_get("redirect_uri")?,
                has_secret: r.try_get("has_secret")?,
            })
        })
        .transpose()
    }
}
