//! The posts' pictures kept in the workspace (docs/media.md), for the webview: a kept file
//! goes over IPC as a `data:` URL, which the CSP's `img-src 'self' data:` already allows,
//! so no asset protocol or file path is opened to the webview. Only files the fetcher
//! wrote (`<workspace>/media/<sha256>.<png|jpg|gif|webp>`, listed in `post_media`) are read.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::PostId;
use tauri::State;

/// The kept picture of post `post_id` as a `data:` URL (`data:image/png;base64,…`), or
/// `null` when it has none (not downloaded yet, expired, too large, or a video's URL only).
#[tauri::command]
#[specta::specta]
pub async fn post_picture(state: State<'_, AppState>, post_id: PostId) -> IpcResult<Option<String>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let picture = open.ws.post_picture(post_id.get()).await?;
    Ok(picture.map(|(content_type, bytes)| alcance_app::media::data_url(&content_type, &bytes)))
}
