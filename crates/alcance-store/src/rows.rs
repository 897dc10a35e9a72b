//! Rows the store returns and the small argument structs it takes.

use crate::time::{DbTime, DbTimeOpt};
use alcance_core::{AccountRef, AccountStatus, ContentType, EventLevel, MetricKey, Platform, RunKind, RunStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of `accounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    /// `accounts.id`, the store's own id (foreign key of every per-account table).
    pub id: i64,
    /// Platform, the platform's id (`user_id` in exports), handle and owned flag.
    pub account: AccountRef,
    /// Display name from the last profile read.
    pub display_name: Option<String>,
    /// Active, needing re-authorization, paused or disconnected.
    pub status: AccountStatus,
    /// The NAME of the OS keychain entry holding the token; never the token itself.
    pub vault_key: Option<String>,
    /// When the last successful collection was saved ([`crate::Store::save_batch`]), UTC.
    pub last_collected_at: Option<DateTime<Utc>>,
}

/// One row of `app_credentials`: a user's developer-app settings for a platform. The secret
/// itself lives in the keychain; only whether one exists is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCredentialsRow {
    /// The platform the app is registered with.
    pub platform: Platform,
    /// The OAuth client id (public).
    pub client_id: String,
    /// The registered redirect URI (loopback `http://127.0.0.1:PORT/callback`, deep link, ...).
    pub redirect_uri: String,
    /// `true` when a client secret is held in the keychain.
    pub has_secret: bool,
}

/// Which rows a read returns. The default (every list empty, no bounds) returns everything.
/// Lists are alternatives (OR within a list), fields are combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowFilter {
    /// Keep these platforms only.
    pub platforms: Vec<Platform>,
    /// Keep these accounts only (`accounts.id`).
    pub account_ids: Vec<i64>,
    /// Keep these accounts only, by the platform's account id (`user_id` in exports).
    pub external_ids: Vec<String>,
    /// Inclusive lower bound, UTC: on `period_start` for account metric rows, on
    /// `collected_at` for post metric and audience rows, on `published_at` for posts.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound, UTC, on the same column as `since`.
    pub until: Option<DateTime<Utc>>,
    /// Keep these catalog metric keys only (account and post metric rows; ignored by
    /// [`crate::Store::posts`] and [`crate::Store::audience_rows`]). Keys the catalog does
    /// not know are matched as given.
    pub metrics: Vec<MetricKey>,
}

/// How many rows one [`crate::Store::save_batch`] wrote or updated in each table. A row
/// whose only change is a bumped `last_seen_at` counts as updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveStats {
    /// `account_metrics` rows inserted or updated.
    pub account_metrics: usize,
    /// `posts` rows inserted or updated (including placeholder posts created for metrics of
    /// posts the batch did not list).
    pub posts: usize,
    /// `post_metrics` rows inserted or updated.
    pub post_metrics: usize,
    /// `audience` rows inserted or updated.
    pub audience: usize,
    /// `raw_responses` rows inserted or seen again.
    pub raw: usize,
    /// `run_events` rows inserted (gaps and warnings).
    pub events: usize,
    /// `post_media` rows inserted or updated (the posts' media URLs).
    #[serde(default)]
    pub media: usize,
}

impl SaveStats {
    /// Metric rows written or updated: account metrics + post metrics + audience.
    pub fn metrics(&self) -> usize {
        self.account_metrics + self.post_metrics + self.audience
    }
}

/// The per-run tallies written by [`crate::Store::finish_run`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RunCounts {
    /// Accounts the run tried.
    pub accounts_total: i64,
    /// Accounts whose batch was saved.
    pub accounts_ok: i64,
    /// Accounts that failed.
    pub accounts_failed: i64,
    /// Metric rows written or updated (sum of [`SaveStats::metrics`]).
    pub metrics_written: i64,
}

/// One row of `collection_runs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RunRow {
    /// `collection_runs.id`.
    pub id: i64,
    /// Demo, manual or scheduled.
    pub kind: RunKind,
    /// Running or paused until it ends, then ok, partial, failed or cancelled.
    pub status: RunStatus,
    /// Start, UTC.
    #[sqlx(try_from = "DbTime")]
    pub started_at: DateTime<Utc>,
    /// End, UTC; `None` while running (or when the process died mid-run).
    #[sqlx(try_from = "DbTimeOpt")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Tallies written by [`crate::Store::finish_run`] (zero until then).
    #[sqlx(flatten)]
    pub counts: RunCounts,
}

/// One row of `run_events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RunEventRow {
    /// `run_events.id` (insertion order).
    pub id: i64,
    /// The run it belongs to.
    pub run_id: i64,
    /// The account it is about, if any (`NULL` once that account is deleted).
    pub account_id: Option<i64>,
    /// When it happened, UTC.
    #[sqlx(try_from = "DbTime")]
    pub at: DateTime<Utc>,
    /// Severity; `gap` rows are [`alcance_core::DataGap`]s.
    pub level: EventLevel,
    /// Stable machine code (`metric_removed`, `http_500`, ...).
    pub code: String,
    /// Human message, secrets redacted.
    pub message: String,
}

/// One row of `posts`, with its account's identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostRow {
    /// `posts.id`.
    pub id: i64,
    /// `accounts.id` of the owning account.
    pub account_id: i64,
    /// The platform's account id (`user_id` in exports).
    pub user_id: String,
    /// The account's handle.
    pub username: Option<String>,
    /// Platform.
    pub platform: Platform,
    /// The platform's post id.
    pub external_id: String,
    /// Content type; `Other("unknown")` for a placeholder created from metrics alone.
    pub content_type: ContentType,
    /// Publication time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Public link.
    pub permalink: Option<String>,
    /// Caption or text.
    pub caption: Option<String>,
    /// First collection that saw the post, UTC.
    pub first_seen_at: DateTime<Utc>,
    /// Latest collection that saw the post, UTC.
    pub last_seen_at: DateTime<Utc>,
}

/// One row of `audience`: a demographic breakdown cell for one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceRow {
    /// `accounts.id`.
    pub account_id: i64,
    /// The platform's account id (`user_id` in exports).
    pub user_id: String,
    /// The account's handle.
    pub username: Option<String>,
    /// Platform.
    pub platform: Platform,
    /// `followers` or `engaged_audience`.
    pub audience: String,
    /// Breakdown dimension(s): `age`, `gender`, `country`, `city`, or several joined by `,`.
    pub dimension: String,
    /// The dimension value(s) (`"18-24,F"`).
    pub key: String,
    /// Count of accounts in the slice; `None` when the platform sent a non-finite number.
    pub value: Option<f64>,
    /// Platform timeframe (`this_month`, `lifetime`, ...).
    pub timeframe: String,
    /// Latest collection of this cell on that UTC day, UTC.
    pub collected_at: DateTime<Utc>,
}

/// Row count of every table, for tests and the demo summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TableCounts {
    /// `accounts`.
    pub accounts: i64,
    /// `app_credentials`.
    pub app_credentials: i64,
    /// `posts`.
    pub posts: i64,
    /// `post_metrics`.
    pub post_metrics: i64,
    /// `account_metrics`.
    pub account_metrics: i64,
    /// `audience`.
    pub audience: i64,
    /// `raw_responses`.
    pub raw_responses: i64,
    /// `collection_runs`.
    pub collection_runs: i64,
    /// `run_events`.
    pub run_events: i64,
}
