//! `/api/v1/competitors`: the workspace's competitor sets (`alcance_app::competitors`) —
//! list, add, remove, a set's cadence, the share-of-voice terms — and the Competitors
//! report: own accounts beside the competitors over a window with the share of voice, as
//! JSON or a CSV / XLSX / JSON download, and its followers chart as PNG. Competitors are
//! the workspace's research, not a client's: analysts read, managers change (the role
//! table, [`crate::auth::ROUTES`]).

use crate::auth::Caller;
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::collect::Cadence;
use alcance_app::competitors::{
    self, Competitor, CompetitorList, CompetitorSet, CompetitorsRequest, CompetitorsView, VoiceTerm,
};
use alcance_app::people::Outcome;
use alcance_app::views::ChartLabels;
use alcance_app::{AccountId, ExportFormat};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The account to make a competitor.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddBody {
    /// The account (`/api/v1/accounts` id): a tracked profile or an own connection.
    pub account_id: i64,
    /// The set's name; default `competitors` (made with a daily cadence when missing).
    pub set: Option<String>,
}

/// A set's new cadence.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CadenceBody {
    /// The set's name; default `competitors` (made when missing).
    pub set: Option<String>,
    /// `{"kind": "hourly" | "daily" | "weekly"}` or `{"kind": "custom", "seconds": 21600}`
    /// (60 s to one year).
    pub cadence: Cadence,
}

/// A share-of-voice term.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TermBody {
    /// A hashtag or keyword as X's search takes it (`#verão`, `"black friday"`), without
    /// `from:`; at most 400 characters.
    pub term: String,
}

/// The report's window and choices.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First UTC day of the window, `YYYY-MM-DD` (inclusive); default: 30 days before its
    /// end.
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    pub from: Option<String>,
    /// Last UTC day of the window, `YYYY-MM-DD` (inclusive); default: up to now.
    #[param(value_type = Option<String>, format = Date, example = "2026-11-30")]
    pub to: Option<String>,
    /// IANA time zone of the best slots (`America/Sao_Paulo`); default UTC.
    pub zone: Option<String>,
    /// Only this set's competitors; default every set.
    pub set: Option<String>,
    /// The share-of-voice term; default the first one.
    pub term: Option<String>,
    /// `json` (default): the view with its chart as SVG; `csv` or `xlsx`: a download.
    #[param(example = "csv")]
    pub format: Option<String>,
    /// The chart's title and axis labels in the UI's language, as a JSON object (the
    /// dashboard's `labels`); default English.
    pub labels: Option<String>,
}

impl ReportParams {
    fn request(&self) -> Result<(CompetitorsRequest, ChartLabels), ApiError> {
        let (since, until) = params::day_range(
            params::date("from", self.from.as_deref())?,
            params::date("to", self.to.as_deref())?,
        )?;
        let labels: ChartLabels = match self.labels.as_deref() {
            None | Some("") => ChartLabels::default(),
            Some(text) => serde_json::from_str(text)
                .map_err(|e| ApiError::invalid(format!("labels is not a JSON object of chart labels: {e}")))?,
        };
        let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok((
            CompetitorsRequest {
                since,
                until,
                time_zone: some(&self.zone),
                set: some(&self.set),
                term: some(&self.term),
            },
            labels,
        ))
    }
}

/// The competitor sets (name, cadence, members, creation time UTC), the competitors
/// (account id, platform, label, own or tracked, set, when added UTC, whether its share
/// of voice can be counted: X only), the share-of-voice terms and whether the X App's
/// bearer token is set.
#[utoipa::path(
    get,
    path = "/api/v1/competitors",
    tag = "competitors",
    responses(
        (status = 200, description = "The competitor sets and terms", body = CompetitorList),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<ApiState>) -> Result<Json<CompetitorList>, ApiError> {
    Ok(Json(competitors::list(state.workspace()).await?))
}

