//! The API's JSON bodies, documented field by field for the OpenAPI description. They are
//! built from `alcance-app`'s views, so the API shows what the desktop screens show.
//!
//! Conventions: times are UTC, RFC 3339 (`2025-05-01T14:00:00Z`); days are UTC
//! `YYYY-MM-DD`; counts are plain JSON numbers; rates are percent 0–100; a value the
//! platforms never served is `null`, never 0; ids are the store's integer ids.

use alcance_app::views::{
    AccountPermissions, AccountView, Kpi, MetricValueView, PeriodView, PostMetricValueView, PostView, RunEventView,
    RunView,
};
use alcance_app::{AccountId, AccountStatus, CadenceKind, ConnectionKind, Platform, PostId, RunId, RunKind, RunStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// A string schema with a closed set of values.
pub(crate) fn string_enum(values: &[&str], description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().map(|v| (*v).to_string())))
        .into()
}

/// The platform keys, as every answer writes them.
fn platform_schema() -> RefOr<Schema> {
    let keys: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
    string_enum(&keys, "The platform, by its lower-case key.")
}

fn account_status_schema() -> RefOr<Schema> {
    string_enum(
        &["active", "needs_reauth", "paused", "disconnected"],
        "Collection status: `active` (collected on schedule), `needs_reauth` (the platform refused the token: \
         connect again), `paused`, `disconnected` (token removed, data kept).",
    )
}

fn connection_schema() -> RefOr<Schema> {
    // From the type's own keys, so that a new way of connecting cannot be left out.
    let keys: Vec<&str> = ConnectionKind::ALL.iter().map(|k| k.as_str()).collect();
    string_enum(
        &keys,
        "How the account is connected: `oauth` (owned, through OAuth), `token` (an owned WhatsApp Business account, \
         through a system-user token), `app_password` (an owned Bluesky account, through an app password) or \
         `tracked` (a public profile, collected with an owner's token).",
    )
}

fn cadence_schema() -> RefOr<Schema> {
    string_enum(
        &["hourly", "daily", "weekly", "custom"],
        "Collection cadence (`daily` when the account has no schedule yet).",
    )
}

fn token_schema() -> RefOr<Schema> {
    string_enum(
        &[
            "ok",
            "expires_soon",
            "expired",
            "missing",
            "needs_reauth",
            "paused",
            "disconnected",
            "unavailable",
        ],
        "Health of the token the account collects with: `ok`; `expires_soon` (no refresh token, expires within \
         7 days); `expired`, `missing`, `needs_reauth` (connect again); `paused`; `disconnected`; `unavailable` \
         (the server could not read its token vault).",
    )
}

fn run_kind_schema() -> RefOr<Schema> {
    string_enum(
        &["demo", "manual", "scheduled"],
        "What started the run: the demo, a user (Sync now, `alcance collect --now`) or the scheduler.",
    )
}

fn run_status_schema() -> RefOr<Schema> {
    string_enum(
        &["running", "paused", "ok", "partial", "failed", "cancelled"],
        "How the run stands: `running`, `paused` (resumable), then `ok` (every account saved), `partial`, `failed` \
         (no account saved) or `cancelled`.",
    )
}

fn kpi_key_schema() -> RefOr<Schema> {
    string_enum(
        &["followers", "interactions", "views", "engagement_rate", "posts"],
        "Which KPI: `followers` (sum of each account's latest follower count before the period's end), \
         `interactions` (likes + comments + replies + reposts + quotes + saves + shares gained in the period), \
         `views` (views, or impressions where a post has none, gained in the period), `engagement_rate` \
         (interactions ÷ views × 100), `posts` (published in the period).",
    )
}

fn kpi_unit_schema() -> RefOr<Schema> {
    string_enum(
        &["count", "percent"],
        "Unit of the values: a whole `count`, or `percent` 0–100.",
    )
}

