//! The weekly report: summary KPIs with week-over-week change, the daily engagement trend
//! and follower growth, the content-type breakdown, the best-time heatmap, the week's top
//! posts, its top hashtags, the mentions and their sentiment, and recommendations — built once ([`build_weekly`]) and written three ways: an
//! XLSX workbook with native Excel charts ([`write_weekly_xlsx`]), a self-contained
//! printable HTML page ([`crate::html::weekly_html`]) and JSON for machines
//! ([`write_weekly_json`]). [`write_weekly_report`] writes all three.
//!
//! Every number comes from `alcance_core::analytics` (derived metrics, best time, posts,
//! recommendations) and [`crate::series`]; nothing is re-derived here. A week is Monday
//! 00:00 to the next Monday 00:00 **UTC** (account day rows are UTC days); the best-time
//! heatmap uses the report's time zone for weekdays and hours. `None` (JSON `null`, "—" on
//! paper) means "no data", never 0.

use crate::export::{AccountInfo, PostInfo};
use crate::heatmap::{post_engagements, BEST_TIME_EXCLUDES};
use crate::pdf::PdfLanguage;
use crate::series::{account_label, engagement_trend, follower_growth};
use crate::ReportError;
use alcance_core::analytics::best_time::{best_time, BestTime, BestTimeOptions, Normalization, Tz};
use alcance_core::analytics::derived::{engagement_rate, EngagementBase};
use alcance_core::analytics::posts::{
    aggregate, attach_followers, content_breakdown, kpi_changes, latest_post_metrics, published_in, top_posts,
    Aggregation, Change, ContentTypeStats, DatedValue, PostMetrics, TimeRange, INTERACTIONS,
};
use alcance_core::analytics::recommend::{recommend, RecommendInput, Recommendation, Severity, Thresholds};
use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

pub(crate) mod competitors;
pub(crate) mod voices;
mod xlsx;

use crate::files::write_atomically;
pub use crate::files::{ReportFiles, ReportFormat};
pub use voices::{
    HashtagLine, MentionsSection, QuotedComment, TagVolume, VoiceComment, VoicesInput, WeekSentiment, TOP_HASHTAGS,
};
pub use xlsx::write_weekly_xlsx;

/// The `schema_version` of the weekly report JSON.
pub const WEEKLY_SCHEMA_VERSION: u32 = 1;

/// Account metrics the KPI tables show, in this order, with their labels. Each is read by
/// [`kpi_changes`]: `snapshot` rows for stocks (`followers`: the last value of the week),
/// `day` rows summed over the week for the rest.
pub const KPI_METRICS: [(&str, &str); 13] = [
    ("followers", "Followers (end of week)"),
    ("followers_gained", "New followers"),
    ("reach", "Reach (sum of daily reach)"),
    ("impressions", "Impressions"),
    ("views", "Views"),
    ("video_views", "Video views"),
    ("total_interactions", "Interactions (account insights)"),
    ("accounts_engaged", "Accounts engaged (sum of daily)"),
    ("profile_views", "Profile views"),
    ("link_clicks", "Link clicks"),
    ("conversations", "Conversations (WhatsApp)"),
    ("messages_sent", "Messages sent"),
    ("messages_delivered", "Messages delivered"),
];

/// Key of the derived KPI "posts published in the period" (count).
pub const KPI_POSTS_PUBLISHED: &str = "posts_published";
/// Key of the derived KPI "interactions gained in the period" (count): the sum of the
/// daily engagement trend ([`crate::series::engagement_trend`]).
pub const KPI_INTERACTIONS_GAINED: &str = "interactions_gained";
/// Key of the derived KPI "engagement rate by reach of the posts published in the period"
/// (percent 0–100, Σ interactions / Σ reach × 100 over posts that have both).
pub const KPI_ER_REACH: &str = "engagement_rate_by_reach";
/// Key of the derived KPI "engagement rate by impressions of the posts published in the
/// period" (percent 0–100, Σ interactions / Σ impressions × 100 over posts that have both).
pub const KPI_ER_IMPRESSIONS: &str = "engagement_rate_by_impressions";

