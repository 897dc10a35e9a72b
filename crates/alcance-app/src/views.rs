//! UI-facing queries: what the desktop app's screens show, computed from an open
//! [`Workspace`] in one call each.
//!
//! - [`dashboard`]: KPI tiles with period-over-period change, the follower-growth and
//!   engagement-trend charts and the best-time heatmap as SVG (rendered by
//!   `alcance-report`, so the UI, reports and exports show the same picture) and the top
//!   posts.
//! - [`posts`]: the posts table, each post with its latest lifetime metrics.
//! - [`runs`] and [`run_events`]: the collection log.
//! - [`accounts`]: the accounts with their token health, how they are connected and their
//!   collection schedule.
//! - [`export_range`]: CSV / JSON / XLSX of a date range into a folder of the workspace.
//!
//! Conventions: every time is UTC (`DateTime<Utc>`, serialized as RFC 3339) except the
//! best-time heatmap's weekdays and hours, which are local to [`ViewFilter::time_zone`]; counts are
//! plain numbers (`f64`, as stored); rates are percent 0–100; a value the platforms never
//! served is `None`, never 0. Platforms are their lower-case keys (`"x"`, `"instagram"`).
//! With the `specta` feature every type here derives `specta::Type` for the desktop
//! shell's generated TypeScript bindings.

use crate::workspace::Workspace;
use alcance_core::analytics::best_time::{best_time, BestTimeOptions, Normalization, Tz};
use alcance_core::analytics::posts::{latest_post_metrics, published_in, TimeRange};
use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
use alcance_platforms::oauth::TokenSet;
use alcance_platforms::vault::{TokenVault, VaultError};
use alcance_report::chart::{render_svg_with, ChartText, LineChart, DEFAULT_NO_DATA, DEFAULT_X_LABEL};
use alcance_report::heatmap::{
    post_engagements, render_best_time_svg, HeatmapChart, BEST_TIME_EXCLUDES, DEFAULT_HOUR_LABEL, DEFAULT_TITLE,
    ENGLISH_WEEKDAYS,
};
use alcance_report::series::{account_label, engagement_trend, follower_growth, FRESH_POST_HOURS, INTERACTION_METRICS};
use alcance_store::{AccountRow, RowFilter};
use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Length of the default dashboard period when the filter gives no `since`: 30 days.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;
/// Chart size the dashboard renders, pixels (width × height).
pub const CHART_SIZE: (u32, u32) = (560, 360);
/// Posts the dashboard lists as top posts.
pub const TOP_POSTS: usize = 5;
/// Best-time slots the dashboard lists ([`DashboardView::best_time_slots`]).
pub const BEST_SLOTS: usize = 3;
/// Posts a best-time slot needs before the dashboard colors and ranks it.
pub const BEST_TIME_MIN_POSTS: u32 = 2;
/// Cadence of an account without a `schedules` row.
pub const DEFAULT_CADENCE: &str = "daily";
/// Period of [`DEFAULT_CADENCE`], seconds.
pub const DEFAULT_CADENCE_SECONDS: i64 = 86_400;
/// Longest caption a [`PostView`] carries, in characters (longer ones end with `…`).
pub const CAPTION_MAX_CHARS: usize = 280;
/// A token without a refresh token that expires within this many days is
/// [`TokenHealth::ExpiresSoon`].
pub const EXPIRES_SOON_DAYS: i64 = 7;

/// Invalid input to a view (the UI sent something no query can answer).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// A platform key that is not `x`, `facebook`, `instagram`, `whatsapp` or `tiktok`.
    #[error("unknown platform {0:?} (expected one of x, facebook, instagram, whatsapp, tiktok)")]
    UnknownPlatform(String),
    /// `since` is not before `until`.
    #[error("the date range is empty: {since} is not before {until}")]
    EmptyRange {
        /// Start, UTC.
        since: DateTime<Utc>,
        /// End, UTC.
        until: DateTime<Utc>,
    },
    /// No run with this id.
    #[error("collection run {0} not found")]
    RunNotFound(i64),
    /// A time zone that is not an IANA name (`America/Sao_Paulo`, `UTC`, ...).
    #[error("unknown time zone {0:?} (expected an IANA name such as America/Sao_Paulo or UTC)")]
    UnknownTimeZone(String),
}

/// What the screens filter on. The default (everything empty) means every platform,
/// every account and, for the dashboard, the last [`DEFAULT_PERIOD_DAYS`] days.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewFilter {
    /// Platform keys to keep (`"x"`, `"instagram"`, ...); empty = all.
    pub platforms: Vec<String>,
    /// Store ids of the accounts to keep (`accounts.id`); empty = all.
    pub account_ids: Vec<i64>,
    /// Inclusive start, UTC. The dashboard defaults it to `until` − 30 days.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive end, UTC. The dashboard defaults it to "now".
    pub until: Option<DateTime<Utc>>,
    /// IANA time zone of the best-time heatmap's weekdays and hours (the UI passes the
    /// browser's, e.g. `"America/Sao_Paulo"`); `None` (or blank) = UTC. Missing in the
    /// payload = `None` (serde's rule for `Option` fields).
    pub time_zone: Option<String>,
}

impl ViewFilter {
    /// The store filter of these accounts (no time bounds, no metric restriction).
    ///
    /// Errors: [`ViewError::UnknownPlatform`].
    pub fn accounts_filter(&self) -> Result<RowFilter, ViewError> {
        let platforms = self
            .platforms
            .iter()
            .map(|p| p.parse::<Platform>().map_err(|_| ViewError::UnknownPlatform(p.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RowFilter {
            platforms,
            account_ids: self.account_ids.clone(),
            ..RowFilter::default()
        })
    }

    /// The time zone of [`ViewFilter::time_zone`]: UTC when `None` or blank.
    ///
    /// Errors: [`ViewError::UnknownTimeZone`] naming a zone that is not an IANA name.
    pub fn zone(&self) -> Result<Tz, ViewError> {
        match self.time_zone.as_deref().map(str::trim) {
            None | Some("") => Ok(Tz::UTC),
            Some(name) => name
                .parse::<Tz>()
                .map_err(|_| ViewError::UnknownTimeZone(name.to_string())),
        }
    }

    /// The period this filter selects: `until` (default `now`) and `since` (default
    /// `until` − [`DEFAULT_PERIOD_DAYS`] days), with the previous period of the same length
    /// ending at `since`.
    ///
    /// Errors: [`ViewError::EmptyRange`] when `since` is not before `until`.
    pub fn period(&self, now: DateTime<Utc>) -> Result<PeriodView, ViewError> {
        let until = self.until.unwrap_or(now);
        let since = self.since.unwrap_or(until - Duration::days(DEFAULT_PERIOD_DAYS));
        if since >= until {
            return Err(ViewError::EmptyRange { since, until });
        }
        let length = until - since;
        Ok(PeriodView {
            since,
            until,
            previous_since: since - length,
            previous_until: since,
        })
    }
}

/// A dashboard period and the one before it (same length, ending where this one starts).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodView {
    /// Inclusive start, UTC.
    pub since: DateTime<Utc>,
    /// Exclusive end, UTC.
    pub until: DateTime<Utc>,
    /// Inclusive start of the previous period, UTC.
    pub previous_since: DateTime<Utc>,
    /// Exclusive end of the previous period (= `since`), UTC.
    pub previous_until: DateTime<Utc>,
}

/// Which KPI a tile shows.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiKey {
    /// Followers at the end of the period: the sum over accounts of each one's latest
    /// `followers` snapshot (X `public_metrics.followers_count`, Instagram
    /// `followers_count`) taken before the period's end. A count.
    Followers,
    /// Interactions gained in the period: likes + comments + replies + reposts + quotes +
    /// saves + shares, as the increase of the posts' lifetime totals (the engagement
    /// trend's daily gains, summed). A count.
    Interactions,
    /// Views gained in the period: the increase of each post's `views` (Instagram) or,
    /// where a post has none, `impressions` (X `impression_count`). A count.
    Views,
    /// Engagement rate: interactions ÷ views × 100 over the period. Percent 0–100.
    EngagementRate,
    /// Posts published in the period. A count.
    Posts,
}

/// The unit of a KPI value.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiUnit {
    /// A whole count.
    Count,
    /// A percentage, 0–100.
    Percent,
}

/// One KPI tile: the value over the period, the value over the previous period and the
/// change between them.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpi {
    /// Which KPI.
    pub key: KpiKey,
    /// Unit of `value` and `previous`.
    pub unit: KpiUnit,
    /// Value over the period; `None` when no data covers it.
    pub value: Option<f64>,
    /// Value over the previous period; `None` when no data covers it.
    pub previous: Option<f64>,
    /// Relative change `(value − previous) ÷ previous × 100`, percent; `None` when either
    /// side is missing or `previous` is 0.
    pub change_percent: Option<f64>,
}