/// One account (social profile) of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// The account id (`user_id` in `/api/v1/metrics`).
    #[schema(value_type = i64, example = 1)]
    pub id: AccountId,
    /// The platform.
    #[schema(schema_with = platform_schema)]
    pub platform: Platform,
    /// The platform's own id of the account.
    pub external_id: String,
    /// Handle without `@`; `null` where the platform has none (WhatsApp).
    pub username: Option<String>,
    /// Display name from the last profile read.
    pub display_name: Option<String>,
    /// `"@username (Platform)"`, or the display name where there is no handle.
    pub label: String,
    /// `true` when connected by its owner, `false` for a tracked public profile.
    pub owned: bool,
    /// Collection status.
    #[schema(schema_with = account_status_schema)]
    pub status: AccountStatus,
    /// Last successful collection, UTC (RFC 3339); `null` before the first.
    pub last_collected_at: Option<DateTime<Utc>>,
    /// Latest follower count. A count; `null` when never read.
    pub followers: Option<f64>,
    /// Health of the token the account collects with.
    #[schema(schema_with = token_schema)]
    pub token: String,
    /// When that access token expires, UTC; `null` when no expiry is known.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// How the account is connected.
    #[schema(schema_with = connection_schema)]
    pub connection: ConnectionKind,
    /// Collection cadence.
    #[schema(schema_with = cadence_schema)]
    pub cadence: CadenceKind,
    /// The cadence's period, seconds (86 400 without a schedule).
    pub cadence_seconds: i64,
    /// When the scheduler collects it next, UTC; `null` without a schedule.
    pub next_run_at: Option<DateTime<Utc>>,
    /// The last collection failure as `code: message`; `null` after a success.
    pub last_error: Option<String>,
    /// The permissions (OAuth scopes) the connection was granted and the metrics a
    /// missing one leaves out.
    pub permissions: AccountPermissions,
}

impl From<AccountView> for Account {
    fn from(a: AccountView) -> Account {
        Account {
            id: a.id,
            platform: a.platform,
            external_id: a.external_id,
            username: a.username,
            display_name: a.display_name,
            label: a.label,
            owned: a.owned,
            status: a.status,
            last_collected_at: a.last_collected_at,
            followers: a.followers,
            token: serde_json::to_value(a.token)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            token_expires_at: a.token_expires_at,
            connection: a.connection,
            cadence: a.cadence,
            cadence_seconds: a.cadence_seconds,
            next_run_at: a.next_run_at,
            last_error: a.last_error,
            permissions: a.permissions,
        }
    }
}

/// One page of accounts, by id ascending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountPage {
    /// The accounts of this page.
    pub items: Vec<Account>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One post with its latest lifetime metrics (the last snapshot collected before the
/// end of the requested range, or the latest one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Post {
    /// The post id in the store.
    #[schema(value_type = i64, example = 42)]
    pub id: PostId,
    /// The account that published it (`/api/v1/accounts`).
    #[schema(value_type = i64, example = 1)]
    pub account_id: AccountId,
    /// The platform.
    #[schema(schema_with = platform_schema)]
    pub platform: Platform,
    /// `"@username (Platform)"` of the account.
    pub account_label: String,
    /// The platform's own id of the post.
    pub post_id: String,
    /// Content type: `text`, `image`, `video`, `carousel`, `reel`, `story`, `link`, ...
    pub content_type: String,
    /// Publication time, UTC (RFC 3339).
    pub published_at: Option<DateTime<Utc>>,
    /// Public link to the post.
    pub permalink: Option<String>,
    /// Caption or text, at most 280 characters (longer ones end with `…`).
    pub caption: Option<String>,
    /// Views (or impressions where the platform counts no views). A count.
    pub views: Option<f64>,
    /// Likes. A count.
    pub likes: Option<f64>,
    /// Comments + replies. A count.
    pub comments: Option<f64>,
    /// Shares + reposts + quotes. A count.
    pub shares: Option<f64>,
    /// Saves + bookmarks. A count.
    pub saves: Option<f64>,
    /// All interactions (likes, comments, replies, reposts, quotes, saves, shares). A count.
    pub interactions: Option<f64>,
    /// Interactions ÷ views × 100. Percent 0–100 (can exceed 100 on tiny view counts).
    pub engagement_rate: Option<f64>,
}

