//! `GET /api/v1/posts/{id}/thumbnail`: a post's picture kept in the workspace (issue 13
//! point 3; docs/media.md). The file is read from this server's own workspace folder
//! (`<workspace>/media/`): in a team workspace the pictures are on the disk of the machine
//! that collected them, so a post collected by a member's desktop app has a `kept` row but
//! no file here, and answers 404 until this server collects it too.

use crate::auth::Caller;
use crate::params;
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::views;
use alcance_app::PostId;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// A post's kept picture (its thumbnail, else its image) as the file itself: `image/png`,
/// `image/jpeg`, `image/gif` or `image/webp`, at most 2 MiB. Clients see only posts of
/// the accounts shared with them.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}/thumbnail",
    tag = "posts",
    params(("id" = i64, Path, description = "The post id (`id` in `/api/v1/posts`)", minimum = 1)),
    responses(
        (status = 200, description = "The picture", content_type = "image/*", body = Vec<u8>),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post has this id, or it has no picture kept on this server", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_thumbnail(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    if caller.shares.is_some() {
        // A client: only posts of the accounts shared with them; any other is "not found".
        let filter = state.filter(&caller, None, None, None, None).await?;
        let visible = views::posts(state.workspace(), &filter).await?;
        if !visible.iter().any(|p| p.id == PostId(id)) {
            return Err(ApiError::not_found(format!("post {id} not found")));
        }
    }
    match state.workspace().post_picture(id).await? {
        Some((content_type, bytes)) => Ok((
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            bytes,
        )
            .into_response()),
        None => Err(ApiError::not_found(format!(
            "post {id} has no picture kept on this server"
        ))),
    }
}