impl Kpi {
    fn new(key: KpiKey, unit: KpiUnit, value: Option<f64>, previous: Option<f64>) -> Kpi {
        let change_percent = match (value, previous) {
            (Some(v), Some(p)) if p != 0.0 && v.is_finite() && p.is_finite() => Some((v - p) / p.abs() * 100.0),
            _ => None,
        };
        Kpi {
            key,
            unit,
            value,
            previous,
            change_percent,
        }
    }
}

/// Titles and axis labels the charts are drawn with, in the UI's language. The fields
/// added after the first release (`date_axis` … `weekdays`) take their English default
/// when a payload leaves them out.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartLabels {
    /// Title of the follower-growth chart ("Follower growth").
    pub follower_title: String,
    /// Y axis of the follower-growth chart ("Followers").
    pub follower_y: String,
    /// Title of the engagement-trend chart ("Engagement trend").
    pub engagement_title: String,
    /// Y axis of the engagement-trend chart ("Interactions per day").
    pub engagement_y: String,
    /// X axis of the line charts ("Date (UTC)"; the axis is UTC whatever it says).
    #[serde(default = "default_date_axis")]
    pub date_axis: String,
    /// Text of a chart with nothing to draw ("No data yet").
    #[serde(default = "default_no_data")]
    pub no_data: String,
    /// Title of the best-time heatmap ("Best time to post").
    #[serde(default = "default_best_time_title")]
    pub best_time_title: String,
    /// Hour axis of the heatmap ("Hour"); the dashboard appends the zone: "Hour (UTC)".
    #[serde(default = "default_hour_axis")]
    pub hour_axis: String,
    /// Seven short weekday names, Monday first (`["Mon", "Tue", …]`); any other count
    /// draws the English names.
    #[serde(default = "default_weekdays")]
    pub weekdays: Vec<String>,
}

fn default_date_axis() -> String {
    DEFAULT_X_LABEL.to_string()
}
fn default_no_data() -> String {
    DEFAULT_NO_DATA.to_string()
}
fn default_best_time_title() -> String {
    DEFAULT_TITLE.to_string()
}
fn default_hour_axis() -> String {
    DEFAULT_HOUR_LABEL.to_string()
}
fn default_weekdays() -> Vec<String> {
    ENGLISH_WEEKDAYS.iter().map(|d| (*d).to_string()).collect()
}

impl Default for ChartLabels {
    fn default() -> Self {
        ChartLabels {
            follower_title: "Follower growth".into(),
            follower_y: "Followers".into(),
            engagement_title: "Engagement trend".into(),
            engagement_y: "Interactions per day".into(),
            date_axis: default_date_axis(),
            no_data: default_no_data(),
            best_time_title: default_best_time_title(),
            hour_axis: default_hour_axis(),
            weekdays: default_weekdays(),
        }
    }
}

/// One of the best slots of the best-time heatmap.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BestSlotView {
    /// Local weekday, 0 = Monday … 6 = Sunday (in [`DashboardView::best_time_zone`]).
    pub weekday: u32,
    /// Local hour, 0–23 (the slot covers `hour:00`–`hour:59`).
    pub hour: u32,
    /// Mean engagement rate of the slot's posts (interactions ÷ views × 100 per post, as
    /// [`PostView::engagement_rate`]). Percent 0–100.
    pub mean: f64,
    /// Posts published in the slot in the period. A count (≥ [`BEST_TIME_MIN_POSTS`]).
    pub posts: u32,
}

/// Everything the dashboard shows.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    /// The period shown and the one it is compared with.
    pub period: PeriodView,
    /// Tiles, in display order: followers, interactions, views, engagement rate, posts.
    pub kpis: Vec<Kpi>,
    /// Follower growth over the period: a standalone SVG document, [`CHART_SIZE`] px.
    pub follower_growth_svg: String,
    /// Engagement trend (interactions gained per UTC day) over the period: SVG.
    pub engagement_trend_svg: String,
    /// Points plotted in the follower-growth chart (0 = "No data yet").
    pub follower_points: u32,
    /// Points plotted in the engagement-trend chart.
    pub engagement_points: u32,
    /// Up to [`TOP_POSTS`] posts with the most interactions gained in the period.
    pub top_posts: Vec<PostView>,
    /// Best time to post: heatmap of weekday × hour (local to `best_time_zone`) of the
    /// mean engagement rate per post published in the period (stories left out; a slot
    /// needs [`BEST_TIME_MIN_POSTS`] posts). SVG, [`CHART_SIZE`] px.
    pub best_time_svg: String,
    /// IANA name of the heatmap's time zone (`"UTC"` when the filter gives none).
    pub best_time_zone: String,
    /// Up to [`BEST_SLOTS`] best slots, best first (ties: more posts, then earlier in the
    /// week).
    pub best_time_slots: Vec<BestSlotView>,
    /// Posts counted in the heatmap (published in the period, with an engagement rate,
    /// not stories). 0 = the SVG says "no data".
    pub best_time_posts: u32,
}

/// One post with its latest lifetime metrics (the last snapshot before the filter's
/// `until`, or the latest one).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostView {
    /// `posts.id`.
    pub id: i64,
    /// `accounts.id` of the account that published it.
    pub account_id: i64,
    /// Platform key.
    pub platform: String,
    /// `"@username (Platform)"` (see `alcance_report::series::account_label`).
    pub account_label: String,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key (`text`, `image`, `video`, `carousel`, `reel`, `story`, ...).
    pub content_type: String,
    /// Publication time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Public link (X `https://x.com/i/web/status/{id}`, Instagram `permalink`).
    pub permalink: Option<String>,
    /// Caption or text, at most [`CAPTION_MAX_CHARS`] characters.
    pub caption: Option<String>,
    /// Views (Instagram `views`) or, where a post has none, impressions (X
    /// `impression_count`). A count.
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
    /// Interactions gained in the filter's period (dashboard top posts; equal to
    /// `interactions` in the posts table).
    pub interactions_gained: Option<f64>,
}

/// One collection run.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    /// `collection_runs.id`.
    pub id: i64,
    /// `demo`, `manual` or `scheduled`.
    pub kind: String,
    /// `running`, `ok`, `partial`, `failed` or `cancelled`.
    pub status: String,
    /// Start, UTC.
    pub started_at: DateTime<Utc>,
    /// End, UTC (`None` while running).
    pub finished_at: Option<DateTime<Utc>>,
    /// Wall time, seconds (`None` while running).
    pub duration_seconds: Option<f64>,
    /// Accounts the run tried.
    pub accounts_total: i64,
    /// Accounts whose batch was saved.
    pub accounts_ok: i64,
    /// Accounts that failed.
    pub accounts_failed: i64,
    /// Metric values written or updated.
    pub metrics_written: i64,
}

/// One event of a run (progress, data gap, warning, error).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEventView {
    /// `run_events.id`.
    pub id: i64,
    /// When, UTC.
    pub at: DateTime<Utc>,
    /// `info`, `warn`, `gap` or `error`.
    pub level: String,
    /// Stable machine code (`metric_removed`, `http_500`, `unauthorized`, ...).
    pub code: String,
    /// Human message (secrets redacted by the store).
    pub message: String,
    /// The account it is about, as `"@username (Platform)"`.
    pub account_label: Option<String>,
}

/// Whether an account's token can still collect.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenHealth {
    /// A token is stored and valid (no expiry, a refresh token, or more than
    /// [`EXPIRES_SOON_DAYS`] days left).
    Ok,
    /// No refresh token and the access token expires within [`EXPIRES_SOON_DAYS`] days.
    ExpiresSoon,
    /// No refresh token and the access token has expired: reconnect.
    Expired,
    /// No token is stored for the account: reconnect.
    Missing,
    /// The platform refused the token (HTTP 401, Meta error 190): reconnect.
    NeedsReauth,
    /// Collection is paused for this account.
    Paused,
    /// The account was disconnected.
    Disconnected,
    /// The vault could not be read (locked keychain, wrong passphrase).
    Unavailable,
}

/// One account for the accounts screen and the filters.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    /// `accounts.id`.
    pub id: i64,
    /// Platform key.
    pub platform: String,
    /// The platform's account id.
    pub external_id: String,
    /// Handle without `@`.
    pub username: Option<String>,
    /// Display name from the last profile read.
    pub display_name: Option<String>,
    /// `"@username (Platform)"`.
    pub label: String,
    /// `true` when connected through OAuth, `false` for a tracked public profile.
    pub owned: bool,
    /// `active`, `needs_reauth`, `paused` or `disconnected`.
    pub status: String,
    /// Last successful collection, UTC.
    pub last_collected_at: Option<DateTime<Utc>>,
    /// Latest `followers` snapshot. A count.
    pub followers: Option<f64>,
    /// Health of the token the account collects with (its own, or its owner's).
    pub token: TokenHealth,
    /// When that access token expires, UTC (`None`: no expiry known).
    pub token_expires_at: Option<DateTime<Utc>>,
    /// How the account is connected: `oauth` (owned, through OAuth), `token` (an owned
    /// WhatsApp Business account, through a system-user access token) or `tracked` (a
    /// public profile, not owned).
    pub connection: String,
    /// Collection cadence: `hourly`, `daily`, `weekly` or `custom` (`daily` when the
    /// account has no schedule yet).
    pub cadence: String,
    /// The cadence's period, seconds (86 400 without a schedule).
    pub cadence_seconds: i64,
    /// When the scheduler collects it next, UTC (`None` without a schedule).
    pub next_run_at: Option<DateTime<Utc>>,
    /// The last collection failure as `code: message` (secrets redacted by the store);
    /// `None` after a success or before the first attempt.
    pub last_error: Option<String>,
}

