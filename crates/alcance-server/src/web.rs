//! The web UI: `alcance serve` serves the desktop app's Svelte UI (the built `ui/dist`)
//! to browsers at `/`, and the few routes its screens need in the desktop's own view
//! types (`alcance_app::views`), so that one UI talks to either transport (Tauri IPC on
//! the desktop, this HTTP API in a browser; see docs/adr/0009).
//!
//! The UI's files are read into memory once at start ([`WebUi::load`]) and answered by
//! exact path only (no file system access per request, so no path can escape the
//! folder), with their own content security policy ([`UI_CSP`]): scripts from this
//! server only, no inline script.

use crate::auth::Caller;
use crate::collection::LiveEvent;
use crate::model::Run;
use crate::params::ApiQuery;
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::views::{self, AccountView, ChartLabels, DashboardView, ExportFormatView};
use alcance_app::PlatformInfo;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// The content security policy of the web UI's answers: its script and stylesheet from
/// this server only (no inline script; inline style attributes, which Svelte's templates
/// use, are allowed), the charts as `data:` SVG images, requests to this server only.
pub const UI_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
frame-ancestors 'none'";

/// Most files [`WebUi::load`] reads (a built UI has a handful).
pub const MAX_FILES: usize = 500;
/// Most bytes [`WebUi::load`] reads in all (64 MiB).
pub const MAX_BYTES: u64 = 64 << 20;

/// Marks an answer of the web UI, for [`crate::auth::security_headers`] (which then sets
/// [`UI_CSP`] and keeps the answer's own `Cache-Control`).
#[derive(Debug, Clone, Copy)]
pub struct UiAnswer;

/// The built web UI in memory: every file of the folder by its URL path (`/index.html`,
/// `/assets/index-1a2b.js`) with its content type. Cheap to clone.
#[derive(Debug, Clone)]
pub struct WebUi {
    files: Arc<HashMap<String, (Bytes, &'static str)>>,
}

impl WebUi {
    /// Reads the built UI in `dir` (Vite's `ui/dist`: `index.html` and `assets/`).
    ///
    /// Errors: `dir` has no `index.html`, a file cannot be read, or there are more than
    /// [`MAX_FILES`] files or [`MAX_BYTES`] bytes. Symbolic links are not followed.
    pub fn load(dir: &Path) -> std::io::Result<WebUi> {
        let mut files = HashMap::new();
        let mut total = 0u64;
        let mut pending = vec![dir.to_path_buf()];
        while let Some(folder) = pending.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                let path = entry.path();
                if kind.is_dir() {
                    pending.push(path);
                } else if kind.is_file() {
                    let Ok(relative) = path.strip_prefix(dir) else { continue };
                    let Some(relative) = relative.to_str() else { continue };
                    let bytes = std::fs::read(&path)?;
                    total += bytes.len() as u64;
                    if files.len() >= MAX_FILES || total > MAX_BYTES {
                        return Err(std::io::Error::other(format!(
                            "{} holds more than {MAX_FILES} files or {MAX_BYTES} bytes: is it a built UI?",
                            dir.display()
                        )));
                    }
                    let url = format!("/{}", relative.replace('\\', "/"));
                    files.insert(url, (Bytes::from(bytes), content_type(relative)));
                }
            }
        }
        if !files.contains_key("/index.html") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} has no index.html: build the UI with `npm --prefix ui run build`",
                    dir.display()
                ),
            ));
        }
        Ok(WebUi { files: Arc::new(files) })
    }

    /// The file at URL `path` (`/` is `/index.html`): its bytes and content type.
    pub fn get(&self, path: &str) -> Option<(Bytes, &'static str)> {
        let path = if path == "/" { "/index.html" } else { path };
        self.files.get(path).cloned()
    }

    /// How many files it holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// `true` when it holds no file (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// The content type of a UI file by its extension; `application/octet-stream` when unknown.