/// Makes an account a competitor in a set (moving it from another set); it takes the
/// set's collection cadence.
#[utoipa::path(
    post,
    path = "/api/v1/competitors",
    tag = "competitors",
    request_body = AddBody,
    responses(
        (status = 201, description = "The competitor", body = Competitor),
        (status = 400, description = "A body that is not `{\"account_id\": 1}`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<AddBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Competitor>), ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::invalid(format!("the body must be JSON {{\"account_id\": 1}}: {e}")))?;
    let c = competitors::add(
        state.workspace(),
        AccountId(body.account_id),
        body.set.as_deref(),
        Utc::now(),
    )
    .await?;
    audited(
        &state,
        &caller,
        "competitor-add",
        &format!("account {}", body.account_id),
    )
    .await;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Stops treating an account as a competitor (the account and its data stay).
#[utoipa::path(
    delete,
    path = "/api/v1/competitors/{id}",
    tag = "competitors",
    params(("id" = i64, Path, description = "The account id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Not an id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not a competitor", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = params::id("id", Some(&id))?.unwrap_or_default();
    if !competitors::remove(state.workspace(), AccountId(id)).await? {
        return Err(ApiError::not_found(format!("account {id} is not a competitor")));
    }
    audited(&state, &caller, "competitor-remove", &format!("account {id}")).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a competitor set's collection cadence and every member's.
#[utoipa::path(
    put,
    path = "/api/v1/competitors/cadence",
    tag = "competitors",
    request_body = CadenceBody,
    responses(
        (status = 200, description = "The set", body = CompetitorSet),
        (status = 400, description = "A bad cadence or body", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cadence(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<CadenceBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<CompetitorSet>, ApiError> {
    let Json(body) = body.map_err(|e| {
        ApiError::invalid(format!(
            "the body must be JSON {{\"cadence\": {{\"kind\": \"daily\"}}}}: {e}"
        ))
    })?;
    let cadence = Cadence::from_kind(body.cadence.kind(), body.cadence.every_seconds())
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let set = competitors::set_cadence(state.workspace(), body.set.as_deref(), cadence, Utc::now()).await?;
    audited(
        &state,
        &caller,
        "competitor-cadence",
        &format!("set {} {}", set.name, set.cadence),
    )
    .await;
    Ok(Json(set))
}

/// Adds a share-of-voice term (counted on X once a UTC day after a collection run).
#[utoipa::path(
    post,
    path = "/api/v1/competitors/terms",
    tag = "competitors",
    request_body = TermBody,
    responses(
        (status = 201, description = "The term", body = VoiceTerm),
        (status = 400, description = "A blank term, one with `from:` or a line break, or over 400 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_term(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<TermBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<VoiceTerm>), ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::invalid(format!("the body must be JSON {{\"term\": \"#...\"}}: {e}")))?;
    let t = competitors::add_voice_term(state.workspace(), &body.term, Utc::now()).await?;
    audited(&state, &caller, "voice-term-add", &t.term).await;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Stops counting a share-of-voice term (its counts stay).
#[utoipa::path(
    delete,
    path = "/api/v1/competitors/terms/{term}",
    tag = "competitors",
    params(("term" = String, Path, description = "The term, percent-encoded (`%23ver%C3%A3o`)")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "The term is not counted", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_term(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(term): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !competitors::remove_voice_term(state.workspace(), &term).await? {
        return Err(ApiError::not_found(format!("the term {term:?} is not counted")));
    }
    audited(&state, &caller, "voice-term-remove", &term).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Own accounts (first) beside the competitors over a window: the account comparison's
/// figures (followers at the end and growth in count and percent, interactions, views,
/// engagement rate in percent 0–100, posts and posts per week, best slot in `zone`,
/// content mix in percent, daily followers), each account's role, set and mean engagement
/// per post (interactions ÷ posts), the followers chart as SVG, and the share of voice on
/// the term over the last 7 UTC days: each account's public X posts matching it ÷ all
/// public X posts matching it, a ratio 0–1 (`null` where the platform gives no counts:
/// every platform but X). With `format=csv|xlsx` a download.
#[utoipa::path(
    get,
    path = "/api/v1/competitors/report",
    tag = "competitors",
    params(ReportParams),
    responses(
        (status = 200, description = "The view (JSON), or its CSV / XLSX file as an attachment", body = CompetitorsView),
        (status = 400, description = "A bad day, time zone, format or labels, or an empty window", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such competitor set", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn report(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    let (request, labels) = q.request()?;
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("") => ExportFormat::Json,
        Some(f) => f
            .parse::<ExportFormat>()
            .map_err(|_| ApiError::invalid(format!("unknown format {f:?} (expected json, csv or xlsx)")))?,
    };
    let ws = state.workspace();
    if format == ExportFormat::Json {
        let view = competitors::view(ws, &request, &labels, Utc::now()).await?;
        return Ok(Json(view).into_response());
    }
    let (view, bytes) = competitors::export(ws, &request, &labels, format, Utc::now()).await?;
    let name = competitors::file_name(&view.report, format);
    alcance_app::people::audit(
        ws,
        Some(caller.email()),
        "export",
        Some(&format!("competitors {name}")),
        Outcome::Ok,
        Some(format.key()),
    )
    .await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.mime_type()));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The report's followers chart as a PNG (one line per account with daily followers).
#[utoipa::path(
    get,
    path = "/api/v1/competitors/chart",
    tag = "competitors",
    params(ReportParams),
    responses(
        (status = 200, description = "The chart", content_type = "image/png"),
        (status = 400, description = "A bad day, time zone or labels, or an empty window", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn chart(State(state): State<ApiState>, ApiQuery(q): ApiQuery<ReportParams>) -> Result<Response, ApiError> {
    let (request, labels) = q.request()?;
    let png = competitors::chart_png(state.workspace(), &request, &labels, Utc::now()).await?;
    let mut response = png.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    Ok(response)
}

async fn audited(state: &ApiState, caller: &Caller, action: &str, what: &str) {
    if let Err(e) = alcance_app::people::audit(
        state.workspace(),
        Some(caller.email()),
        action,
        Some(what),
        Outcome::Ok,
        None,
    )
    .await
    {
        tracing::warn!(error = %e.message(), action, "cannot write the audit log");
    }
}