/// One written export file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFileView {
    /// `csv`, `json` or `xlsx`.
    pub format: String,
    /// Absolute path.
    pub path: String,
    /// Size, bytes.
    pub bytes: u64,
}

/// What [`export_range`] wrote.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    /// The folder holding the files.
    pub folder: String,
    /// The files: account CSV, post CSV, JSON, XLSX.
    pub files: Vec<ExportFileView>,
}

/// A [`TokenVault`] that can be shared: hand one clone to [`Workspace::open`] and keep
/// another for [`accounts`]' token health.
#[derive(Clone)]
pub struct SharedVault(pub Arc<dyn TokenVault>);

impl TokenVault for SharedVault {
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError> {
        self.0.put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError> {
        self.0.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.0.delete(key)
    }
    fn kind(&self) -> &'static str {
        self.0.kind()
    }
}

/// The dashboard for `filter` at `now` (UTC): KPIs over the period and the previous one,
/// the two charts and the best-time heatmap (words from `labels`) and the top posts.
///
/// Errors: [`ViewError`] for a bad filter (platform, date range, time zone); store errors
/// (database unreadable).
pub async fn dashboard(
    ws: &Workspace,
    filter: &ViewFilter,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<DashboardView> {
    let period = filter.period(now)?;
    let base = filter.accounts_filter()?;
    let zone = filter.zone()?;
    let store = ws.store();
    let accounts = store.list_accounts().await?;
    let labels_by_account = account_labels(&accounts);

    // Follower snapshots up to the period's end (the KPI needs values before the previous
    // period too, the chart only the period itself).
    let account_rows = store
        .account_metric_rows(&RowFilter {
            until: Some(period.until),
            metrics: vec!["followers".into()],
            ..base.clone()
        })
        .await?;
    // Post snapshots from a day before the previous period (baselines) to the end.
    let post_rows = store
        .post_metric_rows(&RowFilter {
            since: Some(period.previous_since - Duration::days(2)),
            until: Some(period.until),
            ..base.clone()
        })
        .await?;
    let posts_now = store
        .posts(&RowFilter {
            since: Some(period.since),
            until: Some(period.until),
            ..base.clone()
        })
        .await?;
    let posts_before = store
        .posts(&RowFilter {
            since: Some(period.previous_since),
            until: Some(period.previous_until),
            ..base.clone()
        })
        .await?;

    let interactions = |since, until| gained(&post_rows, Pick::Interactions, since, until);
    let views = |since, until| gained(&post_rows, Pick::Views, since, until);
    let (i_now, i_prev) = (
        interactions(period.since, period.until),
        interactions(period.previous_since, period.previous_until),
    );
    let (v_now, v_prev) = (
        views(period.since, period.until),
        views(period.previous_since, period.previous_until),
    );
    let rate = |i: &Gains, v: &Gains| match (i.total(), v.total()) {
        (Some(i), Some(v)) if v > 0.0 => Some(i / v * 100.0),
        _ => None,
    };
    let kpis = vec![
        Kpi::new(
            KpiKey::Followers,
            KpiUnit::Count,
            followers_at(&account_rows, period.until),
            followers_at(&account_rows, period.since),
        ),
        Kpi::new(KpiKey::Interactions, KpiUnit::Count, i_now.total(), i_prev.total()),
        Kpi::new(KpiKey::Views, KpiUnit::Count, v_now.total(), v_prev.total()),
        Kpi::new(
            KpiKey::EngagementRate,
            KpiUnit::Percent,
            rate(&i_now, &v_now),
            rate(&i_prev, &v_prev),
        ),
        Kpi::new(
            KpiKey::Posts,
            KpiUnit::Count,
            Some(posts_now.len() as f64),
            Some(posts_before.len() as f64),
        ),
    ];

    // Charts over the period.
    let in_period: Vec<AccountMetricRow> = account_rows
        .into_iter()
        .filter(|r| r.period_start >= period.since)
        .collect();
    let mut followers_series = follower_growth(&in_period);
    let usernames: HashMap<(Platform, String), String> = accounts
        .iter()
        .filter_map(|a| {
            a.account
                .username
                .clone()
                .map(|u| ((a.account.platform, a.account.external_id.clone()), u))
        })
        .collect();
    let mut engagement_series = engagement_trend(&post_rows, &usernames);
    for s in &mut engagement_series {
        s.points.retain(|(t, _)| *t >= period.since && *t < period.until);
    }
    engagement_series.retain(|s| !s.points.is_empty());
    followers_series.retain(|s| !s.points.is_empty());
    let count = |series: &[alcance_report::chart::Series]| series.iter().map(|s| s.points.len() as u32).sum();
    let follower_points = count(&followers_series);
    let engagement_points = count(&engagement_series);
    let text = ChartText {
        x_label: labels.date_axis.clone(),
        no_data: labels.no_data.clone(),
    };
    let follower_growth_svg = render_svg_with(
        &LineChart {
            title: labels.follower_title.clone(),
            y_label: labels.follower_y.clone(),
            series: followers_series,
            width: CHART_SIZE.0,
            height: CHART_SIZE.1,
        },
        &text,
    )
    .context("rendering the follower-growth chart")?;
    let engagement_trend_svg = render_svg_with(
        &LineChart {
            title: labels.engagement_title.clone(),
            y_label: labels.engagement_y.clone(),
            series: engagement_series,
            width: CHART_SIZE.0,
            height: CHART_SIZE.1,
        },
        &text,
    )
    .context("rendering the engagement-trend chart")?;
    let best = best_time_of(&post_rows, &period, zone, labels)?;

    // Top posts: most interactions gained in the period.
    let all_posts = store.posts(&base).await?;
    let latest = latest_values(&post_rows, period.until);
    let mut top: Vec<PostView> = all_posts
        .iter()
        .filter_map(|p| {
            let key = (p.platform, p.user_id.clone(), p.external_id.clone());
            let gain = i_now.per_post.get(&key).copied().filter(|g| *g > 0.0)?;
            let mut view = post_view(p, latest.get(&key), &labels_by_account);
            view.interactions_gained = Some(gain);
            Some(view)
        })
        .collect();
    top.sort_by(|a, b| {
        b.interactions_gained
            .partial_cmp(&a.interactions_gained)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.id.cmp(&b.id))
    });
    top.truncate(TOP_POSTS);

    Ok(DashboardView {
        period,
        kpis,
        follower_growth_svg,
        engagement_trend_svg,
        follower_points,
        engagement_points,
        top_posts: top,
        best_time_svg: best.svg,
        best_time_zone: zone.name().to_string(),
        best_time_slots: best.slots,
        best_time_posts: best.posts,
    })
}

/// The dashboard's best-time heatmap, its best slots and the posts it counts.
struct BestTimeParts {
    svg: String,
    slots: Vec<BestSlotView>,
    posts: u32,
}

/// Best time over the posts published in `period` (`[since, until)`): each post's
/// engagement rate (as [`PostView::engagement_rate`], from its latest snapshot before
/// `until`) in the slot of its local weekday and hour in `zone`; stories left out; a slot
/// needs [`BEST_TIME_MIN_POSTS`] posts; values as given (rates are comparable across
/// accounts), no minimum post age.
fn best_time_of(
    post_rows: &[PostMetricRow],
    period: &PeriodView,
    zone: Tz,
    labels: &ChartLabels,
) -> Result<BestTimeParts> {
    // The rows were read with `collected_at < until` already; `as_of` keeps it so.
    let posts = latest_post_metrics(post_rows, Some(period.until));
    let range = TimeRange {
        start: period.since,
        end: period.until,
    };
    let engagements = post_engagements(published_in(&posts, range), &BEST_TIME_EXCLUDES, |p| {
        rates(|name| p.metric(name)).2
    });
    // The window only has to reach back to `since`: the posts are already the period's.
    let days = (period.until - period.since).num_seconds().div_euclid(86_400) + 1;
    let options = BestTimeOptions {
        window_days: u32::try_from(days).unwrap_or(u32::MAX),
        min_age_hours: 0,
        min_posts: BEST_TIME_MIN_POSTS,
        top: BEST_SLOTS,
        normalization: Normalization::None,
    };
    let best = best_time(&engagements, zone, period.until, &options);
    let svg = render_best_time_svg(
        &best,
        &HeatmapChart {
            title: labels.best_time_title.clone(),
            hour_label: format!("{} ({})", labels.hour_axis, zone.name()),
            no_data: labels.no_data.clone(),
            weekdays: labels.weekdays.clone(),
            unit: "%".to_string(),
            width: CHART_SIZE.0,
            height: CHART_SIZE.1,
        },
    )
    .context("rendering the best-time heatmap")?;
    let slots = best
        .top
        .iter()
        .filter_map(|s| {
            Some(BestSlotView {
                weekday: s.weekday.num_days_from_monday(),
                hour: s.hour,
                mean: s.mean?,
                posts: s.posts,
            })
        })
        .collect();
    Ok(BestTimeParts {
        svg,
        slots,
        posts: best.posts_used,
    })
}

