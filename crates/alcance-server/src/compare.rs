//! `GET /api/v1/compare`: 2–6 accounts side by side over a window (the desktop's Compare
//! screen, `alcance_app::views::compare`), as JSON or as a CSV / XLSX / JSON download. Any
//! signed-in caller; a client may compare only the accounts shared with them (another id
//! answers 404, as for an account that does not exist).

use crate::auth::Caller;
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::views::{self, ChartLabels, CompareRequest, CompareView, MAX_COMPARED};
use alcance_app::{AccountId, ExportFormat};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

/// Which accounts, over which window, in which format.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// 2–6 account ids (`/api/v1/accounts` ids), comma-separated, no repeats; the answer
    /// keeps this order. Required.
    #[param(example = "1,4,7")]
    pub accounts: Option<String>,
    /// First UTC day of the window, `YYYY-MM-DD` (inclusive); default: 30 days before its
    /// end.
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    pub from: Option<String>,
    /// Last UTC day of the window, `YYYY-MM-DD` (inclusive); default: up to now.
    #[param(value_type = Option<String>, format = Date, example = "2026-11-30")]
    pub to: Option<String>,
    /// IANA time zone of the best slots' weekdays and hours (`America/Sao_Paulo`); default
    /// UTC.
    #[param(example = "America/Sao_Paulo")]
    pub zone: Option<String>,
    /// `json` (default): the comparison with its chart as SVG; `csv` (one row per
    /// account) or `xlsx` (the table and the daily followers): a download.
    #[param(example = "csv")]
    pub format: Option<String>,
    /// The chart's title and axis labels in the UI's language, as a JSON object (the
    /// dashboard's `labels`); default English.
    pub labels: Option<String>,
}

/// The account ids of `accounts=1,4,7`.
fn account_ids(text: Option<&str>) -> Result<Vec<AccountId>, ApiError> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(ApiError::invalid(
            "accounts is required: 2 to 6 account ids, comma-separated",
        ));
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() > 4 * MAX_COMPARED {
        return Err(ApiError::invalid("compare 2 to 6 accounts"));
    }
    parts
        .into_iter()
        .map(|p| Ok(AccountId(params::id("accounts", Some(p))?.unwrap_or_default())))
        .collect()
}

/// 2–6 accounts side by side over a window: per account followers at the end and growth
/// (count and percent), interactions, views and engagement rate (interactions ÷ views ×
/// 100, the dashboard's definition, percent 0–100), posts and posts per week, the best
/// slot (weekday 0 = Monday and hour in `zone`) and the content mix (percent of the
/// window's posts per type), followers per UTC day, and the followers chart as SVG. Times
/// UTC RFC 3339; `null` is no data, never 0. With `format=csv|xlsx` the table as a
/// download (`format=json` is the same JSON as the default).
#[utoipa::path(
    get,
    path = "/api/v1/compare",
    tag = "dashboard",
    params(CompareParams),
    responses(
        (status = 200, description = "The comparison (JSON), or its CSV / XLSX file as an attachment", body = CompareView),
        (status = 400, description = "Not 2–6 accounts, a repeated or malformed id, a bad day, time zone, format or labels, or an empty window", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "An account that does not exist or is not shared with the caller", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn compare(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<CompareParams>,
) -> Result<Response, ApiError> {
    let ids = account_ids(q.accounts.as_deref())?;
    if let Some(hidden) = ids.iter().find(|id| !caller.sees_account(id.get())) {
        return Err(ApiError::not_found(format!("account {hidden} not found")));
    }
    let (since, until) = params::day_range(
        params::date("from", q.from.as_deref())?,
        params::date("to", q.to.as_deref())?,
    )?;
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("") => ExportFormat::Json,
        Some(f) => f
            .parse::<ExportFormat>()
            .map_err(|_| ApiError::invalid(format!("unknown format {f:?} (expected json, csv or xlsx)")))?,
    };
    let labels: ChartLabels = match q.labels.as_deref() {
        None | Some("") => ChartLabels::default(),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| ApiError::invalid(format!("labels is not a JSON object of chart labels: {e}")))?,
    };
    let request = CompareRequest {
        account_ids: ids,
        since,
        until,
        time_zone: q.zone.filter(|z| !z.trim().is_empty()),
    };
    let ws = state.workspace();
    if format == ExportFormat::Json {
        let view: CompareView = views::compare(ws, &request, &labels, Utc::now()).await?;
        return Ok(Json(view).into_response());
    }
    let (view, bytes) = views::compare_file(ws, &request, &labels, format, Utc::now()).await?;
    let name = views::compare_file_name(&view.comparison, format);
    alcance_app::people::audit(
        ws,
        Some(caller.email()),
        "export",
        Some(&format!("account comparison {name}")),
        alcance_app::people::Outcome::Ok,
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
