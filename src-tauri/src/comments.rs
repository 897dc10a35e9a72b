//! The Inbox's commands (issue 17 point 3): comments, replies, mentions and tags with
//! filters and search, and per-post counts against the platforms' counters, through
//! `alcance_app::comments` (docs/comments.md).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::comments::{self, CommentCursor, CommentFilter, CommentPage, PostCommentCount};
use tauri::State;

/// A page of comments matching `filter`, newest first, at most `limit` (1–500), after
/// `after` (the previous page's `next`). Errors: `invalid_input` (a limit out of range, a
/// search without a word, `since` not before `until`).
#[tauri::command]
#[specta::specta]
pub async fn list_comments(
    state: State<'_, AppState>,
    filter: CommentFilter,
    after: Option<CommentCursor>,
    limit: u32,
) -> IpcResult<CommentPage> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(comments::list(&open.ws, &filter, after, limit).await?)
}

/// Per post of `account_ids` (all when empty; only `post` when given), newest first, at
/// most `limit` (1–500): the comments stored against the platform's counter. Errors:
/// `invalid_input` (a limit out of range).
#[tauri::command]
#[specta::specta]
pub async fn comment_counts(
    state: State<'_, AppState>,
    account_ids: Vec<i64>,
    post: Option<String>,
    limit: u32,
) -> IpcResult<Vec<PostCommentCount>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(comments::post_counts(&open.ws, &account_ids, post.as_deref(), limit).await?)
}