impl From<PostView> for Post {
    fn from(p: PostView) -> Post {
        Post {
            id: p.id,
            account_id: p.account_id,
            platform: p.platform,
            account_label: p.account_label,
            post_id: p.post_id,
            content_type: p.content_type,
            published_at: p.published_at,
            permalink: p.permalink,
            caption: p.caption,
            views: p.views,
            likes: p.likes,
            comments: p.comments,
            shares: p.shares,
            saves: p.saves,
            interactions: p.interactions,
            engagement_rate: p.engagement_rate,
        }
    }
}

/// One page of posts, newest first (posts without a publication time last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PostPage {
    /// The posts of this page.
    pub items: Vec<Post>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One snapshot of a post's lifetime metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PostMetricValue {
    /// The metric's catalog key: `likes`, `comments`, `replies`, `shares`, `reposts`,
    /// `quotes`, `saves`, `bookmarks`, `views`, `impressions`, `reach`, `video_views`,
    /// `watch_time_seconds`, ...
    #[schema(example = "likes")]
    pub metric_type: String,
    /// The post's lifetime total when read: a count (`*_seconds` metrics in seconds);
    /// `null` when the platform served no data (always present).
    #[schema(required = true)]
    pub value: Option<f64>,
    /// When Alcance read it, UTC (RFC 3339). The date filter applies to this field.
    pub collected_at: DateTime<Utc>,
}

impl From<PostMetricValueView> for PostMetricValue {
    fn from(m: PostMetricValueView) -> PostMetricValue {
        PostMetricValue {
            metric_type: m.metric_type,
            value: m.value,
            collected_at: m.collected_at,
        }
    }
}

/// One page of a post's metric snapshots, by metric then time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PostMetricPage {
    /// The snapshots of this page.
    pub items: Vec<PostMetricValue>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One collection run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Run {
    /// The run id.
    #[schema(value_type = i64, example = 7)]
    pub id: RunId,
    /// What started it.
    #[schema(schema_with = run_kind_schema)]
    pub kind: RunKind,
    /// How it stands.
    #[schema(schema_with = run_status_schema)]
    pub status: RunStatus,
    /// Start, UTC (RFC 3339).
    pub started_at: DateTime<Utc>,
    /// End, UTC; `null` while running.
    pub finished_at: Option<DateTime<Utc>>,
    /// Wall time, seconds; `null` while running.
    pub duration_seconds: Option<f64>,
    /// Accounts the run tried. A count.
    pub accounts_total: i64,
    /// Accounts whose data was saved. A count.
    pub accounts_ok: i64,
    /// Accounts that failed. A count.
    pub accounts_failed: i64,
    /// Metric values written or updated. A count.
    pub metrics_written: i64,
}

impl From<RunView> for Run {
    fn from(r: RunView) -> Run {
        Run {
            id: r.id,
            kind: r.kind,
            status: r.status,
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_seconds: r.duration_seconds,
            accounts_total: r.accounts_total,
            accounts_ok: r.accounts_ok,
            accounts_failed: r.accounts_failed,
            metrics_written: r.metrics_written,
        }
    }
}

/// One page of runs, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunPage {
    /// The runs of this page.
    pub items: Vec<Run>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

fn event_level_schema() -> RefOr<Schema> {
    string_enum(
        &["info", "warn", "gap", "error"],
        "Severity: `info` (progress), `warn`, `gap` (data a platform did not serve, e.g. a removed metric), \
         `error` (an account failed).",
    )
}

/// One event of a collection run (progress, data gap, warning, error).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunEvent {
    /// The event id, increasing in the order events happened.
    pub id: i64,
    /// When, UTC (RFC 3339).
    pub at: DateTime<Utc>,
    /// Severity.
    #[schema(schema_with = event_level_schema)]
    pub level: String,
    /// Stable machine code: `metric_removed`, `http_500`, `unauthorized`, `rate_limited`, ...
    pub code: String,
    /// What happened, in English (secrets redacted).
    pub message: String,
    /// The account it is about, as `"@username (Platform)"`; `null` for the run itself.
    #[schema(required = true)]
    pub account_label: Option<String>,
}

impl From<RunEventView> for RunEvent {
    fn from(e: RunEventView) -> RunEvent {
        RunEvent {
            id: e.id,
            at: e.at,
            level: key_text(&e.level),
            code: e.code,
            message: e.message,
            account_label: e.account_label,
        }
    }
}