fn content_type(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The answer to any path no route serves: a file of the web UI (GET and HEAD only; the
/// hashed `assets/` may be cached for a year, `index.html` is never cached), else 404
/// problem+json (405 for another method on a UI path).
pub async fn fallback(State(state): State<ApiState>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let file = if path.starts_with("/api/") {
        None
    } else {
        state.web_ui().and_then(|ui| ui.get(path))
    };
    let Some((bytes, mime)) = file else {
        return crate::not_found(uri).await;
    };
    if method != Method::GET && method != Method::HEAD {
        return crate::method_not_allowed(method, uri).await;
    }
    let cache = if path.starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-store"
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response.extensions_mut().insert(UiAnswer);
    response
}

/// The dashboard's filters and words.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// Only this account (`/api/v1/accounts` id); all accounts when absent.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub account_id: Option<String>,
    /// Only this platform (any letter case); all when absent.
    #[param(example = "instagram")]
    pub platform: Option<String>,
    /// First UTC day of the period, `YYYY-MM-DD` (inclusive); default: 30 days before its end.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-01")]
    pub start_date: Option<String>,
    /// Last UTC day of the period, `YYYY-MM-DD` (inclusive); default: up to now.
    #[param(value_type = Option<String>, format = Date, example = "2025-05-31")]
    pub end_date: Option<String>,
    /// IANA time zone of the best-time heatmap (`America/Sao_Paulo`); default UTC.
    #[param(example = "America/Sao_Paulo")]
    pub time_zone: Option<String>,
    /// The charts' titles and axis labels in the UI's language, as a JSON object
    /// (`follower_title`, `follower_y`, `engagement_title`, `engagement_y`, `date_axis`,
    /// `no_data`, `best_time_title`, `hour_axis`, `weekdays`); default English.
    pub labels: Option<String>,
}

/// Everything the dashboard screen shows, in the desktop app's own shape
/// (`DashboardView`): the KPI tiles with their change over the previous period
/// (`period`, `kpis`), the follower-growth and engagement-trend charts and the best-time
/// heatmap as standalone SVG documents (`*_svg`, with their point and post counts), the
/// heatmap's best slots and time zone, and the top posts (`top_posts`, as `/api/v1/posts`
/// items plus `interactions_gained` in the period). Times are UTC RFC 3339.
#[utoipa::path(
    get,
    path = "/api/v1/dashboard",
    tag = "dashboard",
    params(DashboardParams),
    responses(
        (status = 200, description = "The dashboard (the desktop's DashboardView)", body = alcance_app::views::DashboardView),
        (status = 400, description = "A bad date, platform, account id, time zone or labels, or an empty period", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `account_id`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn dashboard(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<DashboardParams>,
) -> Result<Json<DashboardView>, ApiError> {
    let mut filter = state
        .filter(
            &caller,
            q.account_id.as_deref(),
            q.platform.as_deref(),
            q.start_date.as_deref(),
            q.end_date.as_deref(),
        )
        .await?;
    filter.time_zone = q.time_zone.filter(|z| !z.trim().is_empty());
    let labels: ChartLabels = match q.labels.as_deref() {
        None | Some("") => ChartLabels::default(),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| ApiError::invalid(format!("labels is not a JSON object of chart labels: {e}")))?,
    };
    Ok(Json(
        views::dashboard(state.workspace(), &filter, &labels, Utc::now()).await?,
    ))
}

/// `null` or a reference to the schema `name`, with the field's description.
fn nullable(name: &str, description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(utoipa::openapi::Ref::from_schema_name(name))
        .description(Some(description))
        .into()
}

fn live_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    nullable(
        "LiveEvent",
        "The latest progress of the run in flight (accounts done / total, percent 0–100, metrics); `null` when none.",
    )
}

fn last_run_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    nullable(
        "Run",
        "The newest finished run of the workspace (any worker's); `null` before the first.",
    )
}

/// What the collection of this server is doing, for the UI's sync line and buttons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CollectionStatus {
    /// `true` when this server collects (`alcance serve --collect`): sync now, pause,
    /// resume and cancel work. `false`: the server only reads.
    pub collecting: bool,
    /// Scheduling is paused.
    pub paused: bool,
    /// A run is in flight on this server.
    pub running: bool,
    /// The latest progress of that run (accounts done / total, metrics), if any.
    #[schema(schema_with = live_schema)]
    pub live: Option<LiveEvent>,
    /// The newest finished run of the workspace (any worker's), if any.
    #[schema(schema_with = last_run_schema)]
    pub last_run: Option<Run>,
    /// When the earliest scheduled collection is due, UTC; `null` while paused or with
    /// no schedulable account.
    pub next_run_at: Option<DateTime<Utc>>,
    /// Accounts whose token the platform refused (`"@username (Platform)"`): an admin
    /// connects them again in the desktop app.
    pub problems: Vec<String>,
}