/// The posts table: posts of the filtered accounts published in `[since, until)` (all
/// posts when unbounded), newest first, each with its latest metrics up to `until`.
///
/// Errors: [`ViewError`] for a bad filter; store errors.
pub async fn posts(ws: &Workspace, filter: &ViewFilter) -> Result<Vec<PostView>> {
    let base = filter.accounts_filter()?;
    let store = ws.store();
    let accounts = store.list_accounts().await?;
    let labels = account_labels(&accounts);
    let rows = store
        .posts(&RowFilter {
            since: filter.since,
            until: filter.until,
            ..base.clone()
        })
        .await?;
    let metric_rows = store
        .post_metric_rows(&RowFilter {
            until: filter.until,
            ..base
        })
        .await?;
    let latest = latest_values(&metric_rows, filter.until.unwrap_or(DateTime::<Utc>::MAX_UTC));
    let mut out: Vec<PostView> = rows
        .iter()
        .map(|p| {
            let key = (p.platform, p.user_id.clone(), p.external_id.clone());
            let mut v = post_view(p, latest.get(&key), &labels);
            v.interactions_gained = v.interactions;
            v
        })
        .collect();
    out.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id)));
    Ok(out)
}

/// The last `limit` collection runs, newest first (`limit` is clamped to 1..=1000).
///
/// Errors: store errors.
pub async fn runs(ws: &Workspace, limit: u32) -> Result<Vec<RunView>> {
    let rows = ws.store().last_runs(i64::from(limit.clamp(1, 1000))).await?;
    Ok(rows.into_iter().map(run_view).collect())
}

/// Run `run_id` (`collection_runs.id`). Errors: no such run; the store failed.
pub async fn run(ws: &Workspace, run_id: i64) -> Result<RunView> {
    Ok(run_view(ws.store().run(run_id).await?))
}

fn run_view(r: alcance_store::RunRow) -> RunView {
    RunView {
        id: r.id,
        kind: r.kind.to_string(),
        status: r.status.to_string(),
        started_at: r.started_at,
        finished_at: r.finished_at,
        duration_seconds: r
            .finished_at
            .map(|f| (f - r.started_at).num_milliseconds().max(0) as f64 / 1000.0),
        accounts_total: r.counts.accounts_total,
        accounts_ok: r.counts.accounts_ok,
        accounts_failed: r.counts.accounts_failed,
        metrics_written: r.counts.metrics_written,
    }
}

/// The events of run `run_id`, in the order they happened.
///
/// Errors: [`ViewError::RunNotFound`]; store errors.
pub async fn run_events(ws: &Workspace, run_id: i64) -> Result<Vec<RunEventView>> {
    let store = ws.store();
    if store.run(run_id).await.is_err() {
        return Err(ViewError::RunNotFound(run_id).into());
    }
    let labels = account_labels(&store.list_accounts().await?);
    Ok(store
        .run_events(run_id)
        .await?
        .into_iter()
        .map(|e| RunEventView {
            id: e.id,
            at: e.at,
            level: e.level.as_str().to_string(),
            code: e.code,
            message: e.message,
            account_label: e.account_id.and_then(|id| labels.get(&id).cloned()),
        })
        .collect())
}

/// Every account with its latest follower count and token health at `now`. `vault` is
/// the workspace's vault (see [`SharedVault`]); `None` reports every token as
/// [`TokenHealth::Unavailable`]. Tokens are read to check their expiry and never leave
/// this function.
///
/// Errors: store errors. Vault errors become [`TokenHealth::Unavailable`].
pub async fn accounts(ws: &Workspace, vault: Option<&dyn TokenVault>, now: DateTime<Utc>) -> Result<Vec<AccountView>> {
    let store = ws.store();
    let rows = store.list_accounts().await?;
    let schedules: HashMap<i64, alcance_store::schedule::ScheduleRow> = store
        .schedules()
        .await?
        .into_iter()
        .map(|s| (s.account_id, s))
        .collect();
    let followers = store
        .account_metric_rows(&RowFilter {
            metrics: vec!["followers".into()],
            ..RowFilter::default()
        })
        .await?;
    let mut latest: HashMap<(Platform, &str), (DateTime<Utc>, f64)> = HashMap::new();
    for r in followers.iter().filter(|r| r.period == Period::Snapshot) {
        let Some(v) = r.value.filter(|v| v.is_finite()) else {
            continue;
        };
        let slot = latest
            .entry((r.platform, r.user_id.as_str()))
            .or_insert((r.period_start, v));
        if r.period_start >= slot.0 {
            *slot = (r.period_start, v);
        }
    }
    Ok(rows
        .iter()
        .map(|a| {
            let (token, token_expires_at) = token_health(a, vault, now);
            let schedule = schedules.get(&a.id);
            AccountView {
                id: a.id,
                platform: a.account.platform.as_str().to_string(),
                external_id: a.account.external_id.clone(),
                username: a.account.username.clone(),
                display_name: a.display_name.clone(),
                label: row_label(a),
                owned: a.account.owned,
                status: a.status.to_string(),
                last_collected_at: a.last_collected_at,
                followers: latest
                    .get(&(a.account.platform, a.account.external_id.as_str()))
                    .map(|(_, v)| *v),
                token,
                token_expires_at,
                connection: connection_of(a.account.platform, a.account.owned).to_string(),
                cadence: schedule.map_or_else(|| DEFAULT_CADENCE.to_string(), |s| s.cadence.to_string()),
                cadence_seconds: schedule.map_or(DEFAULT_CADENCE_SECONDS, |s| s.every_seconds),
                next_run_at: schedule.map(|s| s.next_run_at),
                last_error: schedule.and_then(|s| s.last_error.clone()),
            }
        })
        .collect())
}

/// How an account is connected: `tracked` when not owned, `token` for an owned WhatsApp
/// Business account (system-user access token, no OAuth), else `oauth`.
pub fn connection_of(platform: Platform, owned: bool) -> &'static str {
    alcance_core::ConnectionKind::of(platform, owned).as_str()
}

/// The token health of one account at `now`, and its access token's expiry.
pub fn token_health(
    account: &AccountRow,
    vault: Option<&dyn TokenVault>,
    now: DateTime<Utc>,
) -> (TokenHealth, Option<DateTime<Utc>>) {
    match account.status.as_str() {
        "needs_reauth" => return (TokenHealth::NeedsReauth, None),
        "disconnected" => return (TokenHealth::Disconnected, None),
        _ => {}
    }
    let Some(vault) = vault else {
        return (TokenHealth::Unavailable, None);
    };
    let Some(key) = account.vault_key.as_deref() else {
        return (TokenHealth::Missing, None);
    };
    let tokens = match vault.get(key) {
        Ok(Some(json)) => match TokenSet::from_vault_json(&json) {
            Ok(t) => t,
            Err(_) => return (TokenHealth::Unavailable, None),
        },
        Ok(None) => return (TokenHealth::Missing, None),
        Err(_) => return (TokenHealth::Unavailable, None),
    };
    let health = match tokens.expires_at {
        _ if account.status == "paused" => TokenHealth::Paused,
        _ if tokens.refresh_token.is_some() => TokenHealth::Ok,
        None => TokenHealth::Ok,
        Some(at) if at <= now => TokenHealth::Expired,
        Some(at) if at - now <= Duration::days(EXPIRES_SOON_DAYS) => TokenHealth::ExpiresSoon,
        Some(_) => TokenHealth::Ok,
    };
    (health, tokens.expires_at)
}