/// One page of a run's events, in the order they happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunEventPage {
    /// The events of this page.
    pub items: Vec<RunEvent>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A dashboard period and the one it is compared with (same length, just before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Period {
    /// Start, inclusive, UTC (RFC 3339).
    pub since: DateTime<Utc>,
    /// End, exclusive, UTC.
    pub until: DateTime<Utc>,
    /// Start of the previous period, inclusive, UTC.
    pub previous_since: DateTime<Utc>,
    /// End of the previous period (= `since`), exclusive, UTC.
    pub previous_until: DateTime<Utc>,
}

impl From<PeriodView> for Period {
    fn from(p: PeriodView) -> Period {
        Period {
            since: p.since,
            until: p.until,
            previous_since: p.previous_since,
            previous_until: p.previous_until,
        }
    }
}

/// One KPI tile: its value over the period, over the previous period and the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KpiValue {
    /// Which KPI.
    #[schema(schema_with = kpi_key_schema)]
    pub key: String,
    /// Unit of `value` and `previous`.
    #[schema(schema_with = kpi_unit_schema)]
    pub unit: String,
    /// Value over the period; `null` when no data covers it.
    pub value: Option<f64>,
    /// Value over the previous period; `null` when no data covers it.
    pub previous: Option<f64>,
    /// `(value − previous) ÷ previous × 100`, percent; `null` when either is missing or
    /// `previous` is 0.
    pub change_percent: Option<f64>,
}

/// The text of a serde unit enum (`"engagement_rate"`).
fn key_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<Kpi> for KpiValue {
    fn from(k: Kpi) -> KpiValue {
        KpiValue {
            key: key_text(&k.key),
            unit: key_text(&k.unit),
            value: k.value,
            previous: k.previous,
            change_percent: k.change_percent,
        }
    }
}

/// The dashboard's KPI tiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Kpis {
    /// The period shown and the one it is compared with.
    pub period: Period,
    /// The tiles, in display order: followers, interactions, views, engagement_rate, posts.
    pub kpis: Vec<KpiValue>,
}

/// One stored metric value of an account, in the brief's long format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MetricValue {
    /// The metric's catalog key: `followers`, `reach`, `impressions`, `views`,
    /// `profile_views`, `link_clicks`, `messages_sent`, `watch_time_seconds`, ...
    #[schema(example = "followers")]
    pub metric_type: String,
    /// The value in the metric's unit: a count, except `*_seconds` metrics (seconds) and
    /// rates (percent 0–100); `null` when the platform served no data (always present).
    #[schema(required = true, example = 15230.0)]
    pub value: Option<f64>,
    /// When Alcance read the value, UTC (RFC 3339).
    pub collected_at: DateTime<Utc>,
    /// Start of the period the value covers, UTC (a snapshot's hour). The date filter
    /// applies to this field.
    pub period_start: DateTime<Utc>,
    /// End of the period, UTC (equal to `period_start` for a snapshot such as `followers`).
    pub period_end: DateTime<Utc>,
}

impl From<MetricValueView> for MetricValue {
    fn from(m: MetricValueView) -> MetricValue {
        MetricValue {
            metric_type: m.metric_type,
            value: m.value,
            collected_at: m.collected_at,
            period_start: m.period_start,
            period_end: m.period_end,
        }
    }
}

/// The answer of `/api/v1/metrics`: exactly `{"metrics": [...]}`, plus `next_cursor` only
/// when more values remain than `limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Metrics {
    /// The values, ordered by `metric_type`, `period_start`, `period_end`, `collected_at`.
    pub metrics: Vec<MetricValue>,
    /// Present only when more values remain: pass as `cursor` for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The answer of `/healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`: the process answers.
    #[schema(example = "ok")]
    pub status: String,
}

/// The answer of `/readyz` when ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `ready`.
    #[schema(example = "ready")]
    pub status: String,
    /// The database engine: `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub engine: String,
    /// The newest schema migration applied to the database.
    pub applied_migration: i64,
    /// The newest schema migration this server knows (equal when current).
    pub latest_migration: i64,
}