/// How the weekly report is built. Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklyOptions {
    /// Posts in the top-posts table (default 10).
    pub top_posts: usize,
    /// Post figures are the lifetime totals as they stood this many hours after the end
    /// of the week (or at the report's generation, if earlier): the week's last posts get
    /// time to settle, and an old week's report does not change as posts keep growing.
    /// Default 48.
    pub settle_hours: u32,
    /// Days of the trend charts, ending at the end of the week (default 28).
    pub trend_days: u32,
    /// Days of posts in the content-type breakdown and the recommendations' engagement
    /// rate, ending at the end of the week (default 28).
    pub content_days: u32,
    /// Best-time settings (default: 90 days, posts at least 48 h old, 2 posts per slot,
    /// values normalised per account so several accounts share one heatmap).
    pub best_time: BestTimeOptions,
    /// Content types left out of the best-time heatmap (default `story`: 24-hour stories
    /// are not comparable with feed posts).
    pub best_time_excludes: Vec<String>,
    /// Recommendation thresholds.
    pub thresholds: Thresholds,
}

impl Default for WeeklyOptions {
    fn default() -> Self {
        WeeklyOptions {
            top_posts: 10,
            settle_hours: 48,
            trend_days: 28,
            content_days: 28,
            best_time: BestTimeOptions {
                normalization: Normalization::PerAccount,
                ..BestTimeOptions::default()
            },
            best_time_excludes: BEST_TIME_EXCLUDES.iter().map(|t| (*t).to_string()).collect(),
            thresholds: Thresholds::default(),
        }
    }
}

/// Everything the weekly report reads. Rows may cover more than the report needs; rows
/// collected after the week are ignored, so a past week's report shows the values as they
/// stood at its end.
#[derive(Debug, Clone, Copy)]
pub struct WeeklyInput<'a> {
    /// The week, `[start, end)` UTC (see [`week_of`], [`last_complete_week`]).
    pub week: TimeRange,
    /// Time zone of the best-time heatmap's weekdays and hours.
    pub time_zone: Tz,
    /// When the report is made, UTC.
    pub generated_at: DateTime<Utc>,
    /// The accounts (identity and whether owned).
    pub accounts: &'a [AccountInfo],
    /// Account metric rows (followers snapshots, day rows), at least from 90 days before
    /// the week's end.
    pub account_rows: &'a [AccountMetricRow],
    /// Post metric snapshots (all of them up to the week's end, for the latest lifetime
    /// totals).
    pub post_rows: &'a [PostMetricRow],
    /// Posts, for permalinks and captions of the top posts (may be empty).
    pub posts: &'a [PostInfo],
    /// Settings.
    pub options: &'a WeeklyOptions,
    /// Comments and tracked hashtags' volume for "Top hashtags" and "Mentions and
    /// sentiment" (`VoicesInput::default()` for none).
    pub voices: &'a VoicesInput,
}

/// An account of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportAccount {
    /// Platform.
    pub platform: Platform,
    /// The platform's account id.
    pub user_id: String,
    /// `"@username (Platform)"` ([`account_label`]).
    pub label: String,
    /// Connected through OAuth (`true`) or a tracked public profile.
    pub owned: bool,
}

/// One KPI in the current and the previous week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiLine {
    /// Metric key: a catalog key of [`KPI_METRICS`] or one of the derived `KPI_*` keys.
    pub key: String,
    /// Human label.
    pub label: String,
    /// Unit: `"count"` or `"percent"` (0–100).
    pub unit: &'static str,
    /// The account's label; `None` on summary lines (all accounts).
    pub account: Option<String>,
    /// Platform of the account; `None` on summary lines.
    pub platform: Option<Platform>,
    /// The platform's account id; `None` on summary lines.
    pub user_id: Option<String>,
    /// This week, last week, absolute and percent change (`pct_change` percent,
    /// `None` when last week is 0 or unknown).
    pub change: Change,
    /// How many accounts the summary line adds up (accounts with a value in both weeks
    /// when there are any, else those with a value in either); 1 on account lines.
    pub accounts: usize,
}

/// One line of a trend chart: a value per day of [`Trends::days`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendLine {
    /// Legend text, `"@username (Platform)"`.
    pub label: String,
    /// One value per day (`None`: no collection that day).
    pub values: Vec<Option<f64>>,
}

/// The daily series behind the trend charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    /// The days, UTC, oldest first.
    pub days: Vec<NaiveDate>,
    /// Interactions gained per day per account (count), from
    /// [`crate::series::engagement_trend`].
    pub engagement: Vec<TrendLine>,
    /// Followers per account at the day's last snapshot (count), from
    /// [`crate::series::follower_growth`].
    pub followers: Vec<TrendLine>,
}

