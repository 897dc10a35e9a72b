//! The dashboard: KPI tiles with period-over-period change, the follower-growth and
//! engagement-trend charts, the best-time heatmap (SVG, drawn by `alcance-report`) and the
//! top posts.

use super::accounts::account_labels;
use super::kpi::AccountGains;
use super::posts::{post_view, rates};
use super::*;
use crate::error::{AppError, Context, Result};
use crate::workspace::Workspace;
use alcance_core::analytics::best_time::{best_time, BestTimeOptions, Normalization, Tz};
use alcance_core::analytics::posts::PostMetrics;
use alcance_core::Platform;
use alcance_report::chart::{render_svg_with, ChartText, LineChart, DEFAULT_NO_DATA, DEFAULT_X_LABEL};
use alcance_report::heatmap::{
    post_engagements, render_best_time_svg, HeatmapChart, BEST_TIME_EXCLUDES, DEFAULT_HOUR_LABEL, DEFAULT_TITLE,
    ENGLISH_WEEKDAYS,
};
use alcance_report::series::{snapshot_series, Snapshot, INTERACTION_METRICS};
use alcance_store::aggregate::{AccountDayGain, AccountGain, GainBounds, GainPick};
use alcance_store::{AccountRow, RowFilter};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Chart size the dashboard renders, pixels (width × height).
pub const CHART_SIZE: (u32, u32) = (560, 360);
/// Posts the dashboard lists as top posts.
pub const TOP_POSTS: usize = 5;
/// Best-time slots the dashboard lists ([`DashboardView::best_time_slots`]).
pub const BEST_SLOTS: usize = 3;
/// Posts a best-time slot needs before the dashboard colors and ranks it.
pub const BEST_TIME_MIN_POSTS: u32 = 2;

/// Which KPI a tile shows.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiKey {
    /// Followers at the end of the period: the sum over accounts of each one's latest
    /// `followers` snapshot (X `public_metrics.followers_count`, Instagram
    /// `followers_count`) taken before the period's end. A count.
    Followers,
    /// Interactions gained in the period: likes + comments + replies + reposts + quotes +
    /// saves + shares, the sum of the posts' snapshot gains whose hour bucket is in the
    /// period (docs/analytics.md "Gains"), clamped at 0 per account. A count.
    Interactions,
    /// Views gained in the period: the gains of each post's `views` (Instagram) or, where a
    /// post has none, `impressions` (X `impression_count`), as interactions. A count.
    Views,
    /// Engagement rate: interactions ÷ views × 100 over the period. Percent 0–100.
    EngagementRate,
    /// Posts published in the period. A count.
    Posts,
}

/// The unit of a KPI value.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub(super) fn new(key: KpiKey, unit: KpiUnit, value: Option<f64>, previous: Option<f64>) -> Kpi {
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// What the KPI tiles are computed from, kept for the comparison (which reads one
/// account's tiles, then its best time over the same period and zone).
pub(super) struct KpiParts {
    pub(super) period: PeriodView,
    pub(super) base: RowFilter,
    pub(super) zone: Tz,
    pub(super) kpis: Vec<Kpi>,
}

/// The KPI tiles for `filter` at `now` (UTC). Aggregated in the database: per account
/// its latest follower count before each bound, per account and period the sums of its
/// posts' gains (`Store::period_gains`, the rollup the write path keeps), the posts
/// counted; a few rows per account whatever the snapshots number.
pub(super) async fn kpi_parts(ws: &Workspace, filter: &ViewFilter, now: DateTime<Utc>) -> Result<KpiParts> {
    let period = filter.period(now)?;
    let base = filter.accounts_filter()?;
    let zone = filter.zone()?;
    let kpis = kpi_tiles(ws, &period, &base).await?;
    Ok(KpiParts {
        period,
        base,
        zone,
        kpis,
    })
}

