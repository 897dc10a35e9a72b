//! The Inbox's commands (issue 17 point 3): comments, replies, mentions and tags with
//! filters and search, and per-post counts against the platforms' counters, through
//! `alcance_app::comments` (docs/comments.md).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::comments::{self, CommentCursor, CommentFilter, CommentPage, PostCommentCount};
use alcance_app::sentiment::{self, SentimentSummary};
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

/// The sentiment of the comments matching `filter` (its `sentiments` ignored): overall, per
/// day and week local to `time_zone` (IANA; the default `America/Sao_Paulo` when `None`),
/// per post, and the most liked positive and negative comments; shares are ratios 0–1.
/// Errors: `invalid_input` (an unknown time zone, `since` not before `until`, a search
/// without a word).
#[tauri::command]
#[specta::specta]
pub async fn sentiment_summary(
    state: State<'_, AppState>,
    filter: CommentFilter,
    time_zone: Option<String>,
) -> IpcResult<SentimentSummary> {
    let tz = alcance_app::zone::parse_optional(time_zone.as_deref())
        .map_err(|e| alcance_app::AppError::InvalidInput(e.to_string()))?
        .unwrap_or(sentiment::DEFAULT_TIME_ZONE);
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(sentiment::summary(&open.ws, &filter, tz).await?)
}