/// A content type's statistics over the content window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContentTypeLine {
    /// Content type key (`image`, `reel`, `text`, ...).
    pub content_type: String,
    /// Posts of this type.
    pub posts: usize,
    /// Share of the window's posts, ratio 0–1.
    pub share: f64,
    /// Mean interactions per post (count); `None` when no post has interactions.
    pub mean_interactions: Option<f64>,
    /// Engagement rate by reach, percent 0–100 (ratio of sums).
    pub engagement_rate_by_reach: Option<f64>,
    /// Engagement rate by impressions, percent 0–100 (ratio of sums).
    pub engagement_rate_by_impressions: Option<f64>,
}

/// A top post of the week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopPost {
    /// 1 for the best.
    pub rank: usize,
    /// The account's label.
    pub account: String,
    /// Platform.
    pub platform: Platform,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key.
    pub content_type: String,
    /// Publication time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Interactions as of the end of the week (count).
    pub interactions: f64,
    /// Reach (count); `None` when the platform does not serve it.
    pub reach: Option<f64>,
    /// Impressions (count); `None` when the platform does not serve it.
    pub impressions: Option<f64>,
    /// Engagement rate by reach, percent 0–100.
    pub engagement_rate_by_reach: Option<f64>,
    /// Engagement rate by impressions, percent 0–100.
    pub engagement_rate_by_impressions: Option<f64>,
    /// Public link (text only in the HTML: the report makes no external requests).
    pub permalink: Option<String>,
    /// The caption's first 120 characters.
    pub caption: Option<String>,
}

/// Recommendations for one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRecommendations {
    /// The account's label.
    pub account: String,
    /// What the engagement rate of the `engagement_rate_*` rules was divided by.
    pub engagement_base: EngagementBase,
    /// The recommendations, warnings first.
    pub items: Vec<Recommendation>,
}

/// The weekly report: serialize it for JSON, or hand it to the XLSX and HTML writers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklyReport {
    /// [`WEEKLY_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When it was made, UTC.
    pub generated_at: DateTime<Utc>,
    /// The week, `[start, end)` UTC.
    pub week: TimeRange,
    /// The week before, `[start, end)` UTC.
    pub previous_week: TimeRange,
    /// Post figures are lifetime totals from snapshots collected up to this moment, UTC
    /// (see [`WeeklyOptions::settle_hours`]).
    pub posts_as_of: DateTime<Utc>,
    /// IANA time zone of the best-time heatmap.
    pub time_zone: String,
    /// The accounts.
    pub accounts: Vec<ReportAccount>,
    /// KPIs over all accounts.
    pub summary: Vec<KpiLine>,
    /// KPIs per account.
    pub account_kpis: Vec<KpiLine>,
    /// Daily engagement and follower series.
    pub trends: Trends,
    /// The window of [`WeeklyReport::content_types`], UTC.
    pub content_window: TimeRange,
    /// Per content type, most posts first.
    pub content_types: Vec<ContentTypeLine>,
    /// The best-time heatmap over all accounts (values: interactions, normalised per
    /// account by default, so means are an index where 1.0 = the account's average).
    pub best_time: BestTime,
    /// The week's best posts by interactions.
    pub top_posts: Vec<TopPost>,
    /// The hashtags of the week's own posts, most interactions first (`voices`).
    pub top_hashtags: Vec<HashtagLine>,
    /// Comments and mentions received this week and their sentiment (`voices`).
    pub mentions: MentionsSection,
    /// Recommendations per owned account (every account when none is owned), WhatsApp
    /// accounts excepted (they publish no posts).
    pub recommendations: Vec<AccountRecommendations>,
    /// The "Competitors" section (last in every rendering): own accounts beside the
    /// competitors over the week and the share of voice; `None` (and absent from the JSON)
    /// when the workspace has no competitors. [`build_weekly`] leaves it `None`; the app
    /// fills it (`alcance_app::competitors::weekly_section`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub competitors: Option<crate::competitors::CompetitorReport>,
}

/// The week containing `date`: Monday 00:00 UTC to the next Monday 00:00 UTC.
pub fn week_of(date: NaiveDate) -> TimeRange {
    let monday = date - TimeDelta::days(i64::from(date.weekday().num_days_from_monday()));
    let start = monday.and_time(chrono::NaiveTime::MIN).and_utc();
    TimeRange {
        start,
        end: start + TimeDelta::days(7),
    }
}

/// The last week (Monday–Sunday, UTC) that ended at or before `now`.
pub fn last_complete_week(now: DateTime<Utc>) -> TimeRange {
    week_of(now.date_naive()).previous()
}

