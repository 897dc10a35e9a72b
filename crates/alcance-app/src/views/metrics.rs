//! Stored metric values as the REST API serves them: one account's values over whole UTC
//! days, in the long format of the brief's export (`metric_type, value, collected_at,
//! period_start, period_end`; `GET /api/v1/metrics`), and one post's snapshots
//! (`GET /api/v1/posts/{id}/metrics`).

use crate::error::{AppError, Result};
use crate::workspace::Workspace;
use alcance_core::{AccountId, Period, Platform};
use alcance_store::RowFilter;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// Which values [`account_metrics`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsQuery {
    /// The account (`accounts.id`).
    pub account_id: AccountId,
    /// When given, the account must be on this platform (else [`AppError::NotFound`]).
    pub platform: Option<Platform>,
    /// First UTC day, inclusive, on `period_start`; `None` = from the first value.
    pub start_date: Option<NaiveDate>,
    /// Last UTC day, inclusive, on `period_start`; `None` = up to the last value.
    pub end_date: Option<NaiveDate>,
}

/// One stored account metric value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValueView {
    /// Catalog key (`followers`, `reach`, `impressions`, `profile_views`, ...).
    pub metric_type: String,
    /// Aggregation period: `snapshot`, `day`, `week`, `days_28`, `month`, `total`,
    /// `lifetime`.
    pub period: Period,
    /// Value in the catalog unit of `metric_type` (counts; `watch_time_seconds` in
    /// seconds); `None` when the platform served no data (never stored as 0).
    pub value: Option<f64>,
    /// When Alcance read the value, UTC.
    pub collected_at: DateTime<Utc>,
    /// Start of the period the value covers, UTC (a snapshot's hour).
    pub period_start: DateTime<Utc>,
    /// End of the period, UTC (equal to `period_start` for a snapshot).
    pub period_end: DateTime<Utc>,
}

/// The stored metric values of one account whose `period_start` falls on a UTC day from
/// `start_date` to `end_date` (both inclusive), ordered by metric, `period_start`, period,
/// `period_end`, `collected_at`.
///
/// Errors: [`AppError::InvalidInput`] when `end_date` is before `start_date`;
/// [`AppError::NotFound`] when the account does not exist or is not on `platform`; store
/// errors.
pub async fn account_metrics(ws: &Workspace, query: &MetricsQuery) -> Result<Vec<MetricValueView>> {
    if let (Some(start), Some(end)) = (query.start_date, query.end_date) {
        if end < start {
            return Err(AppError::InvalidInput(format!(
                "end_date {end} is before start_date {start}"
            )));
        }
    }
    let account = ws
        .store()
        .list_accounts()
        .await?
        .into_iter()
        .find(|a| query.account_id == a.id)
        .ok_or_else(|| AppError::NotFound(format!("account {} not found", query.account_id.get())))?;
    if let Some(platform) = query.platform {
        if account.account.platform != platform {
            return Err(AppError::NotFound(format!(
                "account {} is not a {} account (it is on {})",
                query.account_id.get(),
                platform.label(),
                account.account.platform.label()
            )));
        }
    }
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    let rows = ws
        .store()
        .account_metric_rows(&RowFilter {
            account_ids: vec![account.id],
            since: query.start_date.map(midnight),
            until: query.end_date.and_then(|d| d.succ_opt()).map(midnight),
            ..RowFilter::default()
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| MetricValueView {
            metric_type: r.metric_type,
            period: r.period,
            value: r.value,
            collected_at: r.collected_at,
            period_start: r.period_start,
            period_end: r.period_end,
        })
        .collect())
}

/// One stored snapshot of a post's lifetime metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostMetricValueView {
    /// Catalog key (`likes`, `comments`, `views`, `impressions`, `saves`, ...).
    pub metric_type: String,
    /// The post's lifetime total at `collected_at`, in the catalog unit (counts;
    /// `*_seconds` in seconds); `None` when the platform served no data.
    pub value: Option<f64>,
    /// When Alcance read it, UTC.
    pub collected_at: DateTime<Utc>,
}

/// The stored metric snapshots of post `post_id` (`posts.id`) collected on a UTC day from
/// `start_date` to `end_date` (both inclusive; `None` = open), ordered by metric, then
/// `collected_at`.
///
/// Errors: [`AppError::InvalidInput`] when `end_date` is before `start_date`;
/// [`AppError::NotFound`] when no post has this id; store errors.
pub async fn post_metric_history(
    ws: &Workspace,
    post_id: alcance_core::PostId,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
) -> Result<Vec<PostMetricValueView>> {
    if let (Some(start), Some(end)) = (start_date, end_date) {
        if end < start {
            return Err(AppError::InvalidInput(format!(
                "end_date {end} is before start_date {start}"
            )));
        }
    }
    let store = ws.store();
    let post = store
        .posts(&RowFilter::default())
        .await?
        .into_iter()
        .find(|p| post_id == p.id)
        .ok_or_else(|| AppError::NotFound(format!("post {} not found", post_id.get())))?;
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    let mut rows: Vec<PostMetricValueView> = store
        .post_metric_rows(&RowFilter {
            account_ids: vec![post.account_id],
            since: start_date.map(midnight),
            until: end_date.and_then(|d| d.succ_opt()).map(midnight),
            ..RowFilter::default()
        })
        .await?
        .into_iter()
        .filter(|r| r.post_id == post.external_id)
        .map(|r| PostMetricValueView {
            metric_type: r.metric_type,
            value: r.value,
            collected_at: r.collected_at,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.metric_type
            .cmp(&b.metric_type)
            .then(a.collected_at.cmp(&b.collected_at))
    });
    Ok(rows)
}
