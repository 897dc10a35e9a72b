//! The Import screen's commands (issue 17 point 5; docs/imports.md): preview a CSV's first
//! lines for the column mapping, import (or dry-run) a platform export into an account, and
//! list the imports — thin wrappers over `alcance_app::imports`, which `alcance import` and
//! `POST /api/v1/imports` call too. The file travels as base64 text (the webview reads the
//! picked file's bytes; UTF-16 exports must not be decoded as UTF-8 on the way).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::imports::{self, ColumnMap, CsvPreview, ImportKind, ImportOutcome, ImportRequest, ImportRow};
use alcance_app::AccountId;
use chrono::Utc;
use tauri::State;

/// The header and first `rows` lines of a CSV (base64), with the fields and metric keys a
/// column can be mapped to. Errors: `invalid_input` (not base64, no header line).
#[tauri::command]
#[specta::specta]
pub async fn preview_import_csv(content_base64: String, rows: u32) -> IpcResult<CsvPreview> {
    let bytes = imports::decode_base64(&content_base64)?;
    Ok(imports::preview_csv(&bytes, rows.min(50) as usize)?)
}

/// Imports (or with `dry_run` previews) a platform export into an account: counts, the
/// conflicts with stored values (kept) and the refused lines. `map` is the generic CSV's
/// `(column, field)` pairs. Errors: `not_found` (account), `invalid_input` (a kind that does
/// not fit the account's platform, a bad mapping, not base64).
#[tauri::command]
#[specta::specta]
pub async fn import_export(
    state: State<'_, AppState>,
    account_id: AccountId,
    kind: ImportKind,
    file_name: String,
    content_base64: String,
    map: Vec<(String, String)>,
    dry_run: bool,
) -> IpcResult<ImportOutcome> {
    let bytes = imports::decode_base64(&content_base64)?;
    let pairs: Vec<String> = map.iter().map(|(c, f)| format!("{c}={f}")).collect();
    let map = ColumnMap::from_args(&pairs).map_err(alcance_app::AppError::InvalidInput)?;
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let request = ImportRequest {
        account: account_id,
        kind,
        file_name: &file_name,
        bytes: &bytes,
        map: &map,
        dry_run,
    };
    Ok(imports::import_file(&open.ws, &request, Utc::now()).await?)
}

/// The imports, newest first; of one account when given.
#[tauri::command]
#[specta::specta]
pub async fn list_imports(state: State<'_, AppState>, account_id: Option<AccountId>) -> IpcResult<Vec<ImportRow>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(imports::list_imports(&open.ws, account_id).await?)
}
