//! The weekly report: summary KPIs with week-over-week change, the daily engagement trend
//! and follower growth, the content-type breakdown, the best-time heatmap, the week's top
//! posts and recommendations — built once ([`build_weekly`]) and written three ways: an
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
use rust_xlsxwriter::{
    Chart, ChartEmptyCells, ChartLegendPosition, Color, ConditionalFormat3ColorScale, DocProperties, ExcelDateTime,
    Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    /// Recommendations per owned account (every account when none is owned), WhatsApp
    /// accounts excepted (they publish no posts).
    pub recommendations: Vec<AccountRecommendations>,
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
    let posts_as_of = (end + TimeDelta::hours(i64::from(options.settle_hours))).min(input.generated_at.max(end));
    let post_rows: Vec<PostMetricRow> = input
        .post_rows
        .iter()
        .filter(|r| r.collected_at <= posts_as_of)
        .cloned()
        .collect();
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
        recommendations,
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
// Files.

/// The files written by [`write_weekly_report`] (or the campaign report writer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportFiles {
    /// The workbook.
    pub xlsx: PathBuf,
    /// The printable page.
    pub html: PathBuf,
    /// The JSON document.
    pub json: PathBuf,
}

/// Writes `weekly.xlsx`, `weekly.html` and `weekly.json` into `dir` (created if missing).
/// Each file is written to a temporary file in `dir` and renamed into place, so a failure
/// never leaves a half-written report.
///
/// # Errors
/// [`ReportError::DiskFull`] / [`ReportError::Io`] for file system failures,
/// [`ReportError::Xlsx`], [`ReportError::Chart`] or [`ReportError::Json`] when a format
/// cannot be produced.
pub fn write_weekly_report(report: &WeeklyReport, dir: &Path) -> Result<ReportFiles, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(format!("creating {}", dir.display()), e))?;
    let files = ReportFiles {
        xlsx: dir.join("weekly.xlsx"),
        html: dir.join("weekly.html"),
        json: dir.join("weekly.json"),
    };
    write_weekly_xlsx(report, &files.xlsx)?;
    let html = crate::html::weekly_html(report)?;
    write_atomically(&files.html, html.as_bytes())?;
    let mut json = Vec::new();
    write_weekly_json(report, &mut json)?;
    write_atomically(&files.json, &json)?;
    Ok(files)
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

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let ctx = || format!("writing {}", path.display());
    let mut tmp = tempfile::Builder::new()
        .prefix(".alcance-report-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| ReportError::io(ctx(), e))?;
    tmp.write_all(bytes).map_err(|e| ReportError::io(ctx(), e))?;
    tmp.as_file().sync_all().map_err(|e| ReportError::io(ctx(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| ReportError::io(ctx(), e))?;
    }
    tmp.persist(path).map_err(|e| ReportError::io(ctx(), e.error))?;
    Ok(())
}

/// Cell formats shared by the report workbooks.
pub(crate) struct Formats {
    pub(crate) title: Format,
    pub(crate) subtitle: Format,
    pub(crate) header: Format,
    pub(crate) text: Format,
    pub(crate) count: Format,
    pub(crate) decimal: Format,
    pub(crate) percent_pts: Format,
    pub(crate) points: Format,
    pub(crate) signed_count: Format,
    pub(crate) signed_pct: Format,
    pub(crate) ratio_pct: Format,
    pub(crate) share: Format,
    pub(crate) money: Format,
    pub(crate) date: Format,
    pub(crate) datetime: Format,
    pub(crate) dash: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color(Color::RGB(0xD0D4DA));
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            subtitle: Format::new().set_font_color(Color::RGB(0x555555)),
            header: border(
                Format::new()
                    .set_bold()
                    .set_background_color(Color::RGB(0xE8EEF6))
                    .set_text_wrap(),
            ),
            text: border(Format::new()),
            count: border(Format::new().set_num_format("#,##0")),
            decimal: border(Format::new().set_num_format("#,##0.00")),
            percent_pts: border(Format::new().set_num_format("0.00\" %\"")),
            points: border(Format::new().set_num_format("+0.00\" pp\";-0.00\" pp\";0.00\" pp\"")),
            signed_count: border(Format::new().set_num_format("+#,##0;-#,##0;0")),
            signed_pct: border(Format::new().set_num_format("+0.0\" %\";-0.0\" %\";0.0\" %\"")),
            ratio_pct: border(Format::new().set_num_format("+0.0%;-0.0%;0.0%")),
            share: border(Format::new().set_num_format("0.0%")),
            money: border(Format::new().set_num_format("#,##0.00")),
            date: border(Format::new().set_num_format("yyyy-mm-dd")),
            datetime: border(Format::new().set_num_format("yyyy-mm-dd hh:mm")),
            dash: border(
                Format::new()
                    .set_align(FormatAlign::Right)
                    .set_font_color(Color::RGB(0x888888)),
            ),
        }
    }
}

