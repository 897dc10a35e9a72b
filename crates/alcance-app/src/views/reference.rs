//! The views computed from the raw rows in Rust: every snapshot read and the gains of
//! docs/analytics.md "Gains" worked out per row (independently of `post_metrics.gain` and
//! the `post_gain_hours` rollup the store keeps). Kept for the tests only, as the
//! reference the SQL reads must agree with on the same data
//! (`aggregate_tests::sql_aggregates_match_the_rust_reference`).

use super::accounts::account_labels;
use super::dashboard::BestTimeParts;
use super::kpi::*;
use super::posts::{latest_values, post_view};
use super::*;
use crate::error::{Context, Result};
use crate::workspace::Workspace;
use alcance_core::analytics::best_time::Tz;
use alcance_core::analytics::posts::{latest_post_metrics, published_in, PostMetrics, TimeRange};
use alcance_core::{AccountMetricRow, PostMetricRow};
use alcance_report::chart::{render_svg_with, ChartText, LineChart};
use alcance_report::series::{follower_growth, INTERACTION_METRICS};
use alcance_store::{AccountRow, RowFilter};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What the KPI tiles are computed from, kept for the rest of the dashboard.
struct KpiParts {
    period: PeriodView,
    base: RowFilter,
    zone: Tz,
    accounts: Vec<AccountRow>,
    account_rows: Vec<AccountMetricRow>,
    post_rows: Vec<PostMetricRow>,
    gains: Vec<RowGain>,
    kpis: Vec<Kpi>,
}

/// `metric` is one the interactions KPI sums.
fn interaction(metric: &str) -> bool {
    INTERACTION_METRICS.contains(&metric)
}

/// `metric` is one the views KPI sums (`impressions` of posts with `views` already left
/// out by [`row_gains`]).
fn exposure(metric: &str) -> bool {
    metric == "views" || metric == "impressions"
}

/// The KPI tiles for `filter` at `now` (UTC) and the rows they come from.
async fn kpi_parts(ws: &Workspace, filter: &ViewFilter, now: DateTime<Utc>) -> Result<KpiParts> {
    let period = filter.period(now)?;
    let base = filter.accounts_filter()?;
    let zone = filter.zone()?;
    let store = ws.store();
    let accounts = store.list_accounts().await?;

    // Follower snapshots up to the period's end (the KPI needs values before the previous
    // period too, the chart only the period itself).
    let account_rows = store
        .account_metric_rows(&RowFilter {
            until: Some(period.until),
            metrics: vec!["followers".into()],
            ..base.clone()
        })
        .await?;
    // Every post snapshot: a gain compares with the previous value, however old, and
    // whether a post has `views` at all decides its views.
    let post_rows = store.post_metric_rows(&base).await?;
    let gains = row_gains(&post_rows);
    let between = |since, until| RowFilter {
        since: Some(since),
        until: Some(until),
        ..base.clone()
    };
    let posts_now = store.posts(&between(period.since, period.until)).await?;
    let posts_before = store
        .posts(&between(period.previous_since, period.previous_until))
        .await?;

    let gain = |pick: fn(&str) -> bool, since, until| period_gain(&gains, pick, since, until);
    let (i_now, i_prev) = (
        gain(interaction, period.since, period.until),
        gain(interaction, period.previous_since, period.previous_until),
    );
    let (v_now, v_prev) = (
        gain(exposure, period.since, period.until),
        gain(exposure, period.previous_since, period.previous_until),
    );
    let rate = |i: Option<f64>, v: Option<f64>| match (i, v) {
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
        Kpi::new(KpiKey::Interactions, KpiUnit::Count, i_now, i_prev),
        Kpi::new(KpiKey::Views, KpiUnit::Count, v_now, v_prev),
        Kpi::new(
            KpiKey::EngagementRate,
            KpiUnit::Percent,
            rate(i_now, v_now),
            rate(i_prev, v_prev),
        ),
        Kpi::new(
            KpiKey::Posts,
            KpiUnit::Count,
            Some(posts_now.len() as f64),
            Some(posts_before.len() as f64),
        ),
    ];
    Ok(KpiParts {
        period,
        base,
        zone,
        accounts,
        account_rows,
        post_rows,
        gains,
        kpis,
    })
}