/// Σ interactions / Σ base × 100 over `posts` that have both (a ratio of sums), percent.
fn rate_of(posts: &[&PostMetrics], base: EngagementBase) -> Option<f64> {
    let mut interactions = 0.0;
    let mut exposure = 0.0;
    let mut any = false;
    for p in posts {
        let (Some(i), Some(d)) = (p.interactions(), p.exposure().get(base)) else {
            continue;
        };
        if i.is_finite() && i >= 0.0 && d.is_finite() && d > 0.0 {
            interactions += i;
            exposure += d;
            any = true;
        }
    }
    if any {
        engagement_rate(interactions, exposure)
    } else {
        None
    }
}

/// The per-day values of `series` on `days` (the day's last point).
fn daily_values(points: &[(DateTime<Utc>, f64)], days: &[NaiveDate]) -> Vec<Option<f64>> {
    let mut by_day: BTreeMap<NaiveDate, (DateTime<Utc>, f64)> = BTreeMap::new();
    for (t, v) in points {
        if !v.is_finite() {
            continue;
        }
        let slot = by_day.entry(t.date_naive()).or_insert((*t, *v));
        if *t >= slot.0 {
            *slot = (*t, *v);
        }
    }
    days.iter().map(|d| by_day.get(d).map(|p| p.1)).collect()
}

/// Adds up per-account changes: accounts with a value in both periods when there are any
/// (so an account that appears in one week only does not look like growth), else every
/// account with a value.
fn sum_changes<'c>(changes: impl Iterator<Item = &'c Change>) -> (Change, usize) {
    let changes: Vec<&Change> = changes.collect();
    let both: Vec<&&Change> = changes
        .iter()
        .filter(|c| c.current.is_some() && c.previous.is_some())
        .collect();
    let sum = |values: &mut dyn Iterator<Item = Option<f64>>| -> Option<f64> {
        let present: Vec<f64> = values.flatten().collect();
        (!present.is_empty()).then(|| present.iter().sum())
    };
    if both.is_empty() {
        let n = changes
            .iter()
            .filter(|c| c.current.is_some() || c.previous.is_some())
            .count();
        (
            Change::between(
                sum(&mut changes.iter().map(|c| c.current)),
                sum(&mut changes.iter().map(|c| c.previous)),
            ),
            n,
        )
    } else {
        (
            Change::between(
                sum(&mut both.iter().map(|c| c.current)),
                sum(&mut both.iter().map(|c| c.previous)),
            ),
            both.len(),
        )
    }
}

/// The moment a weekly report reads post snapshots up to, inclusive (UTC): the week's
/// `end` plus [`WeeklyOptions::settle_hours`], or `generated_at` when that is earlier (but
/// never before `end`). Post rows collected later are left out of the report, so a caller
/// may bound its read there.
pub fn posts_as_of(end: DateTime<Utc>, generated_at: DateTime<Utc>, options: &WeeklyOptions) -> DateTime<Utc> {
    (end + TimeDelta::hours(i64::from(options.settle_hours))).min(generated_at.max(end))
}