/// Writes a number, or "—" when `None` / not finite (no data is never a 0).
pub(crate) fn cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    format: &Format,
    f: &Formats,
) -> Result<(), XlsxError> {
    match v.filter(|v| v.is_finite()) {
        Some(v) => ws.write_number_with_format(row, col, v, format)?,
        None => ws.write_string_with_format(row, col, crate::html::DASH, &f.dash)?,
    };
    Ok(())
}

pub(crate) fn excel_time(t: DateTime<Utc>) -> Option<ExcelDateTime> {
    ExcelDateTime::from_timestamp(t.timestamp()).ok()
}

pub(crate) fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(u16::try_from(d.year()).ok()?, d.month() as u8, d.day() as u8).ok()
}

/// Prints landscape, one page wide.
pub(crate) fn print_setup(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_paper_size(9); // A4
}

/// Heatmap colors, low → mid → high (white → light blue → blue), also used by the HTML.
pub(crate) const HEAT_LOW: u32 = 0xF7FBFF;
pub(crate) const HEAT_MID: u32 = 0x9ECAE1;
pub(crate) const HEAT_HIGH: u32 = 0x2171B5;

/// Writes the report as an Excel workbook at `path` (replacing any file there, through a
/// temporary file and a rename). Sheets:
/// - `Summary`: the week, KPIs (all accounts, then per account) with this week, last week,
///   change and change %, and the recommendations.
/// - `Trends`: the daily table (interactions gained and followers per account) and two
///   native line charts: "Daily engagement" and "Follower growth".
/// - `Content types`: the table and a native column chart of mean interactions per post.
/// - `Best times`: the weekday × hour heatmap (local time), a 3-color-scale conditional
///   format over the means, the posts per slot and the top slots.
/// - `Top posts`: the week's best posts.
///
/// No-data cells read "—".
///
/// # Errors
/// [`ReportError::Xlsx`] when the workbook cannot be built, [`ReportError::Io`] /
/// [`ReportError::DiskFull`] when it cannot be written.
pub fn write_weekly_xlsx(report: &WeeklyReport, path: &Path) -> Result<(), ReportError> {
    let ctx = format!("writing the weekly report to {}", path.display());
    let bytes = weekly_workbook(report).map_err(|e| ReportError::xlsx(&ctx, e))?;
    write_atomically(path, &bytes)
}

fn weekly_workbook(report: &WeeklyReport) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let mut props = DocProperties::new()
        .set_title(format!("Alcance weekly report {}", week_text(report)))
        .set_author("Alcance");
    if let Some(t) = excel_time(report.generated_at) {
        props = props.set_creation_datetime(&t);
    }
    wb.set_properties(&props);
    summary_sheet(wb.add_worksheet(), report, &f)?;
    trends_sheet(wb.add_worksheet(), report, &f)?;
    content_sheet(wb.add_worksheet(), report, &f)?;
    best_time_sheet(wb.add_worksheet(), report, &f)?;
    top_posts_sheet(wb.add_worksheet(), report, &f)?;
    wb.save_to_buffer()
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