/// Writes the CSV, JSON and XLSX exports of the filtered accounts over `[since, until)`
/// into `out_root/alcance-<since>_<until>/` (dates `YYYY-MM-DD`, UTC; `all` for an open
/// bound) and lists the files with their sizes.
///
/// Errors: [`ViewError`] for a bad filter; the folder is not writable; store errors.
pub async fn export_range(ws: &Workspace, filter: &ViewFilter, out_root: &Path) -> Result<ExportView> {
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        if since >= until {
            return Err(ViewError::EmptyRange { since, until }.into());
        }
    }
    let row_filter = RowFilter {
        since: filter.since,
        until: filter.until,
        ..filter.accounts_filter()?
    };
    let day = |t: Option<DateTime<Utc>>| t.map_or_else(|| "all".to_string(), |t| t.format("%Y-%m-%d").to_string());
    let folder = out_root.join(format!("alcance-{}_{}", day(filter.since), day(filter.until)));
    let paths = ws.export_all(&row_filter, &folder).await?;
    let file = |format: &str, path: &PathBuf| -> Result<ExportFileView> {
        let bytes = std::fs::metadata(path)
            .with_context(|| format!("reading the size of {}", path.display()))?
            .len();
        Ok(ExportFileView {
            format: format.to_string(),
            path: path.display().to_string(),
            bytes,
        })
    };
    Ok(ExportView {
        folder: folder.display().to_string(),
        files: vec![
            file("csv", &paths.account_csv)?,
            file("csv", &paths.post_csv)?,
            file("json", &paths.json)?,
            file("xlsx", &paths.xlsx)?,
        ],
    })
}

// ---------------------------------------------------------------------------------------

type PostKey = (Platform, String, String);
/// A post's publication time and its interaction totals over time (collected at, total).
type PostTotals = (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, f64)>);

fn account_labels(accounts: &[AccountRow]) -> HashMap<i64, String> {
    accounts.iter().map(|a| (a.id, row_label(a))).collect()
}

/// An account's label: `"@username (Platform)"`; an account without a handle (a WhatsApp
/// Business Account) by its display name, `"Alcance Atendimento (WhatsApp)"`, else its id.
fn row_label(a: &AccountRow) -> String {
    match (a.account.username.as_deref(), a.display_name.as_deref().map(str::trim)) {
        (None, Some(name)) if !name.is_empty() => format!("{name} ({})", a.account.platform.label()),
        _ => account_label(
            a.account.platform,
            &a.account.external_id,
            a.account.username.as_deref(),
        ),
    }
}

/// The sum over accounts of each one's latest `followers` snapshot with `period_start <
/// at`; `None` when no account has one.
fn followers_at(rows: &[AccountMetricRow], at: DateTime<Utc>) -> Option<f64> {
    // (platform, user id) → (period start, collected at, value) of the latest reading.
    type Latest<'a> = HashMap<(Platform, &'a str), (DateTime<Utc>, DateTime<Utc>, f64)>;
    let mut latest: Latest = HashMap::new();
    for r in rows {
        if r.metric_type != "followers" || r.period != Period::Snapshot || r.period_start >= at {
            continue;
        }
        let Some(v) = r.value.filter(|v| v.is_finite()) else {
            continue;
        };
        let slot = latest
            .entry((r.platform, r.user_id.as_str()))
            .or_insert((r.period_start, r.collected_at, v));
        if (r.period_start, r.collected_at) >= (slot.0, slot.1) {
            *slot = (r.period_start, r.collected_at, v);
        }
    }
    if latest.is_empty() {
        None
    } else {
        Some(latest.values().map(|(_, _, v)| v).sum())
    }
}

/// Which post metrics a gain is computed over.
#[derive(Clone, Copy)]
enum Pick {
    /// [`INTERACTION_METRICS`], summed.
    Interactions,
    /// `views` where the post has any, else `impressions`.
    Views,
}

/// Gains of each post over a window.
struct Gains {
    per_post: HashMap<PostKey, f64>,
}

impl Gains {
    fn total(&self) -> Option<f64> {
        if self.per_post.is_empty() {
            None
        } else {
            Some(self.per_post.values().sum())
        }
    }
}

/// Per post, the lifetime total of the picked metrics at each snapshot time (each metric
/// carried forward from its latest snapshot), sorted by time.
fn post_totals(rows: &[PostMetricRow], pick: Pick) -> BTreeMap<PostKey, PostTotals> {
    let uses_views: std::collections::HashSet<PostKey> = match pick {
        Pick::Views => rows
            .iter()
            .filter(|r| r.metric_type == "views" && r.value.is_some_and(f64::is_finite))
            .map(|r| (r.platform, r.user_id.clone(), r.post_id.clone()))
            .collect(),
        Pick::Interactions => Default::default(),
    };
    type Readings = BTreeMap<PostKey, (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, usize, f64)>)>;
    let mut readings: Readings = BTreeMap::new();
    for r in rows {
        let key = (r.platform, r.user_id.clone(), r.post_id.clone());
        let slot = match pick {
            Pick::Interactions => INTERACTION_METRICS.iter().position(|m| *m == r.metric_type),
            Pick::Views => {
                let wanted = if uses_views.contains(&key) {
                    "views"
                } else {
                    "impressions"
                };
                (r.metric_type == wanted).then_some(0)
            }
        };
        let (Some(slot), Some(value)) = (slot, r.value.filter(|v| v.is_finite())) else {
            continue;
        };
        let entry = readings.entry(key).or_insert((r.published_at, Vec::new()));
        entry.1.push((r.collected_at, slot, value));
    }
    readings
        .into_iter()
        .map(|(key, (published, mut snaps))| {
            snaps.sort_by_key(|s| s.0);
            let mut latest = [None::<f64>; INTERACTION_METRICS.len()];
            let mut totals: Vec<(DateTime<Utc>, f64)> = Vec::new();
            for (at, slot, value) in snaps {
                latest[slot] = Some(value);
                let total: f64 = latest.iter().flatten().sum();
                match totals.last_mut() {
                    Some(last) if last.0 == at => last.1 = total,
                    _ => totals.push((at, total)),
                }
            }
            (key, (published, totals))
        })
        .collect()
}

/// What each post gained over `[since, until)`: its total at the last snapshot before
/// `until` minus its total at the last snapshot before `since`. A post first seen inside
/// the window counts from 0 when it was fresh then (published at most
/// [`FRESH_POST_HOURS`] before its first snapshot, the engagement trend's rule), else from
/// its first snapshot. Negative gains clamp to 0. Posts with no snapshot in the window are
/// left out.
fn gained(rows: &[PostMetricRow], pick: Pick, since: DateTime<Utc>, until: DateTime<Utc>) -> Gains {
    let mut per_post = HashMap::new();
    for (key, (published, totals)) in post_totals(rows, pick) {
        let Some(end) = totals.iter().rev().find(|(t, _)| *t < until) else {
            continue;
        };
        if end.0 < since {
            continue;
        }
        let baseline = match totals.iter().rev().find(|(t, _)| *t < since) {
            Some((_, v)) => *v,
            None => {
                let Some(first) = totals.iter().find(|(t, _)| *t >= since) else {
                    continue;
                };
                let fresh = published.is_some_and(|p| first.0 - p <= Duration::hours(FRESH_POST_HOURS));
                if fresh {
                    0.0
                } else {
                    first.1
                }
            }
        };
        per_post.insert(key, (end.1 - baseline).max(0.0));
    }
    Gains { per_post }
}

/// Per post and metric, the latest value collected before `until`.
fn latest_values(rows: &[PostMetricRow], until: DateTime<Utc>) -> HashMap<PostKey, HashMap<String, f64>> {
    let mut stamped: HashMap<PostKey, HashMap<String, (DateTime<Utc>, f64)>> = HashMap::new();
    for r in rows {
        if r.collected_at >= until {
            continue;
        }
        let Some(v) = r.value.filter(|v| v.is_finite()) else {
            continue;
        };
        let metrics = stamped
            .entry((r.platform, r.user_id.clone(), r.post_id.clone()))
            .or_default();
        let slot = metrics.entry(r.metric_type.clone()).or_insert((r.collected_at, v));
        if r.collected_at >= slot.0 {
            *slot = (r.collected_at, v);
        }
    }
    stamped
        .into_iter()
        .map(|(k, m)| (k, m.into_iter().map(|(name, (_, v))| (name, v)).collect()))
        .collect()
}

fn post_view(
    p: &alcance_store::PostRow,
    metrics: Option<&HashMap<String, f64>>,
    labels: &HashMap<i64, String>,
) -> PostView {
    let get = |names: &[&str]| -> Option<f64> {
        let m = metrics?;
        let values: Vec<f64> = names.iter().filter_map(|n| m.get(*n).copied()).collect();
        if values.is_empty() {
            None
        } else {
            Some(values.iter().sum())
        }
    };
    let (views, interactions, engagement_rate) = rates(|name| metrics.and_then(|m| m.get(name).copied()));
    PostView {
        id: p.id,
        account_id: p.account_id,
        platform: p.platform.as_str().to_string(),
        account_label: labels
            .get(&p.account_id)
            .cloned()
            .unwrap_or_else(|| account_label(p.platform, &p.user_id, p.username.as_deref())),
        post_id: p.external_id.clone(),
        content_type: p.content_type.as_key().to_string(),
        published_at: p.published_at,
        permalink: p.permalink.clone(),
        caption: p.caption.as_deref().map(truncate_caption),
        views,
        likes: get(&["likes"]),
        comments: get(&["comments", "replies"]),
        shares: get(&["shares", "reposts", "quotes"]),
        saves: get(&["saves", "bookmarks"]),
        interactions,
        engagement_rate,
        interactions_gained: None,
    }
}

