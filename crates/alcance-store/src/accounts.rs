//! `accounts` and `app_credentials`.

use crate::error::touched_one;
use crate::time::{from_db_opt, to_db};
use crate::{on_pool, platform_from_db, AccountRow, AppCredentialsRow, Store, StoreError};
use alcance_core::{AccountRef, AccountStatus, ConnectionKind, Platform};
use chrono::Utc;
use std::collections::HashMap;

const ACCOUNT_COLUMNS: &str =
    "id, platform, external_id, username, display_name, owned, status, vault_key, last_collected_at";

/// An `accounts` row as stored; [`AccountRow`] once its platform and time are parsed.
#[derive(sqlx::FromRow)]
struct AccountRecord {
    id: i64,
    platform: String,
    external_id: String,
    username: Option<String>,
    display_name: Option<String>,
    owned: bool,
    status: AccountStatus,
    vault_key: Option<String>,
    last_collected_at: Option<String>,
}

impl TryFrom<AccountRecord> for AccountRow {
    type Error = StoreError;

    fn try_from(r: AccountRecord) -> Result<Self, StoreError> {
        Ok(AccountRow {
            id: r.id,
            account: AccountRef {
                platform: platform_from_db("accounts.platform", &r.platform)?,
                external_id: r.external_id,
                username: r.username,
                owned: r.owned,
            },
            display_name: r.display_name,
            status: r.status,
            vault_key: r.vault_key,
            last_collected_at: from_db_opt("accounts.last_collected_at", r.last_collected_at)?,
        })
    }
}