fn summary_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    print_setup(ws);
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 44)?;
    for c in 2..=5 {
        ws.set_column_width(c, 15)?;
    }
    ws.write_string_with_format(0, 0, "Alcance weekly report", &f.title)?;
    ws.write_string_with_format(1, 0, format!("Week {}", week_text(report)), &f.subtitle)?;
    ws.write_string_with_format(
        2,
        0,
        format!(
            "Generated {} UTC · post figures as of {} UTC · — means no data (never 0) · change % is against last week",
            report.generated_at.format("%Y-%m-%d %H:%M"),
            report.posts_as_of.format("%Y-%m-%d %H:%M")
        ),
        &f.subtitle,
    )?;
    let headers = ["Account", "KPI", "This week", "Last week", "Change", "Change %"];
    let mut row = 4;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    row += 1;
    for line in report.summary.iter().chain(report.account_kpis.iter()) {
        let format = if line.unit == "percent" {
            &f.percent_pts
        } else {
            &f.count
        };
        ws.write_string_with_format(row, 0, line.account.as_deref().unwrap_or("All accounts"), &f.text)?;
        ws.write_string_with_format(row, 1, &line.label, &f.text)?;
        cell(ws, row, 2, line.change.current, format, f)?;
        cell(ws, row, 3, line.change.previous, format, f)?;
        let change_format = if line.unit == "percent" {
            &f.points
        } else {
            &f.signed_count
        };
        cell(ws, row, 4, line.change.abs_change, change_format, f)?;
        cell(ws, row, 5, line.change.pct_change, &f.signed_pct, f)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Recommendations", &f.title)?;
    row += 1;
    let wrap = Format::new().set_text_wrap();
    for group in &report.recommendations {
        for r in &group.items {
            ws.write_string_with_format(row, 0, &group.account, &f.text)?;
            ws.write_string_with_format(row, 1, format!("{} ({})", r.title, severity_text(r.severity)), &f.text)?;
            ws.merge_range(row, 2, row, 5, &r.detail, &wrap)?;
            ws.set_row_height(row, 48)?;
            row += 1;
        }
        if group.items.is_empty() {
            ws.write_string_with_format(row, 0, &group.account, &f.text)?;
            ws.write_string_with_format(row, 1, "Nothing to change this week", &f.text)?;
            row += 1;
        }
    }
    Ok(())
}

fn trends_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    const SHEET: &str = "Trends";
    // The two charts side by side on top, the daily table under them.
    const TOP: u32 = 21;
    const CHART_W: u32 = 620;
    ws.set_name(SHEET)?;
    print_setup(ws);
    let t = &report.trends;
    let n_eng = t.engagement.len() as u16;
    let n_fol = t.followers.len() as u16;
    // Columns: A date | engagement per account | blank | date | followers per account.
    let fol_date_col = 1 + n_eng + 1;
    ws.set_column_width(0, 12)?;
    ws.set_column_width(fol_date_col, 12)?;
    ws.write_string_with_format(TOP, 0, "Day (UTC)", &f.header)?;
    ws.write_string_with_format(TOP, fol_date_col, "Day (UTC)", &f.header)?;
    for (i, line) in t.engagement.iter().enumerate() {
        let col = 1 + i as u16;
        ws.set_column_width(col, 16)?;
        ws.write_string_with_format(TOP, col, format!("{} interactions", line.label), &f.header)?;
    }
    for (i, line) in t.followers.iter().enumerate() {
        let col = fol_date_col + 1 + i as u16;
        ws.set_column_width(col, 16)?;
        ws.write_string_with_format(TOP, col, format!("{} followers", line.label), &f.header)?;
    }
    ws.set_row_height(TOP, 45)?;
    for (d, day) in t.days.iter().enumerate() {
        let row = TOP + 1 + d as u32;
        if let Some(x) = excel_date(*day) {
            ws.write_datetime_with_format(row, 0, &x, &f.date)?;
            ws.write_datetime_with_format(row, fol_date_col, &x, &f.date)?;
        }
        for (i, line) in t.engagement.iter().enumerate() {
            if let Some(v) = line.values.get(d).copied().flatten() {
                ws.write_number_with_format(row, 1 + i as u16, v, &f.count)?;
            }
        }
        for (i, line) in t.followers.iter().enumerate() {
            if let Some(v) = line.values.get(d).copied().flatten() {
                ws.write_number_with_format(row, fol_date_col + 1 + i as u16, v, &f.count)?;
            }
        }
    }
    if t.days.is_empty() {
        ws.write_string_with_format(0, 0, "No days to chart.", &f.subtitle)?;
        return Ok(());
    }
    let last = TOP + t.days.len() as u32;
    let line_chart = |title: &str, y: &str, date_col: u16, first: u16, count: u16| {
        let mut chart = Chart::new_line();
        chart.title().set_name(title);
        chart.x_axis().set_name("Day (UTC)");
        chart.x_axis().set_date_axis(true);
        chart.x_axis().set_num_format("dd/mm");
        chart.y_axis().set_name(y);
        chart.y_axis().set_num_format("#,##0");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.show_empty_cells_as(ChartEmptyCells::Gaps);
        for k in 0..count {
            let col = first + k;
            chart
                .add_series()
                .set_name((SHEET, TOP, col))
                .set_categories((SHEET, TOP + 1, date_col, last, date_col))
                .set_values((SHEET, TOP + 1, col, last, col));
        }
        chart.set_width(CHART_W).set_height(390);
        chart
    };
    if n_eng > 0 {
        let chart = line_chart(
            "Daily engagement (interactions gained per day)",
            "Interactions",
            0,
            1,
            n_eng,
        );
        ws.insert_chart_with_offset(0, 0, &chart, 4, 4)?;
    }
    if n_fol > 0 {
        let chart = line_chart("Follower growth", "Followers", fol_date_col, fol_date_col + 1, n_fol);
        ws.insert_chart_with_offset(0, 0, &chart, CHART_W + 24, 4)?;
    }
    Ok(())
}

