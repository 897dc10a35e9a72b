//! The Hashtags screen's commands (issue 17 point 2): own-post hashtag performance and
//! tracked hashtags (X post volume, Instagram media, the Instagram budget) — thin wrappers
//! over `alcance_app::views::hashtags` and `alcance_app::hashtags` (what the server's
//! `/api/v1/hashtags` and `alcance hashtags` call).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::hashtags::{self, HashtagDetail, TrackedHashtag, TrackedHashtags};
use alcance_app::views::{self, HashtagPerformance, ViewFilter};
use chrono::Utc;
use secrecy::SecretString;
use tauri::State;

/// The hashtags of the filtered posts' captions with their performance (no API call).
/// Errors: `invalid_input` for a bad filter.
#[tauri::command]
#[specta::specta]
pub async fn own_hashtags(state: State<'_, AppState>, filter: ViewFilter) -> IpcResult<Vec<HashtagPerformance>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(views::hashtags(&open.ws, &filter).await?)
}

/// The tracked hashtags with their X volume and Instagram media counts, whether the X
/// bearer token is set, and the Instagram budget.
#[tauri::command]
#[specta::specta]
pub async fn tracked_hashtags(state: State<'_, AppState>) -> IpcResult<TrackedHashtags> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(hashtags::tracked(&open.ws, false, Utc::now()).await?)
}

/// Tracks a hashtag (`#SãoPaulo`, `verão`). Errors: `invalid_input` when it is not one.
#[tauri::command]
#[specta::specta]
pub async fn track_hashtag(state: State<'_, AppState>, tag: String) -> IpcResult<TrackedHashtag> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(hashtags::track(&open.ws, &tag, Utc::now()).await?)
}

/// Stops tracking a hashtag (its data stays). Errors: `invalid_input`, `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn untrack_hashtag(state: State<'_, AppState>, tag: String) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(hashtags::untrack(&open.ws, &tag).await?)
}

/// One hashtag in full under `filter`. Errors: `invalid_input`.
#[tauri::command]
#[specta::specta]
pub async fn hashtag_detail(state: State<'_, AppState>, tag: String, filter: ViewFilter) -> IpcResult<HashtagDetail> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(hashtags::show(&open.ws, &tag, &filter, Utc::now()).await?)
}

/// Checks the X App's bearer token with X and keeps it in the vault (never in the
/// database). Errors: `invalid_input` when X refuses it; `vault_*`.
#[tauri::command]
#[specta::specta]
pub async fn set_x_bearer(state: State<'_, AppState>, token: String) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(hashtags::set_x_bearer(&open.ws, SecretString::from(token)).await?)
}