/// The moment from which a weekly report needs every post snapshot (UTC midnight of the
/// engagement trend's first day, [`WeeklyOptions::trend_days`] before the week's `end`).
/// Of the snapshots before it the report uses only each post and metric's latest one, and
/// its latest one with a value: the totals carried into the trend's first day and the
/// posts' latest values. A caller may read just those
/// (`alcance_store::Store::post_metric_rows_carried`); the report is the same.
pub fn posts_read_from(end: DateTime<Utc>, options: &WeeklyOptions) -> DateTime<Utc> {
    let trend_start = end - TimeDelta::days(i64::from(options.trend_days.max(1)));
    trend_start.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Builds the weekly report (pure: no I/O, no clock).
pub fn build_weekly(input: &WeeklyInput<'_>) -> WeeklyReport {
    let week = input.week;
    let previous = week.previous();
    let options = input.options;
    let end = week.end;

    // Accounts and their labels.
    let accounts: Vec<ReportAccount> = input
        .accounts
        .iter()
        .map(|a| ReportAccount {
            platform: a.platform,
            user_id: a.user_id.clone(),
            label: account_label(a.platform, &a.user_id, a.username.as_deref()),
            owned: a.owned,
        })
        .collect();
    let label_of = |platform: Platform, user_id: &str| -> String {
        accounts
            .iter()
            .find(|a| a.platform == platform && a.user_id == user_id)
            .map_or_else(|| account_label(platform, user_id, None), |a| a.label.clone())
    };

    // Account rows of periods that started before the end of the week (day rows are
    // re-read and corrected after their day, so their collection time does not matter);
    // post snapshots up to the settle time.
    let account_rows: Vec<AccountMetricRow> = input
        .account_rows
        .iter()
        .filter(|r| r.period_start < end)
        .map(|r| {
            let mut r = r.clone();
            // Chart labels use the accounts' handles even when a row carries none.
            if r.username.is_none() {
                r.username = input
                    .accounts
                    .iter()
                    .find(|a| a.platform == r.platform && a.user_id == r.user_id)
                    .and_then(|a| a.username.clone());
            }
            r
        })
        .collect();
    let posts_as_of = posts_as_of(end, input.generated_at, options);
    // Borrowed when the caller read no later snapshot (it can bound its read with
    // `posts_as_of`), so the rows are not held twice.
    let post_rows: std::borrow::Cow<'_, [PostMetricRow]> =
        if input.post_rows.iter().all(|r| r.collected_at <= posts_as_of) {
            std::borrow::Cow::Borrowed(input.post_rows)
        } else {
            std::borrow::Cow::Owned(
                input
                    .post_rows
                    .iter()
                    .filter(|r| r.collected_at <= posts_as_of)
                    .cloned()
                    .collect(),
            )
        };
    let mut posts = latest_post_metrics(&post_rows, Some(posts_as_of));
    attach_followers(&mut posts, &account_rows);

    // Trends.
    let trend_start = end - TimeDelta::days(i64::from(options.trend_days.max(1)));
    let days: Vec<NaiveDate> = trend_start
        .date_naive()
        .iter_days()
        .take_while(|d| *d < end.date_naive())
        .collect();
    let usernames: HashMap<(Platform, String), String> = input
        .accounts
        .iter()
        .filter_map(|a| a.username.clone().map(|u| ((a.platform, a.user_id.clone()), u)))
        .collect();
    let engagement_series = engagement_trend(&post_rows, &usernames);
    let follower_series = follower_growth(&account_rows);
    let trends = Trends {
        engagement: engagement_series
            .iter()
            .map(|s| TrendLine {
                label: s.label.clone(),
                values: daily_values(&s.points, &days),
            })
            .collect(),
        followers: follower_series
            .iter()
            .map(|s| TrendLine {
                label: s.label.clone(),
                values: daily_values(&s.points, &days),
            })
            .collect(),
        days,
    };

    // KPIs per account.
    let changes = kpi_changes(&account_rows, week, previous);
    let mut account_kpis: Vec<KpiLine> = Vec::new();
    for a in &accounts {
        let mine: Vec<&PostMetrics> = posts
            .iter()
            .filter(|p| p.platform == a.platform && p.user_id == a.user_id)
            .collect();
        let line = |key: &str, label: String, unit: &'static str, change: Change| KpiLine {
            key: key.to_string(),
            label,
            unit,
            account: Some(a.label.clone()),
            platform: Some(a.platform),
            user_id: Some(a.user_id.clone()),
            change,
            accounts: 1,
        };
        for (key, label) in KPI_METRICS {
            if let Some(c) = changes
                .iter()
                .find(|c| c.platform == a.platform && c.user_id == a.user_id && c.metric == key)
            {
                account_kpis.push(line(key, label.to_string(), "count", c.change));
            }
        }
        let published = |range: TimeRange| {
            mine.iter()
                .filter(move |p| p.published_at.is_some_and(|t| range.contains(t)))
        };
        account_kpis.push(line(
            KPI_POSTS_PUBLISHED,
            "Posts published".to_string(),
            "count",
            Change::between(
                Some(published(week).count() as f64),
                Some(published(previous).count() as f64),
            ),
        ));
        if let Some(series) = engagement_series.iter().find(|s| s.label == a.label) {
            let values: Vec<DatedValue> = series
                .points
                .iter()
                .map(|(at, v)| DatedValue {
                    at: *at,
                    value: Some(*v),
                })
                .collect();
            account_kpis.push(line(
                KPI_INTERACTIONS_GAINED,
                "Interactions gained".to_string(),
                "count",
                Change::between(
                    aggregate(&values, week, Aggregation::Sum),
                    aggregate(&values, previous, Aggregation::Sum),
                ),
            ));
        }
        for (key, base, label) in [
            (
                KPI_ER_REACH,
                EngagementBase::Reach,
                "Engagement rate by reach (week's posts)",
            ),
            (
                KPI_ER_IMPRESSIONS,
                EngagementBase::Impressions,
                "Engagement rate by impressions (week's posts)",
            ),
        ] {
            let cur: Vec<&PostMetrics> = published(week).copied().collect();
            let prev: Vec<&PostMetrics> = published(previous).copied().collect();
            let change = Change::between(rate_of(&cur, base), rate_of(&prev, base));
            if change.current.is_some() || change.previous.is_some() {
                account_kpis.push(line(key, label.to_string(), "percent", change));
            }
        }
    }

    // Summary over all accounts: counts add up; rates are recomputed over every post.
    let mut summary: Vec<KpiLine> = Vec::new();
    let mut keys: Vec<(String, String, &'static str)> = Vec::new();
    for l in &account_kpis {
        if l.unit == "count" && !keys.iter().any(|(k, _, _)| *k == l.key) {
            keys.push((l.key.clone(), l.label.clone(), l.unit));
        }
    }
    for (key, label, unit) in keys {
        let (change, n) = sum_changes(account_kpis.iter().filter(|l| l.key == key).map(|l| &l.change));
        summary.push(KpiLine {
            label: if key == "followers" {
                "Followers (end of week, all accounts)".to_string()
            } else {
                label
            },
            key,
            unit,
            account: None,
            platform: None,
            user_id: None,
            change,
            accounts: n,
        });
    }
    let all_cur: Vec<&PostMetrics> = published_in(&posts, week);
    let all_prev: Vec<&PostMetrics> = published_in(&posts, previous);
    for (key, base, label) in [
        (
            KPI_ER_REACH,
            EngagementBase::Reach,
            "Engagement rate by reach (week's posts)",
        ),
        (
            KPI_ER_IMPRESSIONS,
            EngagementBase::Impressions,
            "Engagement rate by impressions (week's posts)",
        ),
    ] {
        let change = Change::between(rate_of(&all_cur, base), rate_of(&all_prev, base));
        if change.current.is_some() || change.previous.is_some() {
            summary.push(KpiLine {
                key: key.to_string(),
                label: label.to_string(),
                unit: "percent",
                account: None,
                platform: None,
                user_id: None,
                change,
                accounts: account_kpis.iter().filter(|l| l.key == key).count(),
            });
        }
    }
    summary.sort_by_key(|l| summary_order(&l.key));

    // Content types over the content window.
    let content_window = TimeRange::days_before(end, options.content_days.max(1));
    let window_posts: Vec<PostMetrics> = published_in(&posts, content_window).into_iter().cloned().collect();
    let by_reach = content_breakdown(&window_posts, INTERACTIONS, EngagementBase::Reach);
    let by_impressions = content_breakdown(&window_posts, INTERACTIONS, EngagementBase::Impressions);
    let content_types: Vec<ContentTypeLine> = by_reach
        .iter()
        .map(|s: &ContentTypeStats| ContentTypeLine {
            content_type: s.content_type.clone(),
            posts: s.posts,
            share: s.share,
            mean_interactions: s.mean,
            engagement_rate_by_reach: s.engagement_rate,
            engagement_rate_by_impressions: by_impressions
                .iter()
                .find(|i| i.content_type == s.content_type)
                .and_then(|i| i.engagement_rate),
        })
        .collect();

    // Best time over every account.
    let engagements = post_engagements(&posts, &options.best_time_excludes, PostMetrics::interactions);
    let best = best_time(&engagements, input.time_zone, end, &options.best_time);

    // Top posts of the week.
    let week_posts: Vec<PostMetrics> = published_in(&posts, week).into_iter().cloned().collect();
    let info: HashMap<(Platform, &str, &str), &PostInfo> = input
        .posts
        .iter()
        .map(|p| ((p.platform, p.user_id.as_str(), p.post_id.as_str()), p))
        .collect();
    let top: Vec<TopPost> = top_posts(&week_posts, INTERACTIONS, options.top_posts)
        .into_iter()
        .map(|r| {
            let post = week_posts
                .iter()
                .find(|p| p.platform == r.platform && p.user_id == r.user_id && p.post_id == r.post_id);
            let details = info.get(&(r.platform, r.user_id.as_str(), r.post_id.as_str()));
            TopPost {
                rank: r.rank,
                account: label_of(r.platform, &r.user_id),
                platform: r.platform,
                post_id: r.post_id.clone(),
                content_type: r.content_type.clone(),
                published_at: r.published_at,
                interactions: r.value,
                reach: post.and_then(|p| p.metric("reach")),
                impressions: post.and_then(|p| p.metric("impressions")),
                engagement_rate_by_reach: post.and_then(|p| p.engagement_rate(EngagementBase::Reach)),
                engagement_rate_by_impressions: post.and_then(|p| p.engagement_rate(EngagementBase::Impressions)),
                permalink: details.and_then(|d| d.permalink.clone()),
                caption: details
                    .and_then(|d| d.caption.as_deref())
                    .map(|c| truncate_chars(c, 120)),
            }
        })
        .collect();

    // Top hashtags of the week's own posts, and the comments' sentiment.
    let captions: HashMap<(Platform, &str, &str), &str> = input
        .posts
        .iter()
        .filter_map(|p| {
            Some((
                (p.platform, p.user_id.as_str(), p.post_id.as_str()),
                p.caption.as_deref()?,
            ))
        })
        .collect();
    let owned: std::collections::HashSet<(Platform, String)> = accounts
        .iter()
        .filter(|a| a.owned)
        .map(|a| (a.platform, a.user_id.clone()))
        .collect();
    let top_hashtags = voices::top_hashtags(&week_posts, &captions, &owned, &input.voices.tag_volume);
    let mentions = voices::mentions_section(&input.voices.comments, week, previous);

    // Recommendations per owned account (or every account when none is owned).
    let any_owned = accounts.iter().any(|a| a.owned);
    let recommendations = accounts
        .iter()
        .filter(|a| a.owned || !any_owned)
        // WhatsApp Business accounts publish no posts: the posting rules do not apply.
        .filter(|a| a.platform != Platform::Whatsapp)
        .map(|a| account_recommendations(a, &posts, &account_rows, end, input.time_zone, options))
        .collect();

    WeeklyReport {
        schema_version: WEEKLY_SCHEMA_VERSION,
        generated_at: input.generated_at,
        week,
        previous_week: previous,
        posts_as_of,
        time_zone: input.time_zone.name().to_string(),
        accounts,
        summary,
        account_kpis,
        trends,
        content_window,
        content_types,
        best_time: best,
        top_posts: top,
        top_hashtags,
        mentions,
        recommendations,
        competitors: None,
    }
}

/// Order of summary lines: followers first, then the derived KPIs, then account insights.
fn summary_order(key: &str) -> usize {
    match key {
        "followers" => 0,
        "followers_gained" => 1,
        KPI_POSTS_PUBLISHED => 2,
        KPI_INTERACTIONS_GAINED => 3,
        KPI_ER_REACH => 4,
        KPI_ER_IMPRESSIONS => 5,
        other => {
            10 + KPI_METRICS
                .iter()
                .position(|(k, _)| *k == other)
                .unwrap_or(KPI_METRICS.len())
        }
    }
}

fn truncate_chars(s: &str, n: usize) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.chars().count() <= n {
        clean
    } else {
        clean.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
    }
}