fn content_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    const SHEET: &str = "Content types";
    const CHART_COL: u16 = 7;
    ws.set_name(SHEET)?;
    print_setup(ws);
    let headers = [
        "Content type",
        "Posts",
        "Share of posts",
        "Mean interactions per post",
        "Engagement rate by reach (%)",
        "Engagement rate by impressions (%)",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, if c == 0 { 16 } else { 18 })?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 45)?;
    let share = Format::new()
        .set_num_format("0.0%")
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xD0D4DA));
    for (i, line) in report.content_types.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, &line.content_type, &f.text)?;
        ws.write_number_with_format(row, 1, line.posts as f64, &f.count)?;
        ws.write_number_with_format(row, 2, line.share, &share)?;
        cell(ws, row, 3, line.mean_interactions, &f.decimal, f)?;
        // The chart reads a hidden copy where no data is a blank (a "—" would plot as 0).
        if let Some(v) = line.mean_interactions.filter(|v| v.is_finite()) {
            ws.write_number(row, CHART_COL, v)?;
        }
        cell(ws, row, 4, line.engagement_rate_by_reach, &f.percent_pts, f)?;
        cell(ws, row, 5, line.engagement_rate_by_impressions, &f.percent_pts, f)?;
    }
    let note_row = report.content_types.len() as u32 + 2;
    ws.write_string_with_format(
        note_row,
        0,
        format!(
            "Posts published {} – {} (UTC). Engagement rates are Σ interactions / Σ base × 100 over the posts that have both.",
            report.content_window.start.format("%Y-%m-%d"),
            (report.content_window.end - TimeDelta::days(1)).format("%Y-%m-%d")
        ),
        &f.subtitle,
    )?;
    if !report.content_types.is_empty() {
        let last = report.content_types.len() as u32;
        let mut chart = Chart::new_column();
        chart.title().set_name("Mean interactions per post by content type");
        ws.write_string(0, CHART_COL, "Mean interactions per post")?;
        ws.set_column_hidden(CHART_COL)?;
        chart.show_hidden_data();
        chart
            .add_series()
            .set_name((SHEET, 0, CHART_COL))
            .set_categories((SHEET, 1, 0, last, 0))
            .set_values((SHEET, 1, CHART_COL, last, CHART_COL));
        chart.x_axis().set_name("Content type");
        chart.y_axis().set_name("Interactions per post");
        chart.y_axis().set_num_format("#,##0");
        chart.legend().set_hidden();
        chart.set_width(640).set_height(340);
        ws.insert_chart(note_row + 2, 0, &chart)?;
    }
    Ok(())
}

