//! The account comparison (issue 13 point 2): 2–6 accounts of the workspace (own
//! connections, tracked profiles, campaign influencers) side by side over one window, with
//! the dashboard's definitions — each account's figures are the dashboard's KPI tiles and
//! best-time heatmap filtered to that account — a followers chart and its files (CSV,
//! JSON, XLSX through `alcance_report::compare`).

use super::accounts::account_labels;
use super::dashboard::{best_time_input, best_time_of, kpi_parts, published_posts};
use super::*;
use crate::error::{Context, Result};
use crate::workspace::Workspace;
use alcance_core::AccountId;
use alcance_report::chart::{render_png_with, render_svg_with, ChartText, LineChart, Series};
pub use alcance_report::compare::{
    mix_text, slot_text, CompareSlot, ComparedAccount, Comparison, ContentShare, DayValue,
};
use alcance_report::export::ExportFormat;
use alcance_report::series::follower_growth;
use alcance_store::RowFilter;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fewest accounts a comparison takes.
pub const MIN_COMPARED: usize = 2;
/// Most accounts a comparison takes.
pub const MAX_COMPARED: usize = 6;

/// What to compare.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareRequest {
    /// Store ids of the accounts (`accounts.id`), [`MIN_COMPARED`]–[`MAX_COMPARED`] of
    /// them, no repeats; the comparison keeps this order.
    pub account_ids: Vec<AccountId>,
    /// Inclusive start of the window, UTC; default `until` − 30 days
    /// ([`DEFAULT_PERIOD_DAYS`]).
    pub since: Option<DateTime<Utc>>,
    /// Exclusive end of the window, UTC; default "now".
    pub until: Option<DateTime<Utc>>,
    /// IANA time zone of the best slots (the window's Settings zone); `None` or blank =
    /// UTC.
    pub time_zone: Option<String>,
}

/// The comparison and its chart, as the Compare screen shows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareView {
    /// The table: one entry per account, in the order asked.
    pub comparison: Comparison,
    /// Followers per UTC day, one line per account: a standalone SVG document,
    /// [`CHART_SIZE`] px, drawn with the follower-growth chart's labels.
    pub chart_svg: String,
    /// Points plotted in the chart (0 = "No data yet").
    pub chart_points: u32,
}

impl CompareRequest {
    /// The dashboard filter of one account over this request's window and zone.
    fn filter_of(&self, id: AccountId) -> ViewFilter {
        ViewFilter {
            platforms: Vec::new(),
            account_ids: vec![id],
            since: self.since,
            until: self.until,
            time_zone: self.time_zone.clone(),
        }
    }

    /// Checks the account list (count, repeats) and the window and zone.
    fn check(&self, now: DateTime<Utc>) -> Result<(PeriodView, alcance_core::analytics::best_time::Tz), ViewError> {
        let n = self.account_ids.len();
        if !(MIN_COMPARED..=MAX_COMPARED).contains(&n) {
            return Err(ViewError::CompareCount { given: n });
        }
        for (i, id) in self.account_ids.iter().enumerate() {
            if self.account_ids[..i].contains(id) {
                return Err(ViewError::RepeatedAccount(*id));
            }
        }
        let filter = self.filter_of(AccountId(0));
        Ok((filter.period(now)?, filter.zone()?))
    }
}

