//! The collection log: runs and their events.

use super::*;
use crate::error::Result;
use crate::workspace::Workspace;
use alcance_core::{EventLevel, RunId, RunKind, RunStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One collection run.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    /// `collection_runs.id`.
    pub id: RunId,
    /// `demo`, `manual` or `scheduled`.
    pub kind: RunKind,
    /// `running`, `paused`, `ok`, `partial`, `failed` or `cancelled`.
    pub status: RunStatus,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEventView {
    /// `run_events.id`.
    pub id: i64,
    /// When, UTC.
    pub at: DateTime<Utc>,
    /// `info`, `warn`, `gap` or `error`.
    pub level: EventLevel,
    /// Stable machine code (`metric_removed`, `http_500`, `unauthorized`, ...).
    pub code: String,
    /// Human message (secrets redacted by the store).
    pub message: String,
    /// The account it is about, as `"@username (Platform)"`.
    pub account_label: Option<String>,
}

/// The last `limit` collection runs, newest first (`limit` is clamped to 1..=1000).
///
/// Errors: store errors.
pub async fn runs(ws: &Workspace, limit: u32) -> Result<Vec<RunView>> {
    let rows = ws.store().last_runs(i64::from(limit.clamp(1, 1000))).await?;
    Ok(rows.into_iter().map(run_view).collect())
}

/// Run `run_id` (`collection_runs.id`). Errors: no such run; the store failed.
pub async fn run(ws: &Workspace, run_id: RunId) -> Result<RunView> {
    Ok(run_view(ws.store().run(run_id.get()).await?))
}

fn run_view(r: alcance_store::RunRow) -> RunView {
    RunView {
        id: RunId(r.id),
        kind: r.kind,
        status: r.status,
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
pub async fn run_events(ws: &Workspace, run_id: RunId) -> Result<Vec<RunEventView>> {
    let store = ws.store();
    if store.run(run_id.get()).await.is_err() {
        return Err(ViewError::RunNotFound(run_id).into());
    }
    let labels = account_labels(&store.list_accounts().await?);
    Ok(store
        .run_events(run_id.get())
        .await?
        .into_iter()
        .map(|e| RunEventView {
            id: e.id,
            at: e.at,
            level: e.level,
            code: e.code,
            message: e.message,
            account_label: e.account_id.and_then(|id| labels.get(&id).cloned()),
        })
        .collect())
}