/// The dashboard's KPI tiles alone, as [`dashboard`] computes them, without its charts,
/// best-time heatmap and top posts (what `GET /api/v1/dashboard/kpis` serves): the period
/// and the tiles (followers, interactions, views, engagement rate as percent 0–100,
/// posts), each with the previous period's value.
///
/// Errors: as [`dashboard`].
pub(super) async fn old_dashboard_kpis(
    ws: &Workspace,
    filter: &ViewFilter,
    now: DateTime<Utc>,
) -> Result<(PeriodView, Vec<Kpi>)> {
    let parts = kpi_parts(ws, filter, now).await?;
    Ok((parts.period, parts.kpis))
}

/// The dashboard for `filter` at `now` (UTC): KPIs over the period and the previous one,
/// the two charts and the best-time heatmap (words from `labels`) and the top posts.
///
/// Errors: [`ViewError`] for a bad filter (platform, date range, time zone); store errors
/// (database unreadable).
pub(super) async fn old_dashboard(
    ws: &Workspace,
    filter: &ViewFilter,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<DashboardView> {
    let KpiParts {
        period,
        base,
        zone,
        accounts,
        account_rows,
        post_rows,
        gains,
        kpis,
    } = kpi_parts(ws, filter, now).await?;
    let store = ws.store();
    let labels_by_account = account_labels(&accounts);

    // Charts over the period.
    let in_period: Vec<AccountMetricRow> = account_rows
        .into_iter()
        .filter(|r| r.period_start >= period.since)
        .collect();
    let mut followers_series = follower_growth(&in_period);
    let usernames = super::accounts::usernames_by_account(&accounts);
    let mut engagement_series = trend(&gains, &period, &usernames);
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
    let best = old_best_time_of(&post_rows, &period, zone, labels)?;

    // Top posts: most interactions gained in the period, per post the sum of its rows'
    // gains.
    let all_posts = store.posts(&base).await?;
    let latest = latest_values(&post_rows, period.until);
    let mut per_post: BTreeMap<PostKey, f64> = BTreeMap::new();
    for g in &gains {
        if interaction(&g.metric) && g.bucket >= period.since && g.bucket < period.until {
            *per_post.entry(g.post.clone()).or_insert(0.0) += g.gain;
        }
    }
    let mut top: Vec<PostView> = all_posts
        .iter()
        .filter_map(|p| {
            let key = (p.platform, p.user_id.clone(), p.external_id.clone());
            let gain = per_post.get(&key).copied().filter(|g| *g > 0.0)?;
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

/// The posts table: posts of the filtered accounts published in `[since, until)` (all
/// posts when unbounded), newest first, each with its latest metrics up to `until`.
///
/// Errors: [`ViewError`] for a bad filter; store errors.
pub(super) async fn old_posts(ws: &Workspace, filter: &ViewFilter) -> Result<Vec<PostView>> {
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

/// The engagement trend: per account and UTC day (of the snapshots' hour buckets in the
/// period) the sum of its posts' interaction gains, clamped at 0; one series per account
/// with a snapshot, labelled as `alcance_report::series` labels them, sorted by label.
fn trend(
    gains: &[RowGain],
    period: &PeriodView,
    usernames: &std::collections::HashMap<(alcance_core::Platform, String), String>,
) -> Vec<alcance_report::chart::Series> {
    let mut accounts: BTreeMap<(alcance_core::Platform, String), BTreeMap<DateTime<Utc>, f64>> = BTreeMap::new();
    for g in gains {
        if interaction(&g.metric) && g.bucket >= period.since && g.bucket < period.until {
            *accounts
                .entry((g.post.0, g.post.1.clone()))
                .or_default()
                .entry(alcance_store::time::day_bucket(g.bucket))
                .or_insert(0.0) += g.gain;
        }
    }
    let mut out: Vec<alcance_report::chart::Series> = accounts
        .into_iter()
        .map(|((platform, user_id), days)| alcance_report::chart::Series {
            label: alcance_report::series::account_label(
                platform,
                &user_id,
                usernames.get(&(platform, user_id.clone())).map(String::as_str),
            ),
            points: days.into_iter().map(|(day, g)| (day, g.max(0.0))).collect(),
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// Best time over the posts published in `period` (`[since, until)`): each post's
/// engagement rate (as [`PostView::engagement_rate`], from its latest snapshot before
/// `until`) in the slot of its local weekday and hour in `zone`; stories left out; a slot
/// needs [`BEST_TIME_MIN_POSTS`] posts; values as given (rates are comparable across
/// accounts), no minimum post age.
pub(super) fn old_best_time_of(
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
    // The slotting, the heatmap and the best slots are the dashboard's own: the reference
    // differs only in how it finds each post's latest values.
    let kept: Vec<PostMetrics> = published_in(&posts, range).into_iter().cloned().collect();
    super::dashboard::best_time_of(&kept, period, zone, labels)
}