/// A post's views (`views`, else `impressions`), interactions (the sum of the
/// [`INTERACTION_METRICS`] it has) and engagement rate (interactions ÷ views × 100,
/// percent; `None` without both or with 0 views), from its latest value of each metric.
fn rates(metric: impl Fn(&str) -> Option<f64>) -> (Option<f64>, Option<f64>, Option<f64>) {
    let sum = |names: &[&str]| -> Option<f64> {
        let values: Vec<f64> = names.iter().filter_map(|n| metric(n)).collect();
        if values.is_empty() {
            None
        } else {
            Some(values.iter().sum())
        }
    };
    let views = sum(&["views"]).or_else(|| sum(&["impressions"]));
    let interactions = sum(&INTERACTION_METRICS);
    let rate = match (interactions, views) {
        (Some(i), Some(v)) if v > 0.0 => Some(i / v * 100.0),
        _ => None,
    };
    (views, interactions, rate)
}

fn truncate_caption(caption: &str) -> String {
    if caption.chars().count() <= CAPTION_MAX_CHARS {
        caption.to_string()
    } else {
        let cut: String = caption.chars().take(CAPTION_MAX_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::WorkspaceOptions;
    use alcance_core::{AccountMetric, AccountRef, CollectionBatch, ContentType, PostMetric, PostRecord};
    use alcance_platforms::vault::{vault_key, MemoryVault};
    use alcance_platforms::Endpoints;
    use chrono::TimeZone;
    use secrecy::ExposeSecret;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).single().unwrap_or_default()
    }

    async fn workspace(dir: &Path) -> Workspace {
        let base = url::Url::parse("http://127.0.0.1:9/").unwrap_or_else(|_| unreachable!());
        Workspace::open(
            dir,
            WorkspaceOptions {
                endpoints: Endpoints::sandbox(&base),
                vault: Box::new(MemoryVault::new()),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("open: {e:#}"))
    }

    /// Stores the owned X account `@acme` (id 42) and returns its `accounts.id`.
    async fn acme(ws: &Workspace) -> i64 {
        let account = AccountRef {
            platform: Platform::X,
            external_id: "42".into(),
            username: Some("acme".into()),
            owned: true,
        };
        ws.store()
            .upsert_account(&account, Some("Acme"), Some(&vault_key(Platform::X, "42")))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// One X account: followers 1000 + 10·d on days 1..=20; post "p1" published on day 2
    /// with likes 5·(d−1) and impressions 100·(d−1) from day 2 on; post "p2" published on
    /// day 12 with likes 2·(d−11) and impressions 50·(d−11).
    async fn seed(ws: &Workspace) -> i64 {
        let store = ws.store();
        let id = acme(ws).await;
        for d in 1..=20u32 {
            let at = day(d);
            let run = store.start_run("manual", at).await.unwrap_or_else(|e| panic!("{e}"));
            let mut batch = CollectionBatch {
                account_metrics: vec![AccountMetric {
                    metric: "followers".into(),
                    period: Period::Snapshot,
                    period_start: at,
                    period_end: at,
                    value: Some(1000.0 + 10.0 * f64::from(d)),
                }],
                ..CollectionBatch::default()
            };
            for (post, published, likes, imps) in [("p1", 2u32, 5.0, 100.0), ("p2", 12, 2.0, 50.0)] {
                if d < published {
                    continue;
                }
                let age = f64::from(d - published + 1);
                batch.posts.push(PostRecord {
                    external_id: post.into(),
                    published_at: Some(day(published) - Duration::hours(1)),
                    content_type: ContentType::Text,
                    permalink: Some(format!("https://x.com/i/web/status/{post}")),
                    caption: Some(format!("post {post}")),
                });
                batch.post_metrics.push(PostMetric {
                    post_external_id: post.into(),
                    metric: "likes".into(),
                    value: Some(likes * age),
                });
                batch.post_metrics.push(PostMetric {
                    post_external_id: post.into(),
                    metric: "impressions".into(),
                    value: Some(imps * age),
                });
            }
            store
                .save_batch(run, id, at, &batch, &[])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            store
                .finish_run(
                    run,
                    "ok",
                    at + Duration::minutes(1),
                    &alcance_store::RunCounts::default(),
                )
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        id
    }

    fn midnight(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).single().unwrap_or_default()
    }

    #[tokio::test]
    async fn dashboard_kpis_compare_the_period_with_the_previous_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        seed(&ws).await;
        // Period: days 11..=20 (10 days); previous: days 1..=10.
        let filter = ViewFilter {
            since: Some(midnight(11)),
            until: Some(midnight(21)),
            ..ViewFilter::default()
        };
        let view = dashboard(&ws, &filter, &ChartLabels::default(), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(view.period.previous_since, midnight(1));
        let kpi = |k: KpiKey| {
            view.kpis
                .iter()
                .find(|x| x.key == k)
                .cloned()
                .unwrap_or_else(|| panic!("{k:?}"))
        };
        // Followers at the end: day 20 → 1200; at the start (last before day 11): day 10 → 1100.
        let f = kpi(KpiKey::Followers);
        assert_eq!((f.value, f.previous), (Some(1200.0), Some(1100.0)));
        let change = f.change_percent.unwrap_or_default();
        assert!((change - 100.0 / 11.0).abs() < 1e-9, "{change}");
        // p1 likes: day 10 → 45, day 20 → 95: +50 in the period; p2 is fresh on day 12
        // (published an hour before) and reaches 2·9 = 18 on day 20: +18.
        // Previous period: p1 fresh on day 2, 45 by day 10.
        let i = kpi(KpiKey::Interactions);
        assert_eq!((i.value, i.previous), (Some(68.0), Some(45.0)));
        // Impressions: p1 +1000, p2 +450; previous: 900.
        let v = kpi(KpiKey::Views);
        assert_eq!((v.value, v.previous), (Some(1450.0), Some(900.0)));
        let r = kpi(KpiKey::EngagementRate);
        assert_eq!(r.unit, KpiUnit::Percent);
        assert!((r.value.unwrap_or_default() - 68.0 / 1450.0 * 100.0).abs() < 1e-9);
        let p = kpi(KpiKey::Posts);
        assert_eq!((p.value, p.previous), (Some(1.0), Some(1.0)));
        // The interactions KPI is the sum of the engagement trend's daily gains.
        let rows = ws
            .store()
            .post_metric_rows(&RowFilter::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let trend: f64 = engagement_trend(&rows, &HashMap::new())
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|(t, _)| *t >= midnight(11) && *t < midnight(21))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(trend, 68.0);
        // Charts have data and carry the given titles; top posts are ranked by gain.
        assert_eq!(view.follower_points, 10);
        assert_eq!(view.engagement_points, 10);
        assert!(view.follower_growth_svg.starts_with("<svg"));
        assert!(view.follower_growth_svg.contains("Follower growth"));
        assert!(!view.engagement_trend_svg.contains("No data yet"));
        let top: Vec<(&str, Option<f64>)> = view
            .top_posts
            .iter()
            .map(|p| (p.post_id.as_str(), p.interactions_gained))
            .collect();
        assert_eq!(top, vec![("p1", Some(50.0)), ("p2", Some(18.0))]);
        assert_eq!(view.top_posts[0].likes, Some(95.0));
        ws.close().await;
    }

    #[tokio::test]
    async fn an_empty_workspace_has_empty_kpis_and_no_data_charts() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        let view = dashboard(&ws, &ViewFilter::default(), &ChartLabels::default(), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(view.period.until, day(25));
        assert_eq!(view.period.since, day(25) - Duration::days(DEFAULT_PERIOD_DAYS));
        for k in &view.kpis {
            if k.key == KpiKey::Posts {
                assert_eq!(k.value, Some(0.0));
            } else {
                assert_eq!(k.value, None, "{:?}", k.key);
            }
            assert_eq!(k.change_percent, None);
        }
        assert!(view.engagement_trend_svg.contains("No data yet"));
        assert_eq!(view.follower_points + view.engagement_points, 0);
        assert!(view.top_posts.is_empty());
        ws.close().await;
    }

    #[tokio::test]
    async fn bad_filters_are_view_errors() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        let bad = ViewFilter {
            platforms: vec!["myspace".into()],
            ..ViewFilter::default()
        };
        let e = dashboard(&ws, &bad, &ChartLabels::default(), day(5)).await.err();
        assert!(matches!(
            e.as_ref().and_then(|e| e.downcast_ref::<ViewError>()),
            Some(ViewError::UnknownPlatform(p)) if p == "myspace"
        ));
        let empty = ViewFilter {
            since: Some(day(5)),
            until: Some(day(5)),
            ..ViewFilter::default()
        };
        let e = export_range(&ws, &empty, dir.path()).await.err();
        assert!(matches!(
            e.as_ref().and_then(|e| e.downcast_ref::<ViewError>()),
            Some(ViewError::EmptyRange { .. })
        ));
        let e = run_events(&ws, 999).await.err();
        assert!(matches!(
            e.as_ref().and_then(|e| e.downcast_ref::<ViewError>()),
            Some(ViewError::RunNotFound(999))
        ));
        ws.close().await;
    }

    #[tokio::test]
    async fn posts_runs_accounts_and_exports() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        let id = seed(&ws).await;

        let all = posts(&ws, &ViewFilter::default())
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        let ids: Vec<&str> = all.iter().map(|p| p.post_id.as_str()).collect();
        assert_eq!(ids, vec!["p2", "p1"], "newest first");
        let p1 = &all[1];
        assert_eq!(
            (p1.likes, p1.views, p1.interactions),
            (Some(95.0), Some(1900.0), Some(95.0))
        );
        assert!((p1.engagement_rate.unwrap_or_default() - 5.0).abs() < 1e-9);
        assert_eq!(p1.account_label, "@acme (X)");
        // Metrics as of an earlier `until`.
        let early = posts(
            &ws,
            &ViewFilter {
                until: Some(midnight(11)),
                ..ViewFilter::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(early.len(), 1);
        assert_eq!(early[0].likes, Some(45.0));
        let none = posts(
            &ws,
            &ViewFilter {
                platforms: vec!["instagram".into()],
                ..ViewFilter::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(none.is_empty());

        let r = runs(&ws, 5).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].started_at, day(20));
        assert_eq!(r[0].duration_seconds, Some(60.0));
        let events = run_events(&ws, r[0].id).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(events.iter().all(|e| !e.message.is_empty()));

        // Token health from a vault the test controls.
        let vault = MemoryVault::new();
        let at = |v: &[AccountView]| v.iter().find(|a| a.id == id).map(|a| (a.token, a.followers));
        let list = accounts(&ws, Some(&vault), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(at(&list), Some((TokenHealth::Missing, Some(1200.0))));
        let json = |expires: DateTime<Utc>, refresh: bool| {
            TokenSet {
                access_token: SecretString::from("secret-token".to_string()),
                refresh_token: refresh.then(|| SecretString::from("secret-refresh".to_string())),
                expires_at: Some(expires),
                scope: None,
                user_id: None,
            }
            .to_vault_json()
        };
        let key = vault_key(Platform::X, "42");
        for (expires, refresh, want) in [
            (day(24), false, TokenHealth::Expired),
            (day(27), false, TokenHealth::ExpiresSoon),
            (day(24) + Duration::days(30), false, TokenHealth::Ok),
            (day(24), true, TokenHealth::Ok),
        ] {
            vault
                .put(&key, &json(expires, refresh))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(vault
                .get(&key)
                .ok()
                .flatten()
                .is_some_and(|s| s.expose_secret().contains("secret-token")));
            let list = accounts(&ws, Some(&vault), day(25))
                .await
                .unwrap_or_else(|e| panic!("{e:#}"));
            assert_eq!(at(&list).map(|a| a.0), Some(want), "{expires} refresh={refresh}");
            let text = serde_json::to_string(&list).unwrap_or_default();
            assert!(!text.contains("secret-"), "a token leaked into the view");
        }
        ws.store()
            .set_account_status(id, "needs_reauth")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let list = accounts(&ws, None, day(25)).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(at(&list).map(|a| a.0), Some(TokenHealth::NeedsReauth));

        let out = dir.path().join("exports");
        let export = export_range(
            &ws,
            &ViewFilter {
                since: Some(midnight(11)),
                until: Some(midnight(21)),
                ..ViewFilter::default()
            },
            &out,
        )
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(export.folder.ends_with("alcance-2026-03-11_2026-03-21"));
        let formats: Vec<&str> = export.files.iter().map(|f| f.format.as_str()).collect();
        assert_eq!(formats, vec!["csv", "csv", "json", "xlsx"]);
        for f in &export.files {
            assert!(f.bytes > 0 && Path::new(&f.path).is_file(), "{f:?}");
        }
        let csv = std::fs::read_to_string(&export.files[0].path).unwrap_or_default();
        assert!(
            csv.contains("2026-03-15") && !csv.contains("2026-03-05"),
            "range applied:\n{csv}"
        );
        let xlsx = std::fs::read(&export.files[3].path).unwrap_or_default();
        assert_eq!(&xlsx[..2], b"PK", "an XLSX is a zip file");
        ws.close().await;
    }

    fn at(d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, min, 0).single().unwrap_or_default()
    }

    /// One X account with posts of known engagement rates (likes ÷ impressions × 100),
    /// all collected on 2026-03-20 12:00 UTC:
    /// - Tue 03-03 15:00 (10 %) and Tue 03-10 15:30 (20 %): slot Tue 15 h UTC, mean 15 %;
    /// - Wed 03-04 09:00 (5 %) and Wed 03-11 09:10 (7 %): slot Wed 9 h UTC, mean 6 %;
    /// - Thu 03-05 12:00 (50 %): alone in its slot, so no mean;
    /// - two stories on Fridays 10:00 (90 %): left out;
    /// - Tue 02-24 15:00 (99 %): before the period;
    /// - Mon 03-02 08:00 with likes but no impressions: no rate.
    async fn seed_best_time(ws: &Workspace) -> i64 {
        let store = ws.store();
        let id = acme(ws).await;
        let old = Utc.with_ymd_and_hms(2026, 2, 24, 15, 0, 0).single().unwrap_or_default();
        let posts = [
            ("a1", at(3, 15, 0), ContentType::Text, 10.0, Some(100.0)),
            ("a2", at(10, 15, 30), ContentType::Image, 20.0, Some(100.0)),
            ("b1", at(4, 9, 0), ContentType::Text, 5.0, Some(100.0)),
            ("b2", at(11, 9, 10), ContentType::Video, 7.0, Some(100.0)),
            ("c1", at(5, 12, 0), ContentType::Text, 50.0, Some(100.0)),
            ("s1", at(6, 10, 0), ContentType::Story, 90.0, Some(100.0)),
            ("s2", at(13, 10, 0), ContentType::Story, 90.0, Some(100.0)),
            ("old", old, ContentType::Text, 99.0, Some(100.0)),
            ("d1", at(2, 8, 0), ContentType::Text, 3.0, None),
        ];
        let mut batch = CollectionBatch::default();
        for (post, published, kind, likes, impressions) in posts {
            batch.posts.push(PostRecord {
                external_id: post.into(),
                published_at: Some(published),
                content_type: kind,
                permalink: None,
                caption: None,
            });
            batch.post_metrics.push(PostMetric {
                post_external_id: post.into(),
                metric: "likes".into(),
                value: Some(likes),
            });
            if let Some(v) = impressions {
                batch.post_metrics.push(PostMetric {
                    post_external_id: post.into(),
                    metric: "impressions".into(),
                    value: Some(v),
                });
            }
        }
        let collected = at(20, 12, 0);
        let run = store
            .start_run("manual", collected)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .save_batch(run, id, collected, &batch, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        id
    }

    fn march(time_zone: Option<&str>) -> ViewFilter {
        ViewFilter {
            since: Some(midnight(1)),
            until: Some(midnight(21)),
            time_zone: time_zone.map(str::to_string),
            ..ViewFilter::default()
        }
    }

    fn slots(view: &DashboardView) -> Vec<(u32, u32, f64, u32)> {
        view.best_time_slots
            .iter()
            .map(|s| (s.weekday, s.hour, (s.mean * 1e9).round() / 1e9, s.posts))
            .collect()
    }

    #[tokio::test]
    async fn the_best_time_heatmap_ranks_slots_by_mean_engagement_rate() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        seed_best_time(&ws).await;

        let view = dashboard(&ws, &march(None), &ChartLabels::default(), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(view.best_time_zone, "UTC");
        // Tuesday (1) 15 h: (10 + 20) / 2; Wednesday (2) 9 h: (5 + 7) / 2. Thursday's single
        // post has no mean; stories, the old post and the post without views do not count.
        assert_eq!(slots(&view), vec![(1, 15, 15.0, 2), (2, 9, 6.0, 2)]);
        assert_eq!(view.best_time_posts, 5);
        let svg = &view.best_time_svg;
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("Best time to post") && svg.contains("Hour (UTC)"));
        assert!(svg.contains("Mon") && svg.contains("Sun"));
        // 168 cells, two of them colored.
        assert_eq!(svg.matches("fill=\"#EEEEEE\"").count(), 166, "{svg}");

        // São Paulo is UTC−3 (no daylight saving since 2019): 15 h UTC is 12 h local.
        let local = dashboard(&ws, &march(Some("America/Sao_Paulo")), &ChartLabels::default(), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(local.best_time_zone, "America/Sao_Paulo");
        assert_eq!(slots(&local), vec![(1, 12, 15.0, 2), (2, 6, 6.0, 2)]);
        assert!(local.best_time_svg.contains("Hour (America/Sao_Paulo)"));
        // The rest of the dashboard does not depend on the zone.
        assert_eq!(local.kpis, view.kpis);

        // From the second week on, each slot holds one post (a2, b2; s2 is a story): no
        // slot qualifies, so the heatmap says "no data" though it counted two posts.
        let later = ViewFilter {
            since: Some(midnight(8)),
            ..march(None)
        };
        let late = dashboard(&ws, &later, &ChartLabels::default(), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(late.best_time_slots.is_empty());
        assert_eq!(late.best_time_posts, 2);
        assert!(late.best_time_svg.contains("No data yet"));
        assert!(!late.best_time_svg.contains("#EEEEEE"));

        let bad = march(Some("Mars/Olympus_Mons"));
        let e = dashboard(&ws, &bad, &ChartLabels::default(), day(25)).await.err();
        assert!(
            matches!(
                e.as_ref().and_then(|e| e.downcast_ref::<ViewError>()),
                Some(ViewError::UnknownTimeZone(z)) if z == "Mars/Olympus_Mons"
            ),
            "{e:?}"
        );
        assert!(format!("{:#}", e.unwrap_or_else(|| anyhow::anyhow!("none"))).contains("Mars/Olympus_Mons"));
        ws.close().await;
    }

    fn pt_br() -> ChartLabels {
        ChartLabels {
            follower_title: "Crescimento de seguidores".into(),
            follower_y: "Seguidores".into(),
            engagement_title: "Tendência de engajamento".into(),
            engagement_y: "Interações por dia".into(),
            date_axis: "Data (UTC)".into(),
            no_data: "Ainda sem dados".into(),
            best_time_title: "Melhor horário para postar".into(),
            hour_axis: "Hora".into(),
            weekdays: ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"]
                .iter()
                .map(|d| (*d).to_string())
                .collect(),
        }
    }

    #[tokio::test]
    async fn charts_are_drawn_with_the_given_labels() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        // Empty workspace: every chart says the translated "no data".
        let empty = dashboard(&ws, &march(None), &pt_br(), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        for svg in [
            &empty.follower_growth_svg,
            &empty.engagement_trend_svg,
            &empty.best_time_svg,
        ] {
            assert!(svg.contains("Ainda sem dados") && !svg.contains("No data yet"), "{svg}");
        }
        assert_eq!(empty.best_time_posts, 0);

        seed(&ws).await;
        seed_best_time(&ws).await;
        let view = dashboard(&ws, &march(Some("America/Sao_Paulo")), &pt_br(), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(view.follower_growth_svg.contains("Data (UTC)"));
        assert!(!view.follower_growth_svg.contains("Date (UTC)"));
        let svg = &view.best_time_svg;
        assert!(svg.contains("Melhor horário para postar") && svg.contains("Hora (America/Sao_Paulo)"));
        for d in ["seg", "ter", "sáb", "dom"] {
            assert!(svg.contains(d), "{d} missing");
        }
        assert!(!svg.contains("Mon") && !svg.contains("Best time"));

        // A weekday list that is not 7 long falls back to the English names.
        let mut short = pt_br();
        short.weekdays = vec!["seg".into(), "ter".into()];
        let fallback = dashboard(&ws, &march(None), &short, day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(fallback.best_time_svg.contains("Sun") && !fallback.best_time_svg.contains("seg"));
        ws.close().await;
    }

    #[test]
    fn older_payloads_without_the_new_fields_still_deserialize() {
        let labels: ChartLabels = serde_json::from_str(
            r#"{"follower_title":"Seguidores","follower_y":"Seguidores","engagement_title":"Engajamento","engagement_y":"Interações"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(labels.follower_title, "Seguidores");
        let english = ChartLabels::default();
        assert_eq!(
            (
                &labels.date_axis,
                &labels.no_data,
                &labels.best_time_title,
                &labels.hour_axis
            ),
            (
                &english.date_axis,
                &english.no_data,
                &english.best_time_title,
                &english.hour_axis
            )
        );
        assert_eq!(labels.date_axis, "Date (UTC)");
        assert_eq!(labels.weekdays.len(), 7);
        assert_eq!(labels.weekdays[0], "Mon");
        let round_trip: ChartLabels =
            serde_json::from_value(serde_json::to_value(pt_br()).unwrap_or_default()).unwrap_or_default();
        assert_eq!(round_trip, pt_br());

        let filter: ViewFilter =
            serde_json::from_str(r#"{"platforms":["x"],"account_ids":[],"since":null,"until":null}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(filter.time_zone, None);
        assert_eq!(filter.zone().map(|z| z.name().to_string()).ok().as_deref(), Some("UTC"));
        let blank = ViewFilter {
            time_zone: Some("  ".into()),
            ..ViewFilter::default()
        };
        assert_eq!(blank.zone().ok(), Some(Tz::UTC));
    }

    #[tokio::test]
    async fn accounts_without_a_handle_are_labelled_by_their_name() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        let store = ws.store();
        for (external, name) in [("105", Some("Alcance Atendimento")), ("106", None), ("107", Some("  "))] {
            let account = AccountRef {
                platform: Platform::Whatsapp,
                external_id: external.into(),
                username: None,
                owned: true,
            };
            store
                .upsert_account(&account, name, None)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let acme = acme(&ws).await;
        let list = accounts(&ws, None, day(1)).await.unwrap_or_else(|e| panic!("{e:#}"));
        let label = |external: &str| {
            list.iter()
                .find(|a| a.external_id == external)
                .map(|a| a.label.clone())
                .unwrap_or_default()
        };
        assert_eq!(label("105"), "Alcance Atendimento (WhatsApp)");
        assert_eq!(label("106"), "106 (WhatsApp)");
        assert_eq!(label("107"), "107 (WhatsApp)");
        let x = list.iter().find(|a| a.id == acme).map(|a| a.label.clone());
        assert_eq!(x.as_deref(), Some("@acme (X)"), "a handle wins over the display name");
    }

    #[tokio::test]
    async fn accounts_show_their_connection_and_schedule() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = workspace(dir.path()).await;
        let store = ws.store();
        let add = |platform: Platform, external: &str, owned: bool| AccountRef {
            platform,
            external_id: external.into(),
            username: Some(format!("{external}_user")),
            owned,
        };
        let mut ids = Vec::new();
        for (platform, external, owned) in [
            (Platform::X, "1", true),
            (Platform::Whatsapp, "2", true),
            (Platform::Instagram, "3", false),
            (Platform::Whatsapp, "4", false),
        ] {
            let id = store
                .upsert_account(&add(platform, external, owned), None, None)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            ids.push(id);
        }
        let next = day(26);
        store
            .set_cadence(ids[0], "custom", 6 * 3600, next)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .record_schedule_result(ids[0], day(25), false, Some("http_500: server error"), next)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .set_cadence(ids[1], "weekly", 7 * 86_400, day(27))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .record_schedule_result(ids[1], day(25), true, None, day(27))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // An account without a schedules row gets the defaults.
        sqlx::query("DELETE FROM schedules WHERE account_id = ?1")
            .bind(ids[2])
            .execute(store.pool())
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        let list = accounts(&ws, None, day(25)).await.unwrap_or_else(|e| panic!("{e:#}"));
        let get = |id: i64| {
            list.iter()
                .find(|a| a.id == id)
                .cloned()
                .unwrap_or_else(|| panic!("account {id} missing"))
        };
        let x = get(ids[0]);
        assert_eq!(
            (
                x.connection.as_str(),
                x.cadence.as_str(),
                x.cadence_seconds,
                x.next_run_at
            ),
            ("oauth", "custom", 21_600, Some(next))
        );
        assert_eq!(x.last_error.as_deref(), Some("http_500: server error"));
        let wa = get(ids[1]);
        assert_eq!(
            (
                wa.connection.as_str(),
                wa.cadence.as_str(),
                wa.cadence_seconds,
                wa.next_run_at
            ),
            ("token", "weekly", 604_800, Some(day(27)))
        );
        assert_eq!(wa.last_error, None);
        let tracked = get(ids[2]);
        assert_eq!(
            (
                tracked.connection.as_str(),
                tracked.cadence.as_str(),
                tracked.cadence_seconds
            ),
            ("tracked", "daily", 86_400)
        );
        assert_eq!((tracked.next_run_at, tracked.last_error), (None, None));
        let tracked_wa = get(ids[3]);
        assert_eq!(tracked_wa.connection, "tracked");
        assert_eq!(tracked_wa.cadence, "daily");
        assert!(
            tracked_wa.next_run_at.is_some(),
            "inserted accounts get a default schedule"
        );
        ws.close().await;
    }

    #[test]
    fn captions_are_cut_at_a_character_boundary() {
        let long = "é".repeat(CAPTION_MAX_CHARS + 5);
        let cut = truncate_caption(&long);
        assert_eq!(cut.chars().count(), CAPTION_MAX_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate_caption("short"), "short");
    }
}
