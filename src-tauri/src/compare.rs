//! The Compare screen's commands (issue 13 point 2): 2–6 accounts side by side over a
//! window, and the comparison saved as CSV / JSON / XLSX (or its chart as PNG) into
//! `<workspace>/exports/` — thin wrappers over `alcance_app::views::compare` (what the
//! server's `/api/v1/compare` and `alcance compare` call). Windows are UTC days; the best
//! slots are in the window's time zone.

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::views::{self, ChartLabels, CompareRequest, CompareView};
use alcance_app::{ExportFormat, Workspace};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::State;

/// A comparison file written by [`save_comparison`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SavedComparison {
    /// Where it was written: `<workspace>/exports/compare-<first day>-<last day>.<ext>`
    /// (an older file of the same name is replaced).
    pub path: String,
    /// Its size, bytes.
    pub bytes: u64,
}

/// What [`save_comparison`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum CompareFileKind {
    /// The table as CSV (one row per account).
    Csv,
    /// The comparison as JSON.
    Json,
    /// The table and the daily followers as an Excel workbook.
    Xlsx,
    /// The followers chart as a PNG image.
    Png,
}

/// The comparison of `request` (2–6 accounts, a window, the window's time zone) with its
/// chart drawn with `labels`. Errors: `invalid_input` (not 2–6 accounts, a repeated one, an
/// empty window, an unknown time zone), `not_found` (an account that does not exist).
#[tauri::command]
#[specta::specta]
pub async fn compare_accounts(
    state: State<'_, AppState>,
    request: CompareRequest,
    labels: ChartLabels,
) -> IpcResult<CompareView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(views::compare(&open.ws, &request, &labels, Utc::now()).await?)
}

/// Writes the comparison as one file of `kind` into `<workspace>/exports/`, atomically,
/// and returns where and how big. Errors: as [`compare_accounts`], `io`.
#[tauri::command]
#[specta::specta]
pub async fn save_comparison(
    state: State<'_, AppState>,
    request: CompareRequest,
    labels: ChartLabels,
    kind: CompareFileKind,
) -> IpcResult<SavedComparison> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let dir = open.ws.dir().join("exports");
    save(&open.ws, &request, &labels, kind, Utc::now(), dir).await
}

async fn save(
    ws: &Workspace,
    request: &CompareRequest,
    labels: &ChartLabels,
    kind: CompareFileKind,
    now: DateTime<Utc>,
    dir: PathBuf,
) -> IpcResult<SavedComparison> {
    let (bytes, name) = match kind {
        CompareFileKind::Png => {
            let view = views::compare(ws, request, labels, now).await?;
            let name = views::compare_file_name(&view.comparison, ExportFormat::Csv).replace(".csv", ".png");
            (views::compare_chart_png(ws, request, labels, now).await?, name)
        }
        CompareFileKind::Csv | CompareFileKind::Json | CompareFileKind::Xlsx => {
            let format = match kind {
                CompareFileKind::Csv => ExportFormat::Csv,
                CompareFileKind::Json => ExportFormat::Json,
                _ => ExportFormat::Xlsx,
            };
            let (view, bytes) = views::compare_file(ws, request, labels, format, now).await?;
            (bytes, views::compare_file_name(&view.comparison, format))
        }
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("creating {}: {e}", dir.display())))?;
    let path = dir.join(name);
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    alcance_app::reports::write_report_file(&path, bytes).await?;
    Ok(SavedComparison {
        path: path.display().to_string(),
        bytes: size,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use alcance_app::AccountId;
    use chrono::TimeZone;

    #[tokio::test]
    async fn a_comparison_of_unknown_accounts_is_not_found_and_one_account_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = alcance_app::Store::open(&dir.path().join("alcance.db")).await.unwrap();
        let ws = alcance_app::testing::workspace_on(dir.path(), store).await.unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap();
        let labels = ChartLabels::default();
        let request = CompareRequest {
            account_ids: vec![AccountId(1), AccountId(2)],
            ..CompareRequest::default()
        };
        let out = dir.path().join("exports");
        let e = save(&ws, &request, &labels, CompareFileKind::Csv, now, out.clone())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound, "{e:?}");
        let one = CompareRequest {
            account_ids: vec![AccountId(1)],
            ..CompareRequest::default()
        };
        let e = save(&ws, &one, &labels, CompareFileKind::Xlsx, now, out.clone())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
        assert!(!out.exists(), "nothing written");
    }
}