/// An `app_credentials` row as stored.
#[derive(sqlx::FromRow)]
struct AppCredentialsRecord {
    client_id: String,
    redirect_uri: String,
    has_secret: bool,
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
        let id: i64 = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "INSERT INTO accounts (platform, external_id, username, display_name, owned, status, vault_key,
                                   created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7)
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
        .fetch_one(p)
        .await?);
        Ok(id)
    }

    /// Every account, in creation order (`accounts.id`).
    pub async fn list_accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY id");
        let rows: Vec<AccountRecord> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(AccountRow::try_from).collect()
    }

    /// One account by `accounts.id`. Errors: [`StoreError::NotFound`].
    pub async fn account(&self, account_id: i64) -> Result<AccountRow, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        let row: Option<AccountRecord> = on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(account_id)
            .fetch_optional(p)
            .await?);
        match row {
            Some(r) => r.try_into(),
            None => Err(StoreError::NotFound {
                what: "account",
                id: account_id,
            }),
        }
    }

    /// The `accounts.id` of the platform's account `external_id`, if stored.
    pub async fn account_id(&self, platform: Platform, external_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT id FROM accounts WHERE platform = $1 AND external_id = $2"
        )
        .bind(platform.as_str())
        .bind(external_id)
        .fetch_optional(p)
        .await?))
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
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE accounts SET status = $1, updated_at = $2 WHERE id = $3"
        )
        .bind(status)
        .bind(to_db(Utc::now()))
        .bind(account_id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "account", account_id)
    }

    /// Records how owned account `account_id` was connected (`accounts.connection`, schema
    /// version 9): `oauth`, `token` or `app_password`. `tracked` is not stored (a tracked
    /// profile has no connection of its own): it clears the column.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account.
    pub async fn set_account_connection(&self, account_id: i64, connection: ConnectionKind) -> Result<(), StoreError> {
        let value = (connection != ConnectionKind::Tracked).then_some(connection);
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE accounts SET connection = $1 WHERE id = $2"
        )
        .bind(value)
        .bind(account_id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "account", account_id)
    }

    /// How each account was connected, as recorded by [`Self::set_account_connection`]
    /// (`accounts.id` → kind); accounts without a record are absent.
    pub async fn account_connections(&self) -> Result<HashMap<i64, ConnectionKind>, StoreError> {
        let rows: Vec<(i64, ConnectionKind)> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT id, connection FROM accounts WHERE connection IS NOT NULL"
        )
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().collect())
    }

    /// Records the permissions owned account `account_id` was granted at its last connect or
    /// token refresh (`accounts.granted_scopes` / `declined_scopes`, schema version 12):
    /// `granted` the scopes the platform reported as granted, `declined` those it reported
    /// as declined (Facebook `/me/permissions`; empty elsewhere). Both are normalized
    /// ([`normalize_scopes`]: split on spaces and commas, sorted, deduplicated). Scopes are
    /// not secrets; the tokens stay in the vault.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account.
    pub async fn set_account_scopes(
        &self,
        account_id: i64,
        granted: &[String],
        declined: &[String],
    ) -> Result<(), StoreError> {
        let granted = scope_text(granted);
        let declined = scope_text(declined);
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE accounts SET granted_scopes = $1, declined_scopes = $2 WHERE id = $3"
        )
        .bind(granted.as_deref())
        .bind(declined.as_deref())
        .bind(account_id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "account", account_id)
    }

    /// Records the granted scopes a token refresh reported (`scope` in the answer) on every
    /// owned account collecting with vault entry `vault_key` (one token can serve several
    /// accounts: LinkedIn pages). Declined scopes are left as they are. Returns how many
    /// accounts were updated (0 when none uses the entry).
    pub async fn set_scopes_for_vault_key(&self, vault_key: &str, granted: &[String]) -> Result<u64, StoreError> {
        let granted = scope_text(granted);
        Ok(on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE accounts SET granted_scopes = $1 WHERE vault_key = $2 AND owned = $3"
        )
        .bind(granted.as_deref())
        .bind(vault_key)
        .bind(true)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// Records the platform user whose login connected owned account `account_id`
    /// (`accounts.connected_by`, schema version 12): a Facebook Page's Facebook user id.
    /// `None` clears it.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account.
    pub async fn set_account_connected_by(&self, account_id: i64, user_id: Option<&str>) -> Result<(), StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE accounts SET connected_by = $1 WHERE id = $2"
        )
        .bind(user_id)
        .bind(account_id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "account", account_id)
    }

    /// The recorded permissions and connecting user of each account
    /// ([`Self::set_account_scopes`], [`Self::set_account_connected_by`]), by `accounts.id`;
    /// accounts with none of the three recorded are absent.
    pub async fn account_scopes(&self) -> Result<HashMap<i64, AccountScopes>, StoreError> {
        let rows: Vec<ScopesRecord> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT id, granted_scopes, declined_scopes, connected_by FROM accounts
             WHERE granted_scopes IS NOT NULL OR declined_scopes IS NOT NULL OR connected_by IS NOT NULL"
        )
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| {
                let scopes = AccountScopes {
                    granted: r.granted_scopes.map(|g| normalize_scopes(&g)),
                    declined: r.declined_scopes.map(|d| normalize_scopes(&d)).unwrap_or_default(),
                    connected_by: r.connected_by,
                };
                (r.id, scopes)
            })
            .collect())
    }

    /// Deletes the account and, through `ON DELETE CASCADE`, its posts, post metrics,
    /// account metrics, audience rows and archived raw responses. Its run events stay in the
    /// run log with `account_id` set to NULL. Errors: [`StoreError::NotFound`].
    pub async fn delete_account_data(&self, account_id: i64) -> Result<(), StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(account_id)
            .execute(p)
            .await?
            .rows_affected());
        touched_one(done, "account", account_id)
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
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO app_credentials (platform, client_id, redirect_uri, has_secret, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (platform) DO UPDATE SET client_id = excluded.client_id,
                 redirect_uri = excluded.redirect_uri, has_secret = excluded.has_secret,
                 updated_at = excluded.updated_at",
        )
        .bind(platform.as_str())
        .bind(client_id)
        .bind(redirect_uri)
        .bind(has_secret)
        .bind(to_db(Utc::now()))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The developer-app settings saved for `platform`, if any.
    pub async fn app_credentials(&self, platform: Platform) -> Result<Option<AppCredentialsRow>, StoreError> {
        let row: Option<AppCredentialsRecord> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT client_id, redirect_uri, has_secret FROM app_credentials WHERE platform = $1"
        )
        .bind(platform.as_str())
        .fetch_optional(p)
        .await?);
        Ok(row.map(|r| AppCredentialsRow {
            platform,
            client_id: r.client_id,
            redirect_uri: r.redirect_uri,
            has_secret: r.has_secret,
        }))
    }
}

/// The permission columns of an `accounts` row (schema version 12).
#[derive(sqlx::FromRow)]
struct ScopesRecord {
    id: i64,
    granted_scopes: Option<String>,
    declined_scopes: Option<String>,
    connected_by: Option<String>,
}

/// What is recorded about one account's permissions (schema version 12).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountScopes {
    /// The scopes the platform reported as granted, sorted; `None` when it never said
    /// (rows before schema version 12, tokens that carry no scope).
    pub granted: Option<Vec<String>>,
    /// The scopes the user declined, where the platform reports them (Facebook), sorted.
    pub declined: Vec<String>,
    /// The platform user whose login connected the account (a Facebook Page's Facebook
    /// user id), when recorded.
    pub connected_by: Option<String>,
}

/// The scopes in `text` as platforms write them (`"a b"`, `"a,b"`, Instagram's
/// permissions joined with `,`): split on spaces and commas, empty pieces dropped, sorted,
/// deduplicated.
pub fn normalize_scopes(text: &str) -> Vec<String> {
    let mut scopes: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// The stored text of a scope list: normalized, one space between scopes; `None` for an
/// empty list.
fn scope_text(scopes: &[String]) -> Option<String> {
    let joined = normalize_scopes(&scopes.join(" ")).join(" ");
    (!joined.is_empty()).then_some(joined)
}