fn account_recommendations(
    account: &ReportAccount,
    posts: &[PostMetrics],
    account_rows: &[AccountMetricRow],
    now: DateTime<Utc>,
    tz: Tz,
    options: &WeeklyOptions,
) -> AccountRecommendations {
    let mine: Vec<PostMetrics> = posts
        .iter()
        .filter(|p| p.platform == account.platform && p.user_id == account.user_id)
        .filter(|p| p.published_at.is_some_and(|t| t < now))
        .cloned()
        .collect();
    let published: Vec<DateTime<Utc>> = mine.iter().filter_map(|p| p.published_at).collect();
    let window = TimeRange::days_before(now, options.content_days.max(1));
    let recent: Vec<&PostMetrics> = published_in(&mine, window);
    // The base most of the recent posts have: reach (Meta, TikTok), else impressions (X).
    let base = [
        EngagementBase::Reach,
        EngagementBase::Impressions,
        EngagementBase::Followers,
    ]
    .into_iter()
    .max_by_key(|b| {
        let n = recent.iter().filter(|p| p.exposure().get(*b).is_some()).count();
        // Ties go to the earlier base in the list.
        (
            n,
            match b {
                EngagementBase::Reach => 2,
                EngagementBase::Impressions => 1,
                EngagementBase::Followers => 0,
            },
        )
    })
    .unwrap_or_default();
    let rate = rate_of(&recent, base);
    let recent_owned: Vec<PostMetrics> = recent.iter().map(|p| (*p).clone()).collect();
    let content = content_breakdown(&recent_owned, INTERACTIONS, base);
    let engagements = post_engagements(&mine, &options.best_time_excludes, PostMetrics::interactions);
    let per_account_options = BestTimeOptions {
        normalization: Normalization::None,
        ..options.best_time
    };
    let best = best_time(&engagements, tz, now, &per_account_options);
    let followers: Vec<DatedValue> = account_rows
        .iter()
        .filter(|r| {
            r.platform == account.platform
                && r.user_id == account.user_id
                && r.metric_type == "followers"
                && r.period == Period::Snapshot
        })
        .map(|r| DatedValue {
            at: r.period_start,
            value: r.value,
        })
        .collect();
    let items = recommend(
        &RecommendInput {
            now,
            published: &published,
            engagement_rate: rate,
            engagement_base: base,
            content: &content,
            best_time: Some(&best),
            followers: &followers,
        },
        &options.thresholds,
    );
    AccountRecommendations {
        account: account.label.clone(),
        engagement_base: base,
        items,
    }
}

