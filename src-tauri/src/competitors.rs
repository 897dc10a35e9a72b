//! The Competitors screen's commands (issue 17 point 1): the competitor sets (list, add,
//! remove, a set's cadence), the share-of-voice terms, the view (own accounts beside the
//! competitors with the share of voice) and its files written into `<workspace>/exports/`
//! — thin wrappers over `alcance_app::competitors` (what the server's
//! `/api/v1/competitors` and `alcance competitors` call).

use crate::compare::{CompareFileKind, SavedComparison};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::collect::Cadence;
use alcance_app::competitors::{
    self, Competitor, CompetitorList, CompetitorSet, CompetitorsRequest, CompetitorsView, VoiceTerm,
};
use alcance_app::views::ChartLabels;
use alcance_app::{AccountId, ExportFormat};
use chrono::Utc;
use tauri::State;

/// The competitor sets, the competitors, the share-of-voice terms and whether the X
/// bearer token is set.
#[tauri::command]
#[specta::specta]
pub async fn list_competitors(state: State<'_, AppState>) -> IpcResult<CompetitorList> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(competitors::list(&open.ws).await?)
}

/// Makes an account a competitor in `set` (default `competitors`); it takes the set's
/// cadence. Errors: `not_found` for an unknown account.
#[tauri::command]
#[specta::specta]
pub async fn add_competitor(
    state: State<'_, AppState>,
    account_id: AccountId,
    set: Option<String>,
) -> IpcResult<Competitor> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(competitors::add(&open.ws, account_id, set.as_deref(), Utc::now()).await?)
}

/// Stops treating an account as a competitor (its data stays). `false` when it was not one.
#[tauri::command]
#[specta::specta]
pub async fn remove_competitor(state: State<'_, AppState>, account_id: AccountId) -> IpcResult<bool> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(competitors::remove(&open.ws, account_id).await?)
}

/// Sets a set's cadence and its members'. Errors: `invalid_input` for a bad cadence.
#[tauri::command]
#[specta::specta]
pub async fn set_competitor_cadence(
    state: State<'_, AppState>,
    set: Option<String>,
    cadence: Cadence,
) -> IpcResult<CompetitorSet> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let cadence = Cadence::from_kind(cadence.kind(), cadence.every_seconds())
        .map_err(|e| IpcError::new(ErrorCode::InvalidInput, e.to_string()))?;
    Ok(competitors::set_cadence(&open.ws, set.as_deref(), cadence, Utc::now()).await?)
}

/// Adds a share-of-voice term. Errors: `invalid_input` (blank, `from:`, a line break, too long).
#[tauri::command]
#[specta::specta]
pub async fn add_voice_term(state: State<'_, AppState>, term: String) -> IpcResult<VoiceTerm> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(competitors::add_voice_term(&open.ws, &term, Utc::now()).await?)
}

/// Stops counting a term (its counts stay). `false` when it was not counted.
#[tauri::command]
#[specta::specta]
pub async fn remove_voice_term(state: State<'_, AppState>, term: String) -> IpcResult<bool> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(competitors::remove_voice_term(&open.ws, &term).await?)
}

/// The Competitors view of `request`, its chart drawn with `labels`. Errors:
/// `invalid_input` (an empty window, an unknown time zone), `not_found` (an unknown set).
#[tauri::command]
#[specta::specta]
pub async fn competitors_view(
    state: State<'_, AppState>,
    request: CompetitorsRequest,
    labels: ChartLabels,
) -> IpcResult<CompetitorsView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(competitors::view(&open.ws, &request, &labels, Utc::now()).await?)
}

/// Writes the view as one file of `kind` (CSV, JSON, XLSX, or the chart as PNG) into
/// `<workspace>/exports/`, atomically. Errors: as [`competitors_view`], `io`.
#[tauri::command]
#[specta::specta]
pub async fn save_competitors(
    state: State<'_, AppState>,
    request: CompetitorsRequest,
    labels: ChartLabels,
    kind: CompareFileKind,
) -> IpcResult<SavedComparison> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let ws = &open.ws;
    let now = Utc::now();
    let (bytes, name) = match kind {
        CompareFileKind::Png => {
            let png = competitors::chart_png(ws, &request, &labels, now).await?;
            let view = competitors::view(ws, &request, &labels, now).await?;
            let name = competitors::file_name(&view.report, ExportFormat::Csv).replace(".csv", ".png");
            (png, name)
        }
        other => {
            let format = match other {
                CompareFileKind::Csv => ExportFormat::Csv,
                CompareFileKind::Json => ExportFormat::Json,
                _ => ExportFormat::Xlsx,
            };
            let (view, bytes) = competitors::export(ws, &request, &labels, format, now).await?;
            (bytes, competitors::file_name(&view.report, format))
        }
    };
    let dir = ws.dir().join("exports");
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