/// What the collection is doing: whether this server collects, is paused or running
/// (with the run's progress), the newest finished run, the next scheduled collection and
/// the accounts that need connecting again.
#[utoipa::path(
    get,
    path = "/api/v1/collection",
    tag = "collection",
    responses(
        (status = 200, description = "The collection's status", body = CollectionStatus),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn collection_status(State(state): State<ApiState>) -> Result<Json<CollectionStatus>, ApiError> {
    let (collecting, paused, run, live) = match state.collection() {
        Ok(c) => {
            let (paused, run, live) = c.snapshot();
            (true, paused, run, live)
        }
        Err(_) => (false, false, None, None),
    };
    // The newest run made (by id: a demo workspace's simulated runs start later in the
    // day than a sync made now) that has finished.
    let last_run = views::runs(state.workspace(), 20)
        .await?
        .into_iter()
        .filter(|r| r.finished_at.is_some())
        .max_by_key(|r| r.id.get())
        .map(Run::from);
    let accounts: Vec<AccountView> = {
        let vault = state.vault().map(|v| v as &dyn alcance_app::vault::TokenVault);
        views::accounts(state.workspace(), vault, Utc::now()).await?
    };
    let next_run_at = if paused || !collecting {
        None
    } else {
        accounts.iter().filter_map(|a| a.next_run_at).min()
    };
    let problems = accounts
        .iter()
        .filter(|a| a.status == alcance_app::AccountStatus::NeedsReauth)
        .map(|a| a.label.clone())
        .collect();
    Ok(Json(CollectionStatus {
        collecting,
        paused,
        running: run.is_some(),
        live: live.filter(|l| Some(l.run_id) == run),
        last_run,
        next_run_at,
        problems,
    }))
}

/// Every platform Alcance connects to, in display order, as the desktop lists them:
/// `key`, `label`, `connect` form (`oauth_loopback`, `facebook_pages`, `access_token`),
/// English `help`, developer `portal`, `scopes`, `redirect` URI, default `port`,
/// `needs_secret`, `can_follow`. Connecting accounts is done in the desktop app.
#[utoipa::path(
    get,
    path = "/api/v1/platforms",
    tag = "accounts",
    responses(
        (status = 200, description = "The platforms (the desktop's PlatformInfo list)", body = Vec<alcance_app::PlatformInfo>),
    )
)]
pub async fn platforms() -> Json<Vec<PlatformInfo>> {
    Json(alcance_app::Workspace::platforms())
}

/// Every export format of `/api/v1/exports/{format}`, in display order: `format` (`csv`,
/// `json`, `xlsx`), English `label`, file `extension` and `mime_type` (of the file
/// itself; `csv` downloads as a zip of two CSVs).
#[utoipa::path(
    get,
    path = "/api/v1/exports",
    tag = "exports",
    responses(
        (status = 200, description = "The formats (the desktop's ExportFormatView list)", body = Vec<alcance_app::views::ExportFormatView>),
    )
)]
pub async fn export_formats() -> Json<Vec<ExportFormatView>> {
    Json(views::export_formats())
}

/// How often to collect an account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CadenceBody {
    /// `hourly`, `daily`, `weekly`, or `custom` (every `every_hours`).
    #[schema(value_type = String, example = "daily")]
    pub cadence: alcance_app::CadenceKind,
    /// The period of a `custom` cadence, hours 1–8760; ignored otherwise.
    #[schema(minimum = 1, maximum = 8760)]
    pub every_hours: Option<u32>,
}

