//! The views as they were before the SQL aggregates of issue 16 point 4: every snapshot of
//! the window read and summed in Rust. Kept for the tests only, as the reference the new
//! queries must agree with on the same data (`tests::sql_aggregates_match_the_rust_reference`).

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
use alcance_report::series::{engagement_trend, follower_growth};
use alcance_store::{AccountRow, RowFilter};
use chrono::{DateTime, Duration, Utc};

/// What the KPI tiles are computed from, kept for the rest of the dashboard.
struct KpiParts {
    period: PeriodView,
    base: RowFilter,
    zone: Tz,
    accounts: Vec<AccountRow>,
    account_rows: Vec<AccountMetricRow>,
    post_rows: Vec<PostMetricRow>,
    interactions_now: Gains,
    kpis: Vec<Kpi>,
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
    // Post snapshots from a day before the previous period (baselines) to the end.
    let between = |since, until| RowFilter {
        since: Some(since),
        until: Some(until),
        ..base.clone()
    };
    let post_rows = store
        .post_metric_rows(&between(period.previous_since - Duration::days(2), period.until))
        .await?;
    let posts_now = store.posts(&between(period.since, period.until)).await?;
    let posts_before = store
        .posts(&between(period.previous_since, period.previous_until))
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
    Ok(KpiParts {
        period,
        base,
        zone,
        accounts,
        account_rows,
        post_rows,
        interactions_now: i_now,
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
        interactions_now: i_now,
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
    let best = old_best_time_of(&post_rows, &period, zone, labels)?;

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
