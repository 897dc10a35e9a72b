//! LGPD / GDPR (schema version 11, `migrations/0011_privacy.sql`; docs/PRIVACY.md): the
//! workspace's consent to collect demographic (audience) data, the retention of archived
//! raw responses, and the rows of one account for "export everything about this account".
//!
//! - **Consent** ([`AudienceConsent`]): one row per grant (who, when, the exact text shown).
//!   Without an active consent [`Store::save_batch`] stores no demographic audience row
//!   (every audience row but those of [`NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS`]); withdrawing deletes every stored one
//!   in the same transaction as the withdrawal's record.
//! - **Retention**: `workspace_settings.raw_retention_days`; [`Store::prune_raw_responses`]
//!   deletes the raw responses last fetched before the cut-off.
//! - **Account rows** ([`ACCOUNT_TABLES`], [`AccountTableReader`]): every table's rows of
//!   one account, page by page in key order, never a secret (no vault entry name, no
//!   `sealed_tokens`).
//!
//! Every change here writes an `audit_log` line (action `privacy-*`) in its transaction.

use crate::copy::{key_of, Kind, TableShape, Value};
use crate::engine::{on_tx, Engine, Tx};
use crate::time::{from_db, from_db_opt, to_db};
use crate::{on_pool, Store, StoreError};
use alcance_core::NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS;
use chrono::{DateTime, Duration, Utc};
use std::io::Read;

/// One grant of the workspace's consent to collect demographic (audience) data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceConsent {
    /// `audience_consents.id`.
    pub id: i64,
    /// The version of the text shown (`audience-v1`, ...).
    pub text_version: String,
    /// The language of the text shown: `en` or `pt-BR`.
    pub language: String,
    /// The exact text shown and agreed to.
    pub text: String,
    /// Who agreed: the OS user (desktop, CLI) or the signed-in user's email (server).
    pub granted_by: String,
    /// When (UTC).
    pub granted_at: DateTime<Utc>,
    /// Who withdrew it, once withdrawn.
    pub withdrawn_by: Option<String>,
    /// When it was withdrawn (UTC); `None` while active.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Audience rows (count) the withdrawal deleted.
    pub rows_deleted: Option<i64>,
}

impl AudienceConsent {
    /// `true` while not withdrawn.
    pub fn is_active(&self) -> bool {
        self.withdrawn_at.is_none()
    }
}

/// The text a person agrees to: its version, language and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentText<'a> {
    /// Version of the text (`audience-v1`).
    pub version: &'a str,
    /// Language: `en` or `pt-BR`.
    pub language: &'a str,
    /// The exact words shown.
    pub text: &'a str,
}

type ConsentLine = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

const CONSENT_COLUMNS: &str =
    "id, text_version, language, text, granted_by, granted_at, withdrawn_by, withdrawn_at, rows_deleted";

fn consent_from(line: ConsentLine) -> Result<AudienceConsent, StoreError> {
    let (id, text_version, language, text, granted_by, granted_at, withdrawn_by, withdrawn_at, rows_deleted) = line;
    Ok(AudienceConsent {
        id,
        text_version,
        language,
        text,
        granted_by,
        granted_at: from_db("audience_consents.granted_at", &granted_at)?,
        withdrawn_by,
        withdrawn_at: from_db_opt("audience_consents.withdrawn_at", withdrawn_at)?,
        rows_deleted,
    })
}

/// `'whatsapp'`: the platform keys of [`NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS`], quoted for SQL.
pub(crate) fn non_demographic_platforms() -> String {
    let list: Vec<String> = NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS
        .iter()
        .map(|p| format!("'{}'", p.as_str()))
        .collect();
    list.join(", ")
}

/// The condition picking the demographic rows of `audience`.
fn demographic_condition() -> String {
    format!(
        "account_id IN (SELECT id FROM accounts WHERE platform NOT IN ({}))",
        non_demographic_platforms()
    )
}

/// Writes an audit line inside `tx`.
async fn audit_in(
    tx: &mut Tx,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, outcome, detail) VALUES ($1, $2, $3, $4, 'ok', $5)"
    )
    .bind(to_db(at))
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(())
}