fn best_time_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Best times")?;
    print_setup(ws);
    let bt = &report.best_time;
    let index = bt.options.normalization == Normalization::PerAccount;
    ws.write_string_with_format(0, 0, "Best time to post", &f.title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Mean {} of posts published per weekday and hour ({}), {} – {}; a slot needs {} posts. {} posts used.",
            if index {
                "interactions index (1.00 = the account's average)"
            } else {
                "interactions"
            },
            bt.time_zone,
            bt.window_start.format("%Y-%m-%d"),
            bt.window_end.format("%Y-%m-%d"),
            bt.options.min_posts,
            bt.posts_used
        ),
        &f.subtitle,
    )?;
    let top = 3u32;
    ws.set_column_width(0, 12)?;
    for h in 0..24u16 {
        ws.set_column_width(1 + h, 5.5)?;
        ws.write_string_with_format(top, 1 + h, format!("{h:02}"), &f.header)?;
    }
    ws.write_string_with_format(top, 0, "Weekday", &f.header)?;
    let heat = Format::new()
        .set_num_format(if index { "0.00" } else { "#,##0" })
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xE0E0E0));
    let count = Format::new()
        .set_num_format("0")
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xE0E0E0));
    let empty = Format::new()
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xE0E0E0));
    let counts_top = top + 10;
    ws.write_string_with_format(counts_top - 1, 0, "Posts per slot", &f.title)?;
    ws.write_string_with_format(counts_top, 0, "Weekday", &f.header)?;
    for h in 0..24u16 {
        ws.write_string_with_format(counts_top, 1 + h, format!("{h:02}"), &f.header)?;
    }
    for d in 0..7u32 {
        let name = WEEKDAYS[d as usize];
        ws.write_string_with_format(top + 1 + d, 0, name, &f.header)?;
        ws.write_string_with_format(counts_top + 1 + d, 0, name, &f.header)?;
        for h in 0..24u32 {
            let slot = bt.slots.get((d * 24 + h) as usize);
            let col = 1 + h as u16;
            match slot.and_then(|s| s.mean).filter(|m| m.is_finite()) {
                Some(m) => ws.write_number_with_format(top + 1 + d, col, m, &heat)?,
                None => ws.write_blank(top + 1 + d, col, &empty)?,
            };
            let posts = slot.map_or(0, |s| s.posts);
            ws.write_number_with_format(counts_top + 1 + d, col, f64::from(posts), &count)?;
        }
    }
    let scale = ConditionalFormat3ColorScale::new()
        .set_minimum_color(Color::RGB(HEAT_LOW))
        .set_midpoint_color(Color::RGB(HEAT_MID))
        .set_maximum_color(Color::RGB(HEAT_HIGH));
    ws.add_conditional_format(top + 1, 1, top + 7, 24, &scale)?;
    let list_top = counts_top + 10;
    ws.write_string_with_format(list_top - 1, 0, "Top slots", &f.title)?;
    if bt.top.is_empty() {
        ws.write_string_with_format(list_top, 0, "Not enough posts per slot yet.", &f.subtitle)?;
    }
    for (i, s) in bt.top.iter().enumerate() {
        ws.write_string(
            list_top + i as u32,
            0,
            format!(
                "{}. {} {:02}:00–{:02}:59 · {} posts · mean {}",
                i + 1,
                WEEKDAYS[s.weekday.num_days_from_monday() as usize],
                s.hour,
                s.hour,
                s.posts,
                crate::html::fmt_decimal(s.mean, 2)
            ),
        )?;
    }
    Ok(())
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

fn top_posts_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Top posts")?;
    print_setup(ws);
    let headers = [
        ("Rank", 6.0),
        ("Account", 24.0),
        ("Content type", 12.0),
        ("Published (UTC)", 17.0),
        ("Interactions", 12.0),
        ("Reach", 11.0),
        ("Impressions", 12.0),
        ("ER by reach (%)", 11.0),
        ("ER by impressions (%)", 12.0),
        ("Post id", 22.0),
        ("Caption", 40.0),
        ("Link", 36.0),
    ];
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 30)?;
    for (i, p) in report.top_posts.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number_with_format(row, 0, p.rank as f64, &f.count)?;
        ws.write_string_with_format(row, 1, &p.account, &f.text)?;
        ws.write_string_with_format(row, 2, &p.content_type, &f.text)?;
        match p.published_at.and_then(excel_time) {
            Some(t) => ws.write_datetime_with_format(row, 3, &t, &f.datetime)?,
            None => ws.write_string_with_format(row, 3, crate::html::DASH, &f.dash)?,
        };
        ws.write_number_with_format(row, 4, p.interactions, &f.count)?;
        cell(ws, row, 5, p.reach, &f.count, f)?;
        cell(ws, row, 6, p.impressions, &f.count, f)?;
        cell(ws, row, 7, p.engagement_rate_by_reach, &f.percent_pts, f)?;
        cell(ws, row, 8, p.engagement_rate_by_impressions, &f.percent_pts, f)?;
        ws.write_string_with_format(row, 9, &p.post_id, &f.text)?;
        ws.write_string_with_format(row, 10, p.caption.as_deref().unwrap_or(""), &f.text)?;
        ws.write_string_with_format(row, 11, p.permalink.as_deref().unwrap_or(""), &f.text)?;
    }
    if report.top_posts.is_empty() {
        ws.write_string_with_format(1, 0, "No post was published this week.", &f.subtitle)?;
    }
    Ok(())
}