// ---------------------------------------------------------------------------------------
// Files (the workbook is written by the `xlsx` submodule).

/// Writes `weekly.xlsx`, `weekly.html`, `weekly.json` and `weekly.pdf` (English) into
/// `dir` (created if missing). Each file is written to a temporary file in `dir` and
/// renamed into place, so a failure never leaves a half-written report.
///
/// # Errors
/// [`ReportError::DiskFull`] / [`ReportError::Io`] for file system failures,
/// [`ReportError::Xlsx`], [`ReportError::Chart`], [`ReportError::Json`] or
/// [`ReportError::Pdf`] when a format cannot be produced.
pub fn write_weekly_report(report: &WeeklyReport, dir: &Path) -> Result<ReportFiles, ReportError> {
    write_weekly_report_in(report, dir, PdfLanguage::En)
}

/// [`write_weekly_report`] with the PDF in `lang`.
///
/// # Errors
/// As [`write_weekly_report`].
pub fn write_weekly_report_in(
    report: &WeeklyReport,
    dir: &Path,
    lang: PdfLanguage,
) -> Result<ReportFiles, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(format!("creating {}", dir.display()), e))?;
    let files = ReportFiles {
        xlsx: dir.join("weekly.xlsx"),
        html: dir.join("weekly.html"),
        json: dir.join("weekly.json"),
        pdf: dir.join("weekly.pdf"),
    };
    crate::pdf::write_weekly_pdf(report, lang, &files.pdf)?;
    write_weekly_xlsx(report, &files.xlsx)?;
    let html = crate::html::weekly_html(report)?;
    write_atomically(&files.html, html.as_bytes())?;
    let mut json = Vec::new();
    write_weekly_json(report, &mut json)?;
    write_atomically(&files.json, &json)?;
    Ok(files)
}

