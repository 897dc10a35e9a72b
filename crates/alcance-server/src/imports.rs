//! Imports of platform exports (issue 17 point 5; docs/imports.md): `POST /api/v1/imports`
//! takes the file as the raw request body (at most the server's 1 MiB body limit; larger
//! files through `alcance import` or the desktop app) with the account, kind and (generic
//! CSV) column mapping as query parameters; `GET /api/v1/imports` lists what was imported.
//! Both go through `alcance_app::imports`.

use crate::auth::Caller;
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::imports::{self, ColumnMap, ImportKind, ImportOutcome, ImportRequest, ImportRow};
use alcance_app::AccountId;
use axum::body::Bytes;
use axum::extract::State;
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

/// What the body is and where it goes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The account to import into (`/api/v1/accounts` id). Required.
    #[param(example = 3)]
    pub account: Option<String>,
    /// `x_archive` (tweets.js), `meta_posts`, `meta_daily`, `tiktok_daily`, `tiktok_videos`,
    /// `youtube_videos`, `youtube_daily` or `generic_csv`. Required.
    #[param(example = "meta_posts")]
    pub kind: Option<String>,
    /// The file's name as chosen (kept in the import's record); default `import`.
    #[param(example = "Instagram posts.csv")]
    pub file_name: Option<String>,
    /// `generic_csv`: the column mapping, `COLUMN=FIELD` pairs separated by `;` (FIELD:
    /// `post_id`, `date`, `published_at`, `caption`, `permalink` or a metric key).
    #[param(example = "Post=post_id;Likes=likes")]
    pub map: Option<String>,
    /// `true`: answer what would be imported and store nothing.
    #[param(example = true)]
    pub dry_run: Option<bool>,
}

/// Which account's imports to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// One account's imports (`/api/v1/accounts` id); default every account's.
    #[param(example = 3)]
    pub account: Option<String>,
}

/// The account id of a query, when the caller may see it (else "not found").
fn account(caller: &Caller, value: Option<&str>) -> Result<Option<AccountId>, ApiError> {
    let Some(id) = params::id("account", value)? else {
        return Ok(None);
    };
    if !caller.sees_account(id) {
        return Err(ApiError::not_found(format!("account {id} not found")));
    }
    Ok(Some(AccountId::from(id)))
}

/// Imports a platform export (the raw file as the body) into an account: lines that do not
/// parse are listed with their line numbers and the good ones stored, in one transaction;
/// values collected from the API are never overwritten (differing ones are listed as
/// conflicts); the same file twice adds nothing (`already_imported`).
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "imports",
    params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The exported file's bytes (tweets.js, a CSV), at most 1 MiB"),
    responses(
        (status = 200, description = "What was read, added, already stored, in conflict and refused", body = ImportOutcome),
        (status = 400, description = "A missing or bad account, kind or mapping, or a kind that does not fit the account's platform", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<ImportParams>,
    body: Bytes,
) -> Result<Json<ImportOutcome>, ApiError> {
    let Some(account) = account(&caller, q.account.as_deref())? else {
        return Err(ApiError::invalid(
            "account is required: the id of the account to import into",
        ));
    };
    let kind_text = q.kind.as_deref().unwrap_or_default();
    let kind: ImportKind = kind_text.parse().map_err(|_| {
        ApiError::invalid(format!(
            "kind {kind_text:?} is not one of {}",
            ImportKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let pairs: Vec<&str> = q
        .map
        .as_deref()
        .unwrap_or_default()
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let map = ColumnMap::from_args(&pairs).map_err(ApiError::invalid)?;
    let file_name = q.file_name.unwrap_or_else(|| "import".to_string());
    let request = ImportRequest {
        account,
        kind,
        file_name: &file_name,
        bytes: &body,
        map: &map,
        dry_run: q.dry_run.unwrap_or(false),
    };
    Ok(Json(
        imports::import_file(state.workspace(), &request, Utc::now()).await?,
    ))
}

/// The imports, newest first (a client: those into accounts shared with them).
#[utoipa::path(
    get,
    path = "/api/v1/imports",
    tag = "imports",
    params(ListParams),
    responses(
        (status = 200, description = "Every import: file, kind, hash and counts", body = Vec<ImportRow>),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<ImportRow>>, ApiError> {
    let account = account(&caller, q.account.as_deref())?;
    let rows = imports::list_imports(state.workspace(), account).await?;
    Ok(Json(
        rows.into_iter().filter(|r| caller.sees_account(r.account_id)).collect(),
    ))
}

/// The header and first lines of a CSV (the raw body) as the generic import reads them,
/// with the fields and metric keys a column can be mapped to: the web UI's mapping step.
#[utoipa::path(
    post,
    path = "/api/v1/imports/preview",
    tag = "imports",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The CSV's bytes, at most 1 MiB"),
    responses(
        (status = 200, description = "The header, up to 5 data lines, the fields and the metric keys", body = imports::CsvPreview),
        (status = 400, description = "A body with no header line", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn preview(body: Bytes) -> Result<Json<imports::CsvPreview>, ApiError> {
    Ok(Json(imports::preview_csv(&body, 5)?))
}