/// The KPI tiles of `base` over `period` (see [`kpi_parts`]). Its five reads run at once
/// (on SQLite each on its own pooled connection and worker thread, on PostgreSQL each on
/// its own connection), so the tiles take about as long as the slowest read, not their
/// sum.
async fn kpi_tiles(ws: &Workspace, period: &PeriodView, base: &RowFilter) -> Result<Vec<Kpi>> {
    let store = ws.store();
    let between = |since, until| RowFilter {
        since: Some(since),
        until: Some(until),
        ..base.clone()
    };
    let (now_posts, before_posts) = (
        between(period.since, period.until),
        between(period.previous_since, period.previous_until),
    );
    let (followers_now, followers_before, rows, posts_now, posts_before) = tokio::try_join!(
        store.latest_followers(base, Some(period.until)),
        store.latest_followers(base, Some(period.since)),
        store.period_gains(
            base,
            GainBounds {
                previous_since: period.previous_since,
                since: period.since,
                until: period.until,
            },
            &INTERACTION_METRICS,
            "views",
            "impressions",
        ),
        store.count_posts(&now_posts),
        store.count_posts(&before_posts),
    )?;
    let followers = |rows: Vec<(i64, Option<f64>)>| {
        let values: Vec<f64> = rows.into_iter().filter_map(|(_, v)| v).collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };
    let (followers_now, followers_before) = (followers(followers_now), followers(followers_before));
    let gains = PeriodGains::of(&rows);

    let rate = |i: &AccountGains, v: &AccountGains| match (i.total(), v.total()) {
        (Some(i), Some(v)) if v > 0.0 => Some(i / v * 100.0),
        _ => None,
    };
    let kpis = vec![
        Kpi::new(KpiKey::Followers, KpiUnit::Count, followers_now, followers_before),
        Kpi::new(
            KpiKey::Interactions,
            KpiUnit::Count,
            gains.interactions_now.total(),
            gains.interactions_before.total(),
        ),
        Kpi::new(
            KpiKey::Views,
            KpiUnit::Count,
            gains.views_now.total(),
            gains.views_before.total(),
        ),
        Kpi::new(
            KpiKey::EngagementRate,
            KpiUnit::Percent,
            rate(&gains.interactions_now, &gains.views_now),
            rate(&gains.interactions_before, &gains.views_before),
        ),
        Kpi::new(
            KpiKey::Posts,
            KpiUnit::Count,
            Some(posts_now as f64),
            Some(posts_before as f64),
        ),
    ];
    Ok(kpis)
}