/// The report as one file's bytes in `format` (the PDF in `lang`; the other formats are
/// English).
///
/// # Errors
/// As [`write_weekly_report`], without the file system ones.
pub fn weekly_file(report: &WeeklyReport, format: ReportFormat, lang: PdfLanguage) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Pdf => crate::pdf::weekly_pdf(report, lang),
        ReportFormat::Xlsx => xlsx::weekly_xlsx_bytes(report),
        ReportFormat::Html => Ok(crate::html::weekly_html(report)?.into_bytes()),
        ReportFormat::Json => {
            let mut json = Vec::new();
            write_weekly_json(report, &mut json)?;
            Ok(json)
        }
    }
}

/// Writes the report as pretty-printed JSON (UTF-8, newline-terminated): the fields of
/// [`WeeklyReport`]; times RFC 3339 UTC, days `YYYY-MM-DD`, `null` for no data.
///
/// # Errors
/// [`ReportError::Io`] / [`ReportError::DiskFull`] when writing fails, [`ReportError::Json`]
/// otherwise.
pub fn write_weekly_json<W: Write>(report: &WeeklyReport, mut w: W) -> Result<(), ReportError> {
    const CTX: &str = "writing the weekly report JSON";
    serde_json::to_writer_pretty(&mut w, report).map_err(|e| ReportError::json(CTX, e))?;
    w.write_all(b"\n").map_err(|e| ReportError::io(CTX, e))?;
    w.flush().map_err(|e| ReportError::io(CTX, e))
}

/// `"2026-11-16 – 2026-11-22 (UTC)"`.
pub(crate) fn week_text(report: &WeeklyReport) -> String {
    let last = report.week.end - TimeDelta::days(1);
    format!(
        "{} – {} (UTC)",
        report.week.start.format("%Y-%m-%d"),
        last.format("%Y-%m-%d")
    )
}

/// `warning`, `info`, `positive`.
pub(crate) fn severity_text(s: Severity) -> &'static str {
    match s {
        Severity::Warning => "warning",
        Severity::Info => "info",
        Severity::Positive => "positive",
    }
}

/// Weekday names, Monday first.
pub(crate) const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