/// Compares the accounts of `request` at `now` (UTC). Per account, over the window
/// `[since, until)`:
/// - followers at the end and at the start, growth (count and percent): the dashboard's
///   followers tile;
/// - interactions, views and the engagement rate (interactions ÷ views × 100, percent
///   0–100): the dashboard's tiles;
/// - posts published and posts per week (`posts ÷ (window days ÷ 7)`);
/// - the best slot (weekday and hour in the request's zone) of the dashboard's best-time
///   heatmap of that account;
/// - the content mix (share of the window's posts per content type, percent);
/// - followers per UTC day (the day's last snapshot), also drawn as the chart (words from
///   `labels`: `follower_title`, `follower_y`, `date_axis`, `no_data`).
///
/// Errors: [`ViewError::CompareCount`] (not 2–6 accounts), [`ViewError::RepeatedAccount`],
/// [`ViewError::AccountNotFound`] (code `not_found`), [`ViewError::EmptyRange`],
/// [`ViewError::UnknownTimeZone`]; store errors.
pub async fn compare(
    ws: &Workspace,
    request: &CompareRequest,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<CompareView> {
    let (period, zone) = request.check(now)?;
    compare_checked(ws, request, period, zone.name(), labels, now).await
}

/// As [`compare`] for any number of accounts (none included: the table is empty and the
/// chart says "No data yet"); repeats, the window and the zone are still checked. The
/// competitor view's table ([`crate::competitors::view`]).
///
/// Errors: as [`compare`], without [`ViewError::CompareCount`].
pub(crate) async fn compare_any(
    ws: &Workspace,
    request: &CompareRequest,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<CompareView> {
    for (i, id) in request.account_ids.iter().enumerate() {
        if request.account_ids[..i].contains(id) {
            return Err(ViewError::RepeatedAccount(*id).into());
        }
    }
    let filter = request.filter_of(AccountId(0));
    let period = filter.period(now)?;
    let zone = filter.zone()?;
    compare_checked(ws, request, period, zone.name(), labels, now).await
}

async fn compare_checked(
    ws: &Workspace,
    request: &CompareRequest,
    period: PeriodView,
    zone: &str,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<CompareView> {
    let store = ws.store();
    let accounts = store.list_accounts().await?;
    let labels_by_account = account_labels(&accounts);
    let mut out = Vec::with_capacity(request.account_ids.len());
    let mut series = Vec::with_capacity(request.account_ids.len());
    for id in &request.account_ids {
        let Some(row) = accounts.iter().find(|a| a.id == id.get()) else {
            return Err(ViewError::AccountNotFound(*id).into());
        };
        let label = labels_by_account.get(&row.id).cloned().unwrap_or_default();
        let (account, line) = one_account(ws, request, *id, row.account.platform, label, labels, now)
            .await
            .with_context(|| format!("comparing account {id}"))?;
        out.push(account);
        series.push(line);
    }
    series.retain(|s: &Series| !s.points.is_empty());
    let chart_points = series.iter().map(|s| s.points.len() as u32).sum();
    let chart = LineChart {
        title: labels.follower_title.clone(),
        y_label: labels.follower_y.clone(),
        series,
        width: CHART_SIZE.0,
        height: CHART_SIZE.1,
    };
    let text = ChartText {
        x_label: labels.date_axis.clone(),
        no_data: labels.no_data.clone(),
    };
    let chart_svg = render_svg_with(&chart, &text).context("rendering the comparison chart")?;
    Ok(CompareView {
        comparison: Comparison {
            since: period.since,
            until: period.until,
            time_zone: zone.to_string(),
            accounts: out,
        },
        chart_svg,
        chart_points,
    })
}

/// One account's column and its chart line.
async fn one_account(
    ws: &Workspace,
    request: &CompareRequest,
    id: AccountId,
    platform: alcance_core::Platform,
    label: String,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<(ComparedAccount, Series)> {
    let parts = kpi_parts(ws, &request.filter_of(id), now).await?;
    let kpi = |key: KpiKey| parts.kpis.iter().find(|k| k.key == key);
    let followers = kpi(KpiKey::Followers);
    let followers_end = followers.and_then(|k| k.value);
    let followers_start = followers.and_then(|k| k.previous);
    let follower_growth_count = match (followers_end, followers_start) {
        (Some(end), Some(start)) => Some(end - start),
        _ => None,
    };
    let period = parts.period;
    let published = published_posts(ws, &parts.base, &period).await?;
    let posts = published.len() as u32;
    let weeks = (period.until - period.since).num_seconds() as f64 / (7.0 * 86_400.0);
    let mut mix: BTreeMap<String, u32> = BTreeMap::new();
    for p in &published {
        *mix.entry(p.content_type.as_key().to_string()).or_default() += 1;
    }
    let best = best_time_of(&best_time_input(published), &period, parts.zone, labels)?;
    let mut content_mix: Vec<ContentShare> = mix
        .into_iter()
        .map(|(content_type, n)| ContentShare {
            content_type,
            posts: n,
            share: f64::from(n) / f64::from(posts.max(1)) * 100.0,
        })
        .collect();
    content_mix.sort_by(|a, b| b.posts.cmp(&a.posts).then_with(|| a.content_type.cmp(&b.content_type)));

    // Followers per UTC day: the day's last snapshot in the window.
    let rows: Vec<alcance_core::AccountMetricRow> = ws
        .store()
        .account_metric_rows(&RowFilter {
            since: Some(period.since),
            until: Some(period.until),
            metrics: vec!["followers".into()],
            ..parts.base.clone()
        })
        .await?
        .into_iter()
        .filter(|r| r.period_start >= period.since && r.period_start < period.until)
        .collect();
    let mut per_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for s in follower_growth(&rows) {
        for (t, v) in s.points {
            // Points are sorted by time: the day's last one wins.
            per_day.insert(t.date_naive(), v);
        }
    }
    let daily_followers: Vec<DayValue> = per_day
        .iter()
        .map(|(day, value)| DayValue {
            day: *day,
            value: *value,
        })
        .collect();
    let line = Series {
        label: label.clone(),
        points: per_day
            .iter()
            .filter_map(|(day, v)| day.and_hms_opt(0, 0, 0).map(|t| (t.and_utc(), *v)))
            .collect(),
    };
    let account = ComparedAccount {
        account_id: id,
        platform,
        label,
        followers: followers_end,
        followers_start,
        follower_growth: follower_growth_count,
        follower_growth_percent: followers.and_then(|k| k.change_percent),
        interactions: kpi(KpiKey::Interactions).and_then(|k| k.value),
        views: kpi(KpiKey::Views).and_then(|k| k.value),
        engagement_rate: kpi(KpiKey::EngagementRate).and_then(|k| k.value),
        posts,
        posts_per_week: if weeks > 0.0 { f64::from(posts) / weeks } else { 0.0 },
        best_slot: best.slots.first().map(|s| CompareSlot {
            weekday: s.weekday,
            hour: s.hour,
            mean: s.mean,
            posts: s.posts,
        }),
        content_mix,
        daily_followers,
    };
    Ok((account, line))
}

/// The comparison's chart as a PNG ([`CHART_SIZE`] px, the SVG's picture) for a file.
///
/// Errors: as [`compare`]; rendering errors.
pub async fn compare_chart_png(
    ws: &Workspace,
    request: &CompareRequest,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let view = compare(ws, request, labels, now).await?;
    followers_png(&view.comparison, labels)
}

/// The followers chart of `comparison` as a PNG ([`CHART_SIZE`] px): one line per account
/// with daily followers.
///
/// Errors: rendering errors.
pub(crate) fn followers_png(comparison: &Comparison, labels: &ChartLabels) -> Result<Vec<u8>> {
    let series: Vec<Series> = comparison
        .accounts
        .iter()
        .filter(|a| !a.daily_followers.is_empty())
        .map(|a| Series {
            label: a.label.clone(),
            points: a
                .daily_followers
                .iter()
                .filter_map(|d| d.day.and_hms_opt(0, 0, 0).map(|t| (t.and_utc(), d.value)))
                .collect(),
        })
        .collect();
    let chart = LineChart {
        title: labels.follower_title.clone(),
        y_label: labels.follower_y.clone(),
        series,
        width: CHART_SIZE.0,
        height: CHART_SIZE.1,
    };
    let text = ChartText {
        x_label: labels.date_axis.clone(),
        no_data: labels.no_data.clone(),
    };
    render_png_with(&chart, &text).context("rendering the comparison chart")
}

/// The comparison (as [`compare`]) and its file in `format`: CSV (one row per account),
/// JSON (the [`Comparison`]) or XLSX (the table and the daily followers); see
/// `alcance_report::compare::comparison_file`.
///
/// Errors: as [`compare`]; rendering errors.
pub async fn compare_file(
    ws: &Workspace,
    request: &CompareRequest,
    labels: &ChartLabels,
    format: ExportFormat,
    now: DateTime<Utc>,
) -> Result<(CompareView, Vec<u8>)> {
    let view = compare(ws, request, labels, now).await?;
    let bytes = alcance_report::compare::comparison_file(&view.comparison, format)
        .with_context(|| format!("writing the comparison as {format}"))?;
    Ok((view, bytes))
}

/// A file name for the comparison's file: `compare-<first day>-<last day>.<ext>` (UTC days
/// of the window).
pub fn compare_file_name(comparison: &Comparison, format: ExportFormat) -> String {
    let last = comparison.until - chrono::Duration::seconds(1);
    format!(
        "compare-{}-{}.{}",
        comparison.since.format("%Y-%m-%d"),
        last.max(comparison.since).format("%Y-%m-%d"),
        format.extension()
    )
}
