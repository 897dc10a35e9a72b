//! `GET /api/v1/reports/weekly`: the weekly report of the workspace — KPIs with
//! week-over-week change, trends, content types, best times, top posts and
//! recommendations — as JSON or as a PDF, XLSX or HTML download (the same files
//! `alcance report weekly` writes). Analysts and above: it covers every account.

use crate::auth::Caller;
use crate::campaigns::{attachment, ReportParams};
use crate::params::ApiQuery;
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::reports::{self, ReportFormat, WeeklyRequest};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which weekly report, in which format.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeeklyParams {
    /// A day of the week to report (`YYYY-MM-DD`; weeks run Monday–Sunday, UTC). Default:
    /// the last complete week.
    #[param(example = "2026-11-18")]
    pub week_of: Option<String>,
    /// IANA time zone of the best-time heatmap. Default `America/Sao_Paulo`.
    #[param(example = "America/Sao_Paulo")]
    pub time_zone: Option<String>,
    /// `json` (default), `pdf`, `xlsx` or `html`.
    #[param(example = "pdf")]
    pub format: Option<String>,
    /// The PDF's language: `en` (default) or `pt-BR`.
    #[param(example = "pt-BR")]
    pub lang: Option<String>,
}

/// The weekly report (JSON: `schema_version` 1, times UTC, counts as counts, rates percent
/// 0–100, `null` for no data), or its PDF / XLSX / HTML file as an attachment. A download
/// is written to the audit log.
#[utoipa::path(
    get,
    path = "/api/v1/reports/weekly",
    tag = "reports",
    params(WeeklyParams),
    responses(
        (status = 200, description = "The report (JSON), or the PDF / XLSX / HTML file as an attachment", body = serde_json::Value),
        (status = 400, description = "A bad day, time zone, format or language", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn weekly(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(query): ApiQuery<WeeklyParams>,
) -> Result<Response, ApiError> {
    let week_of = match query.week_of.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid(format!("week_of {d:?} is not a day (YYYY-MM-DD)")))?,
        ),
    };
    let mut request = WeeklyRequest::last_week(Utc::now());
    request.week_of = week_of;
    let params = ReportParams {
        format: query.format,
        lang: query.lang,
        time_zone: query.time_zone,
    };
    if let Some(zone) = params.zone()? {
        request.time_zone = zone;
    }
    let (format, lang) = params.parse()?;
    let ws = state.workspace();
    if format == ReportFormat::Json {
        return Ok(Json(reports::weekly_report(ws, &request).await?).into_response());
    }
    let (report, bytes) = reports::weekly_file(ws, &request, format, lang).await?;
    let week = report.week.start.format("%Y-%m-%d").to_string();
    alcance_app::people::audit(
        ws,
        Some(caller.email()),
        "export",
        Some(&format!("weekly report {week}")),
        alcance_app::people::Outcome::Ok,
        Some(format.key()),
    )
    .await?;
    Ok(attachment(bytes, format, &format!("weekly-{week}.{format}")))
}