/// The dashboard's KPI tiles alone, as [`dashboard`] computes them, without its charts,
/// best-time heatmap and top posts (what `GET /api/v1/dashboard/kpis` serves): the period
/// and the tiles (followers, interactions, views, engagement rate as percent 0–100,
/// posts), each with the previous period's value.
///
/// Errors: as [`dashboard`].
pub async fn dashboard_kpis(ws: &Workspace, filter: &ViewFilter, now: DateTime<Utc>) -> Result<(PeriodView, Vec<Kpi>)> {
    let parts = kpi_parts(ws, filter, now).await?;
    Ok((parts.period, parts.kpis))
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
    // The accounts label the charts and the top posts (a row per account, read first).
    let accounts = store.list_accounts().await?;
    let labels_by_account = account_labels(&accounts);
    let text = ChartText {
        x_label: labels.date_axis.clone(),
        no_data: labels.no_data.clone(),
    };

    // The five parts at once, each reading and then drawing its own: the KPI tiles, the
    // two charts, the best-time heatmap and the top posts. Each read holds its own pooled
    // connection (SQLite: its own worker thread), so while one part's statement runs
    // another part draws its chart; the dashboard takes about as long as its slowest part
    // (docs/PERFORMANCE.md "The dashboard after session 28").
    let follower_chart = async {
        // Follower growth over the period: its snapshots only, read narrow (account id,
        // time, value) and labelled from the accounts already read.
        let snapshots = store
            .snapshot_values(&base, "followers", period.since, period.until)
            .await?;
        let by_id: HashMap<i64, &AccountRow> = accounts.iter().map(|a| (a.id, a)).collect();
        let mut series = snapshot_series(snapshots.iter().filter_map(|s| {
            let a = by_id.get(&s.account_id)?;
            Some(Snapshot {
                platform: a.account.platform,
                user_id: &a.account.external_id,
                username: a.account.username.as_deref(),
                period_start: s.period_start,
                collected_at: s.collected_at,
                value: s.value,
            })
        }));
        series.retain(|s| !s.points.is_empty());
        line_chart(series, &labels.follower_title, &labels.follower_y, &text)
            .context("rendering the follower-growth chart")
    };
    let engagement_chart = async {
        // Engagement trend: per account and UTC day its posts' gains (the rollup), clamped.
        let usernames = super::accounts::usernames_by_account(&accounts);
        let day_gains = store
            .day_gains(&base, &INTERACTION_METRICS, period.since, period.until)
            .await?;
        let mut series = trend_series(day_gains, &usernames);
        for s in &mut series {
            s.points.retain(|(t, _)| *t >= period.since && *t < period.until);
        }
        series.retain(|s| !s.points.is_empty());
        line_chart(series, &labels.engagement_title, &labels.engagement_y, &text)
            .context("rendering the engagement-trend chart")
    };
    let best_time = async {
        // Best time: the posts published in the period, each with its latest values.
        let posts = best_time_input(published_posts(ws, &base, &period).await?);
        best_time_of(&posts, &period, zone, labels)
    };
    let top_posts = async {
        // Top posts: most interactions gained in the period (per post its snapshots' gains).
        let gained = store
            .top_post_gains(&base, &INTERACTION_METRICS, period.since, period.until, TOP_POSTS)
            .await?;
        let top_ids: Vec<i64> = gained.iter().map(|(id, _)| *id).collect();
        let (rows, values) = tokio::try_join!(
            store.posts_by_id(&top_ids),
            store.latest_post_values(&top_ids, None, Some(period.until)),
        )?;
        let values = latest_by_post(values);
        Ok::<_, AppError>(
            gained
                .iter()
                .filter_map(|(id, gain)| {
                    let p = rows.iter().find(|p| p.id == *id)?;
                    let mut view = post_view(p, values.get(id), &labels_by_account);
                    view.interactions_gained = Some(*gain);
                    Some(view)
                })
                .collect::<Vec<PostView>>(),
        )
    };
    let (kpis, (follower_growth_svg, follower_points), (engagement_trend_svg, engagement_points), best, top) = tokio::try_join!(
        kpi_tiles(ws, &period, &base),
        follower_chart,
        engagement_chart,
        best_time,
        top_posts
    )?;

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

/// One of the dashboard's line charts over `series` as SVG ([`CHART_SIZE`]), with the
/// points it plots.
fn line_chart(
    series: Vec<alcance_report::chart::Series>,
    title: &str,
    y_label: &str,
    text: &ChartText,
) -> Result<(String, u32), alcance_report::ReportError> {
    let points = series.iter().map(|s| s.points.len() as u32).sum();
    let svg = render_svg_with(
        &LineChart {
            title: title.to_string(),
            y_label: y_label.to_string(),
            series,
            width: CHART_SIZE.0,
            height: CHART_SIZE.1,
        },
        text,
    )?;
    Ok((svg, points))
}

/// The posts of `base` published in `period` (`[since, until)`), each with its latest
/// values before `until`, read in one statement of one row per post
/// (`Store::published_with_values`); in no particular order.
pub(super) async fn published_posts(
    ws: &Workspace,
    base: &RowFilter,
    period: &PeriodView,
) -> Result<Vec<alcance_store::aggregate::PublishedPost>> {
    let posts = ws
        .store()
        .published_with_values(base, period.since, period.until, period.until)
        .await?;
    Ok(posts
        .into_iter()
        .filter(|p| p.published_at >= period.since && p.published_at < period.until)
        .collect())
}

/// Best-time input from [`published_posts`]: the posts with values, in the order the
/// reference reads them (account, then post id), so the slots' means add up in the same
/// order.
pub(super) fn best_time_input(posts: Vec<alcance_store::aggregate::PublishedPost>) -> Vec<PostMetrics> {
    let mut post_metrics: Vec<PostMetrics> = posts
        .into_iter()
        .filter(|p| !p.values.is_empty())
        .map(|p| PostMetrics {
            platform: p.platform,
            user_id: p.user_id,
            post_id: p.external_id,
            content_type: p.content_type.as_key().to_string(),
            published_at: Some(p.published_at),
            metrics: p.values.into_iter().map(|v| (v.metric, v.value)).collect(),
            collected_at: None,
            followers: None,
        })
        .collect();
    post_metrics.sort_by(|a, b| (a.platform, &a.user_id, &a.post_id).cmp(&(b.platform, &b.user_id, &b.post_id)));
    post_metrics
}

/// The engagement trend (interactions gained per UTC day, one series per account) from
/// each account's daily sums of its posts' gains (docs/analytics.md "Gains"): a day's
/// point is the sum clamped at 0.
fn trend_series(
    days: Vec<AccountDayGain>,
    usernames: &HashMap<(Platform, String), String>,
) -> Vec<alcance_report::chart::Series> {
    let mut accounts: BTreeMap<(Platform, String), BTreeMap<chrono::NaiveDate, f64>> = BTreeMap::new();
    for d in days {
        accounts
            .entry((d.platform, d.user_id))
            .or_default()
            .insert(d.day, d.gain.max(0.0));
    }
    let mut out: Vec<alcance_report::chart::Series> = accounts
        .into_iter()
        .map(|((platform, user_id), days)| {
            let username = usernames.get(&(platform, user_id.clone())).map(String::as_str);
            alcance_report::chart::Series {
                label: alcance_report::series::account_label(platform, &user_id, username),
                points: days
                    .into_iter()
                    .filter_map(|(day, gain)| day.and_hms_opt(0, 0, 0).map(|t| (t.and_utc(), gain)))
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// Per post, its latest value of each metric.
pub(super) fn latest_by_post(values: Vec<alcance_store::aggregate::PostValue>) -> HashMap<i64, HashMap<String, f64>> {
    let mut out: HashMap<i64, HashMap<String, f64>> = HashMap::new();
    for v in values {
        out.entry(v.post_id).or_default().insert(v.metric, v.value);
    }
    out
}

/// The gains of the accounts over the period and the previous one.
struct PeriodGains {
    interactions_now: AccountGains,
    interactions_before: AccountGains,
    views_now: AccountGains,
    views_before: AccountGains,
}

impl PeriodGains {
    /// Per account and period its gains clamped at 0 (an account whose counts fell back
    /// gained nothing; docs/analytics.md "Gains").
    fn of(rows: &[AccountGain]) -> PeriodGains {
        let mut out = PeriodGains {
            interactions_now: AccountGains::default(),
            interactions_before: AccountGains::default(),
            views_now: AccountGains::default(),
            views_before: AccountGains::default(),
        };
        for r in rows {
            let slot = match (r.pick, r.current) {
                (GainPick::Interactions, true) => &mut out.interactions_now,
                (GainPick::Interactions, false) => &mut out.interactions_before,
                (GainPick::Views, true) => &mut out.views_now,
                (GainPick::Views, false) => &mut out.views_before,
            };
            *slot.per_account.entry(r.account_id).or_insert(0.0) += r.gain.max(0.0);
        }
        out
    }
}

/// The dashboard's best-time heatmap, its best slots and the posts it counts.
pub(super) struct BestTimeParts {
    pub(super) svg: String,
    pub(super) slots: Vec<BestSlotView>,
    pub(super) posts: u32,
}

/// Best time over `posts`, the posts published in `period` (`[since, until)`) with their
/// latest values before `until`: each post's engagement rate (as
/// [`PostView::engagement_rate`]) in the slot of its local weekday and hour in `zone`;
/// stories left out; a slot needs [`BEST_TIME_MIN_POSTS`] posts; values as given (rates
/// are comparable across accounts), no minimum post age.
pub(super) fn best_time_of(
    posts: &[PostMetrics],
    period: &PeriodView,
    zone: Tz,
    labels: &ChartLabels,
) -> Result<BestTimeParts> {
    let engagements = post_engagements(posts, &BEST_TIME_EXCLUDES, |p| rates(|name| p.metric(name)).2);
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
