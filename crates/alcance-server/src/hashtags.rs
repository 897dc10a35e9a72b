//! `/api/v1/hashtags`: hashtag performance over the workspace's own posts (captions parsed,
//! no API call; `alcance_app::views::hashtags`) with the filters of the other views, and
//! the tracked hashtags (`alcance_app::hashtags`): list with X daily volume, Instagram
//! media counts and the Instagram 30-per-7-days budget; track; untrack. Own-post
//! performance is any signed-in caller's (a client's cut to the accounts shared with
//! them); tracked hashtags are read by analysts and changed by managers (the role table,
//! [`crate::auth::ROUTES`]).

use crate::auth::Caller;
use crate::params::ApiQuery;
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::hashtags::{self as tracked, TrackedHashtag, TrackedHashtags};
use alcance_app::people::Outcome;
use alcance_app::views::{self, HashtagPerformance};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters of the hashtag performance list (as the posts list's).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HashtagParams {
    /// Only this account's posts (`/api/v1/accounts` id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub account_id: Option<String>,
    /// Only this platform's posts: `x`, `instagram`, `facebook`, ... (any letter case).
    #[param(example = "instagram")]
    pub platform: Option<String>,
    /// Posts published on or after this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    pub start_date: Option<String>,
    /// Posts published on or before this UTC day, `YYYY-MM-DD` (inclusive); metrics are
    /// the latest collected before the day after it.
    #[param(value_type = Option<String>, format = Date, example = "2026-11-30")]
    pub end_date: Option<String>,
}

/// The hashtags of the workspace's own posts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HashtagList {
    /// Most interactions first, then most posts, then by name.
    pub items: Vec<HashtagPerformance>,
}

/// `?untracked=true` lists the untracked hashtags too.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackedParams {
    /// `true` to list the untracked hashtags too (their data stays); default `false`.
    #[param(value_type = Option<bool>)]
    pub untracked: Option<String>,
}

/// The hashtag to track.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TrackBody {
    /// The hashtag, with or without `#` (`"#SãoPaulo"`, `"verão_2026"`): one word of
    /// letters, digits or `_` with a letter.
    pub tag: String,
}

/// Every hashtag of the filtered posts' captions (Unicode-aware: `#São_Paulo`, `#日本`,
/// emoji next to a tag do not join it) with its posts (count), accounts, Σ reach, Σ
/// impressions, Σ views, Σ interactions (counts, `null` when no post has them),
/// engagement rate (Σ interactions ÷ Σ views × 100 over posts with both, percent 0–100),
/// first and last use (UTC) and its weekly trend (posts and interactions per UTC week
/// starting Monday). Computed from stored captions and metrics, no platform call.
#[utoipa::path(
    get,
    path = "/api/v1/hashtags",
    tag = "hashtags",
    params(HashtagParams),
    responses(
        (status = 200, description = "The hashtags of the workspace's own posts", body = HashtagList),
        (status = 400, description = "A bad date, platform or account id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `account_id`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_hashtags(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<HashtagParams>,
) -> Result<Json<HashtagList>, ApiError> {
    let filter = state
        .filter(
            &caller,
            q.account_id.as_deref(),
            q.platform.as_deref(),
            q.start_date.as_deref(),
            q.end_date.as_deref(),
        )
        .await?;
    let items = views::hashtags(state.workspace(), &filter).await?;
    Ok(Json(HashtagList { items }))
}

/// The tracked hashtags, by key, each with X public posts per UTC day over the last 7
/// days and their sum (collected with the X App's bearer token), and the Instagram top
/// and recent media its last collection listed (counts); whether the X bearer token is
/// set; the Instagram account's hashtag budget (30 unique hashtags per rolling 7 days:
/// used, remaining, when the next slot frees up, UTC).
#[utoipa::path(
    get,
    path = "/api/v1/hashtags/tracked",
    tag = "hashtags",
    params(TrackedParams),
    responses(
        (status = 200, description = "The tracked hashtags and the Instagram budget", body = TrackedHashtags),
        (status = 400, description = "`untracked` is not true or false", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tracked(
    State(state): State<ApiState>,
    ApiQuery(q): ApiQuery<TrackedParams>,
) -> Result<Json<TrackedHashtags>, ApiError> {
    let untracked = match q.untracked.as_deref().map(str::trim) {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "untracked must be true or false, not {other:?}"
            )))
        }
    };
    Ok(Json(tracked::tracked(state.workspace(), untracked, Utc::now()).await?))
}

/// Tracks a hashtag (again, if it was untracked). Nothing is called now: the next
/// collection run reads its X volume and Instagram media (at most once a UTC day).
#[utoipa::path(
    post,
    path = "/api/v1/hashtags/tracked",
    tag = "hashtags",
    request_body = TrackBody,
    responses(
        (status = 201, description = "The hashtag as tracked", body = TrackedHashtag),
        (status = 400, description = "Not a hashtag, or a body that is not `{\"tag\": \"...\"}`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn track(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<TrackBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<TrackedHashtag>), ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::invalid(format!("the body must be JSON {{\"tag\": \"#...\"}}: {e}")))?;
    let row = tracked::track(state.workspace(), &body.tag, Utc::now()).await?;
    audited(&state, &caller, "hashtag-track", &row.tag).await;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Stops tracking a hashtag; what was collected stays (listed with `?untracked=true`).
#[utoipa::path(
    delete,
    path = "/api/v1/hashtags/tracked/{tag}",
    tag = "hashtags",
    params(("tag" = String, Path, description = "The hashtag, with or without `#` (percent-encoded: `%23verão` or `verão`)")),
    responses(
        (status = 204, description = "Untracked"),
        (status = 400, description = "Not a hashtag", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The hashtag is not tracked", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn untrack(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(tag): Path<String>,
) -> Result<StatusCode, ApiError> {
    tracked::untrack(state.workspace(), &tag).await?;
    audited(&state, &caller, "hashtag-untrack", &tag).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn audited(state: &ApiState, caller: &Caller, action: &str, tag: &str) {
    if let Err(e) = alcance_app::people::audit(
        state.workspace(),
        Some(caller.email()),
        action,
        Some(&format!("hashtag {tag}")),
        Outcome::Ok,
        None,
    )
    .await
    {
        tracing::warn!(error = %e.message(), action, "cannot write the audit log");
    }
}