/// Whether the workspace has an active audience consent, read inside a write transaction.
/// On PostgreSQL the consent row is share-locked, so a withdrawal (which updates it first)
/// waits for this batch and then deletes what it wrote, or this batch waits for the
/// withdrawal and sees it; on SQLite the write lock already orders them.
pub(crate) async fn consent_active_in(tx: &mut Tx) -> Result<bool, StoreError> {
    let sql = match tx.engine() {
        Engine::Sqlite => "SELECT id FROM audience_consents WHERE withdrawn_at IS NULL",
        Engine::Postgres => "SELECT id FROM audience_consents WHERE withdrawn_at IS NULL FOR SHARE",
    };
    let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(sql).fetch_optional(&mut *c).await?);
    Ok(id.is_some())
}

impl Store {
    /// The active audience consent, `None` when none was given or it was withdrawn.
    pub async fn audience_consent(&self) -> Result<Option<AudienceConsent>, StoreError> {
        let sql = format!("SELECT {CONSENT_COLUMNS} FROM audience_consents WHERE withdrawn_at IS NULL");
        let line: Option<ConsentLine> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_optional(p).await?);
        line.map(consent_from).transpose()
    }

    /// Every grant, active or withdrawn, newest first (the consent record).
    pub async fn audience_consents(&self) -> Result<Vec<AudienceConsent>, StoreError> {
        let sql = format!("SELECT {CONSENT_COLUMNS} FROM audience_consents ORDER BY id DESC");
        let lines: Vec<ConsentLine> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        lines.into_iter().map(consent_from).collect()
    }

    /// Records the workspace's consent to collect demographic data: `text` as shown,
    /// agreed to by `by` at `at` (UTC), with a `privacy-consent-grant` audit line. When a
    /// consent is already active it is returned unchanged (nothing written).
    ///
    /// Errors: store errors.
    pub async fn grant_audience_consent(
        &self,
        text: &ConsentText<'_>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<AudienceConsent, StoreError> {
        if let Some(active) = self.audience_consent().await? {
            return Ok(active);
        }
        let mut tx = self.pool.begin_write().await?;
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO audience_consents (text_version, language, text, granted_by, granted_at)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(text.version)
        .bind(text.language)
        .bind(text.text)
        .bind(by)
        .bind(to_db(at))
        .execute(&mut *c)
        .await?
        .rows_affected());
        audit_in(
            &mut tx,
            at,
            by,
            "privacy-consent-grant",
            Some("audience"),
            &format!("{} ({})", text.version, text.language),
        )
        .await?;
        tx.commit().await?;
        self.audience_consent().await?.ok_or(StoreError::NotFound {
            what: "audience consent",
            id: 0,
        })
    }

    /// Withdraws the active audience consent: in ONE transaction, marks it withdrawn by
    /// `by` at `at` (UTC), deletes every demographic `audience` row of the workspace and
    /// writes a `privacy-consent-withdraw` audit line with the count. From then on batches
    /// store no demographic row. Returns the rows deleted, `None` when no consent was active
    /// (nothing written).
    ///
    /// Errors: store errors (nothing is changed).
    pub async fn withdraw_audience_consent(&self, by: &str, at: DateTime<Utc>) -> Result<Option<u64>, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        // The update comes first: on PostgreSQL it waits for batches holding the consent
        // row, so the delete below sees what they wrote.
        let withdrawn: Option<i64> = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "UPDATE audience_consents SET withdrawn_by = $1, withdrawn_at = $2 WHERE withdrawn_at IS NULL RETURNING id"
        )
        .bind(by)
        .bind(to_db(at))
        .fetch_optional(&mut *c)
        .await?
        });
        let Some(consent_id) = withdrawn else {
            return Ok(None);
        };
        let sql = format!("DELETE FROM audience WHERE {}", demographic_condition());
        let deleted = on_tx!(&mut tx, |c| sqlx::query(&sql).execute(&mut *c).await?.rows_affected());
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE audience_consents SET rows_deleted = $1 WHERE id = $2"
        )
        .bind(deleted as i64)
        .bind(consent_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
        audit_in(
            &mut tx,
            at,
            by,
            "privacy-consent-withdraw",
            Some("audience"),
            &format!("{deleted} audience rows deleted"),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(deleted))
    }

    /// Days archived raw responses are kept (`workspace_settings.raw_retention_days`);
    /// `None` (the default) keeps them forever.
    pub async fn raw_retention_days(&self) -> Result<Option<u32>, StoreError> {
        let days: Option<Option<i64>> = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT raw_retention_days FROM workspace_settings WHERE id = 1"
        )
        .fetch_optional(p)
        .await?);
        Ok(days.flatten().and_then(|d| u32::try_from(d).ok()))
    }

    /// Sets how many days raw responses are kept (`None`: forever), by `by` at `at` (UTC),
    /// with a `privacy-retention` audit line. Nothing is deleted here: the next run (or
    /// [`Store::prune_raw_responses`]) does.
    ///
    /// Errors: [`StoreError::Invalid`] for 0 days; store errors.
    pub async fn set_raw_retention_days(
        &self,
        days: Option<u32>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if days == Some(0) {
            return Err(StoreError::Invalid {
                what: "raw retention",
                value: "0 days".into(),
                expected: "at least 1 day, or none to keep raw responses forever",
            });
        }
        let mut tx = self.pool.begin_write().await?;
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO workspace_settings (id, raw_retention_days, updated_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET raw_retention_days = excluded.raw_retention_days,
                 updated_at = excluded.updated_at"
        )
        .bind(days.map(i64::from))
        .bind(to_db(at))
        .execute(&mut *c)
        .await?
        .rows_affected());
        let detail = match days {
            Some(d) => format!("raw responses kept {d} days"),
            None => "raw responses kept forever".to_string(),
        };
        audit_in(&mut tx, at, by, "privacy-retention", Some("raw_responses"), &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies the retention setting at `now` (UTC): deletes the raw responses whose
    /// latest fetch (`last_fetched_at`) is more than `raw_retention_days` days before
    /// `now`, writing a `privacy-prune` audit line (actor `by`) when any went. Returns the
    /// rows deleted; 0 when responses are kept forever.
    ///
    /// Errors: store errors.
    pub async fn prune_raw_responses(&self, now: DateTime<Utc>, by: &str) -> Result<u64, StoreError> {
        let Some(days) = self.raw_retention_days().await? else {
            return Ok(0);
        };
        let cutoff = now - Duration::days(i64::from(days));
        let mut tx = self.pool.begin_write().await?;
        let deleted = on_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM raw_responses WHERE last_fetched_at < $1"
        )
        .bind(to_db(cutoff))
        .execute(&mut *c)
        .await?
        .rows_affected());
        if deleted > 0 {
            audit_in(
                &mut tx,
                now,
                by,
                "privacy-prune",
                Some("raw_responses"),
                &format!(
                    "{deleted} raw responses last fetched before {} deleted ({days} days kept)",
                    to_db(cutoff)
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// Deletes account `account_id` and everything of it, as
    /// [`Store::delete_account_data`], and writes a `privacy-delete` audit line (actor `by`,
    /// subject `label`, the account as the user knows it) in the same transaction.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account; store errors.
    pub async fn delete_account_logged(
        &self,
        account_id: i64,
        label: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let done = on_tx!(&mut tx, |c| sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(account_id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        crate::error::touched_one(done, "account", account_id)?;
        audit_in(
            &mut tx,
            at,
            by,
            "privacy-delete",
            Some(label),
            &format!("account {account_id}: every row and its token deleted"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens the rows of `table` (one of [`ACCOUNT_TABLES`]) that belong to account
    /// `account_id`, to read page by page with [`AccountTableReader::next_page`].
    ///
    /// Errors: [`StoreError::Invalid`] for a table not in [`ACCOUNT_TABLES`]; store errors.
    pub async fn account_table(&self, table: &str, account_id: i64) -> Result<AccountTableReader, StoreError> {
        let spec = ACCOUNT_TABLES
            .iter()
            .find(|t| t.name == table)
            .ok_or_else(|| StoreError::Invalid {
                what: "table",
                value: table.to_string(),
                expected: "a table of an account's export (ACCOUNT_TABLES)",
            })?;
        let shape = self.table_shape(spec.name).await?;
        let keep: Vec<usize> = shape
            .columns
            .iter()
            .enumerate()
            .filter(|(_, (n, _))| !spec.omit.contains(&n.as_str()))
            .map(|(i, _)| i)
            .collect();
        let columns = keep.iter().map(|&i| shape.columns[i].0.clone()).collect();
        Ok(AccountTableReader {
            spec,
            shape,
            keep,
            columns,
            account_id,
            after: None,
            done: false,
        })
    }
}

/// One table of an account's export: its name, the condition picking the account's rows
/// (`$S` is the account id) and the columns left out.
#[derive(Debug)]
pub struct AccountTable {
    /// The table.
    pub name: &'static str,
    /// SQL condition on the table's rows; `$S` stands for `accounts.id`.
    scope: &'static str,
    /// Columns never exported (the name of the account's vault entry).
    omit: &'static [&'static str],
}

const BY_ACCOUNT: &str = "account_id = $S";
const BY_POST: &str = "post_id IN (SELECT id FROM posts WHERE account_id = $S)";

/// Every table holding rows of one account, in the order an export writes them. Not
/// listed: `sealed_tokens` (secrets), `leases` (workers), `app_credentials`,
/// `campaigns` and the people of a served workspace (workspace-wide, not about the
/// account).
pub const ACCOUNT_TABLES: &[AccountTable] = &[
    AccountTable {
        name: "accounts",
        scope: "id = $S",
        omit: &["vault_key"],
    },
    AccountTable {
        name: "posts",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "post_metrics",
        scope: BY_POST,
        omit: &[],
    },
    AccountTable {
        name: "account_metrics",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "audience",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "schedules",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "post_refresh",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "collection_runs",
        scope: "id IN (SELECT run_id FROM run_accounts WHERE account_id = $S)",
        omit: &[],
    },
    AccountTable {
        name: "run_accounts",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "run_events",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "raw_responses",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "campaign_accounts",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "campaign_posts",
        scope: BY_POST,
        omit: &[],
    },
    AccountTable {
        name: "campaign_costs",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "campaign_conversions",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "imports",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "import_conflicts",
        scope: "import_id IN (SELECT id FROM imports WHERE account_id = $S)",
        omit: &[],
    },
    AccountTable {
        name: "comments",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "comment_reads",
        scope: BY_POST,
        omit: &[],
    },
    AccountTable {
        name: "competitors",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "voice_counts",
        scope: BY_ACCOUNT,
        omit: &[],
    },
    AccountTable {
        name: "webhook_events",
        scope: "platform = (SELECT platform FROM accounts WHERE id = $S)
                AND account_ref = (SELECT external_id FROM accounts WHERE id = $S)",
        omit: &[],
    },
];

/// Reads one table's rows of one account in key order, a page at a time (see
/// [`Store::account_table`]). Each cell is JSON: numbers, text, `null`; booleans as 0 / 1;
/// `raw_responses.body` (stored zlib-compressed) as its decompressed text, other binary
/// values as lower-case hex.
#[derive(Debug)]
pub struct AccountTableReader {
    spec: &'static AccountTable,
    shape: TableShape,
    keep: Vec<usize>,
    columns: Vec<String>,
    account_id: i64,
    after: Option<Vec<Value>>,
    done: bool,
}

impl AccountTableReader {
    /// The table.
    pub fn table(&self) -> &'static str {
        self.spec.name
    }

    /// The exported columns, in catalog order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The next page of at most `limit` rows (each as [`Self::columns`]), `None` once all
    /// were read.
    ///
    /// Errors: store errors.
    pub async fn next_page(
        &mut self,
        store: &Store,
        limit: usize,
    ) -> Result<Option<Vec<Vec<serde_json::Value>>>, StoreError> {
        if self.done {
            return Ok(None);
        }
        // `$S` may appear several times: each occurrence is the same bound parameter.
        let rows = store
            .read_rows_where(
                self.spec.name,
                &self.shape,
                self.after.as_deref(),
                limit.max(1),
                Some((self.spec.scope, self.account_id)),
            )
            .await?;
        if rows.len() < limit.max(1) {
            self.done = true;
        }
        if let Some(last) = rows.last() {
            self.after = Some(key_of(&self.shape, last));
        }
        if rows.is_empty() {
            return Ok(None);
        }
        let body_column = (self.spec.name == "raw_responses")
            .then(|| self.shape.columns.iter().position(|(n, _)| n == "body"))
            .flatten();
        Ok(Some(
            rows.into_iter()
                .map(|row| {
                    self.keep
                        .iter()
                        .map(|&i| cell(&row[i], self.shape.columns[i].1, Some(i) == body_column))
                        .collect()
                })
                .collect(),
        ))
    }
}

/// One stored value as JSON (see [`AccountTableReader`]).
fn cell(value: &Value, kind: Kind, zlib_text: bool) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Real(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Text(s) => serde_json::Value::from(s.as_str()),
        Value::Bytes(b) if zlib_text && kind == Kind::Bytes => {
            let mut text = Vec::new();
            match flate2::read::ZlibDecoder::new(b.as_slice()).read_to_end(&mut text) {
                Ok(_) => serde_json::Value::from(String::from_utf8_lossy(&text).into_owned()),
                Err(_) => serde_json::Value::from(hex::encode(b)),
            }
        }
        Value::Bytes(b) => serde_json::Value::from(hex::encode(b)),
    }
}