/// Sets how often an account is collected and answers it as `/api/v1/accounts/{id}`
/// does, with its next run (its last collection plus the new period, or now when that
/// has passed; a collecting scheduler picks it up within a minute). Audited as `cadence`.
#[utoipa::path(
    put,
    path = "/api/v1/accounts/{id}/cadence",
    tag = "accounts",
    params(("id" = i64, Path, description = "The account id", minimum = 1)),
    request_body = CadenceBody,
    responses(
        (status = 200, description = "The account with its new cadence and next run", body = crate::model::Account),
        (status = 400, description = "A bad id, an unknown cadence, or a custom cadence without hours 1–8760", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_cadence(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: Result<Json<CadenceBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<crate::model::Account>, ApiError> {
    use alcance_app::collect::Cadence;
    use alcance_app::CadenceKind;
    let id = crate::params::id("id", Some(&id))?.unwrap_or_default();
    let Json(body) = body.map_err(|e| {
        ApiError::invalid(format!(
            "the body must be JSON {{\"cadence\": \"hourly|daily|weekly|custom\", \"every_hours\": 6}}: {e}"
        ))
    })?;
    let cadence = match (body.cadence, body.every_hours) {
        (CadenceKind::Hourly, _) => Cadence::Hourly,
        (CadenceKind::Daily, _) => Cadence::Daily,
        (CadenceKind::Weekly, _) => Cadence::Weekly,
        (CadenceKind::Custom, Some(h)) if (1..=8760).contains(&h) => Cadence::Custom {
            seconds: i64::from(h) * 3600,
        },
        (CadenceKind::Custom, hours) => {
            return Err(ApiError::invalid(format!(
                "a custom cadence needs every_hours from 1 to 8760, not {hours:?}"
            )))
        }
    };
    let known = state.accounts().await?;
    if !known.iter().any(|a| a.id.get() == id) {
        return Err(ApiError::not_found(format!("account {id} not found")));
    }
    alcance_app::scheduler::set_cadence(
        state.workspace().store(),
        alcance_app::AccountId(id),
        cadence,
        Utc::now(),
    )
    .await?;
    audit_account(&state, &caller, "cadence", id, Some(&format!("{cadence:?}"))).await;
    state.account(id).await.map(Json)
}

/// Writes `action` on account `id` to the audit log as the caller (a failure is logged).
async fn audit_account(state: &ApiState, caller: &Caller, action: &str, id: i64, detail: Option<&str>) {
    if let Err(e) = alcance_app::people::audit(
        state.workspace(),
        Some(caller.email()),
        action,
        Some(&id.to_string()),
        alcance_app::people::Outcome::Ok,
        detail,
    )
    .await
    {
        tracing::warn!(error = %e.message(), action, "cannot write the audit log");
    }
}

/// Disconnects an account: no more collection, its token leaves the vault (unless another
/// account collects with it), its data stays; connecting it again (in the desktop app)
/// resumes it. Answers it as `/api/v1/accounts/{id}` does. Audited as `account-disconnect`.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{id}/disconnect",
    tag = "accounts",
    params(("id" = i64, Path, description = "The account id", minimum = 1)),
    responses(
        (status = 200, description = "The account, status `disconnected`", body = crate::model::Account),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The token vault is not open on this server", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn disconnect_account(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<crate::model::Account>, ApiError> {
    let id = crate::params::id("id", Some(&id))?.unwrap_or_default();
    state.workspace().disconnect(alcance_app::AccountId(id)).await?;
    audit_account(&state, &caller, "account-disconnect", id, None).await;
    state.account(id).await.map(Json)
}

/// Deletes an account with all its metrics, posts, audience rows and archived responses,
/// and its token. Irreversible (the UI asks for the handle first). Audited as
/// `account-delete`.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{id}",
    tag = "accounts",
    params(("id" = i64, Path, description = "The account id", minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The token vault is not open on this server", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_account(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = crate::params::id("id", Some(&id))?.unwrap_or_default();
    // Logged as `privacy-delete` with the signed-in user (docs/PRIVACY.md).
    state
        .workspace()
        .delete_account_by(alcance_app::AccountId(id), caller.email())
        .await?;
    audit_account(&state, &caller, "account-delete", id, None).await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_ui_is_read_by_exact_path_with_its_types() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(dir.path().join("assets/app-1.js"), "export {}").unwrap();
        let ui = WebUi::load(dir.path()).unwrap();
        assert_eq!(ui.len(), 2);
        assert_eq!(ui.get("/").unwrap().1, "text/html; charset=utf-8");
        assert_eq!(ui.get("/assets/app-1.js").unwrap().1, "text/javascript; charset=utf-8");
        assert!(ui.get("/assets/../index.html").is_none());
        assert!(ui.get("/missing.js").is_none());
        let empty = tempfile::tempdir().unwrap();
        let e = WebUi::load(empty.path()).unwrap_err();
        assert!(e.to_string().contains("no index.html"), "{e}");
        assert!(!UI_CSP.contains("script-src 'self' 'unsafe-inline'"));
    }
}
