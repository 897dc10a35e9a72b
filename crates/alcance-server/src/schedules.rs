//! `/api/v1/report-schedules`: scheduled delivery of the weekly report or a campaign's
//! report by email and to Google Sheets (docs/reports.md "Scheduled delivery") — list with
//! each schedule's next send and latest delivery, add, pause / resume, remove, send now,
//! and a schedule's delivery history. Analysts read; managers and admins change (the role
//! table, [`crate::auth::ROUTES`]); a client is refused (403): schedules send reports of
//! every account. Every change is written to the audit log. The workspace's SMTP server
//! and Google account are set on the server's machine (`alcance report mail set`,
//! `alcance report sheets connect`), not here.

use crate::auth::Caller;
use crate::paging;
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::routes::PageParams;
use crate::ApiState;
use alcance_app::delivery::{self, ReportDeliveryRow, ScheduleInput, ScheduleView, SendNowResult};
use alcance_app::people::Outcome;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most deliveries of one schedule `GET …/{id}/deliveries` pages through: the newest this
/// many periods.
pub const DELIVERIES_KEPT: u32 = 1000;

/// A page of report schedules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SchedulePage {
    /// Schedules by id ascending, each with its next send and latest delivery.
    pub items: Vec<ScheduleView>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// A page of one schedule's deliveries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryPage {
    /// Deliveries, newest period first.
    pub items: Vec<ReportDeliveryRow>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// Pauses or resumes a schedule.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EnabledBody {
    /// `false` pauses (nothing is claimed or sent), `true` resumes.
    pub enabled: bool,
}

const SCHEDULE_SHAPE: &str = "{\"weekday\": 0 or \"day_of_month\": 1, \"hour\", \"time_zone\", \"language\", \
     \"recipients\": [..], \"formats\": [\"pdf\", \"xlsx\"], \"sheets\", \"campaign_id\"}";

fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>, shape: &str) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::invalid(format!("the body must be JSON {shape}: {e}")))
}

fn schedule_id(id: &str) -> Result<i64, ApiError> {
    Ok(params::id("id", Some(id))?.unwrap_or_default())
}

/// Writes one line to the audit log; a failure to write it is logged, not answered.
async fn audited(state: &ApiState, caller: &Caller, action: &str, id: i64, detail: Option<&str>) {
    if let Err(e) = alcance_app::people::audit(
        state.workspace(),
        Some(caller.email()),
        action,
        Some(&format!("report schedule {id}")),
        Outcome::Ok,
        detail,
    )
    .await
    {
        tracing::warn!(error = %e.message(), action, "cannot write the audit log");
    }
}

/// Lists the report schedules by id, each with its settings (what, weekday or day of the
/// month, local hour, IANA zone, language, recipients, attachments, Sheets), whether it is
/// paused, its spreadsheet's link, its latest delivery (status `pending`, `sent` or
/// `failed`, attempts, last error, next attempt; times UTC) and its next send (UTC,
/// `null` while paused).
#[utoipa::path(
    get,
    path = "/api/v1/report-schedules",
    tag = "reports",
    params(PageParams),
    responses(
        (status = 200, description = "A page of schedules", body = SchedulePage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_schedules(
    State(state): State<ApiState>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<SchedulePage>, ApiError> {
    let limit = page.limit()?;
    let all = delivery::schedule_views(state.workspace(), Utc::now()).await?;
    let (items, next_cursor) = paging::page(
        "report-schedules",
        all,
        |v| v.schedule.id,
        page.cursor.as_deref(),
        limit,
    )?;
    Ok(Json(SchedulePage { items, next_cursor }))
}

/// Adds a schedule, enabled: the weekly report (no `campaign_id`) or a campaign's, weekly
/// (`weekday` 0 = Monday … 6 = Sunday) or monthly (`day_of_month` 1–28, reporting the
/// month before) at `hour` (0–23) in `time_zone` (IANA), in `language` (`en`, `pt-BR`),
/// to `recipients` with `formats` (`pdf` and / or `xlsx`) attached, and / or to Google
/// Sheets (`sheets`).
#[utoipa::path(
    post,
    path = "/api/v1/report-schedules",
    tag = "reports",
    request_body = ScheduleInput,
    responses(
        (status = 201, description = "The schedule as stored, with its next send", body = ScheduleView),
        (status = 400, description = "No destination, a bad address, zone, weekday, day, hour, language or format", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No campaign has this `campaign_id`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_schedule(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<ScheduleInput>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ScheduleView>), ApiError> {
    let body = json_body(body, SCHEDULE_SHAPE)?;
    let ws = state.workspace();
    let now = Utc::now();
    let added = delivery::add_schedule(ws, &body.request()?, now).await?;
    let id = added.row.id;
    audited(&state, &caller, "report-schedule-add", id, None).await;
    Ok((StatusCode::CREATED, Json(delivery::schedule_view(ws, id, now).await?)))
}

/// Pauses (`{"enabled": false}`) or resumes (`{"enabled": true}`) a schedule. A paused
/// schedule claims and sends nothing, retries included.
#[utoipa::path(
    patch,
    path = "/api/v1/report-schedules/{id}",
    tag = "reports",
    params(("id" = i64, Path, description = "The schedule id", minimum = 1)),
    request_body = EnabledBody,
    responses(
        (status = 200, description = "The schedule as stored now", body = ScheduleView),
        (status = 400, description = "A bad id or body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No schedule has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_enabled(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<EnabledBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ScheduleView>, ApiError> {
    let id = schedule_id(&id)?;
    let body = json_body(body, "{\"enabled\": true|false}")?;
    let ws = state.workspace();
    delivery::set_schedule_enabled(ws, id, body.enabled).await?;
    let action = if body.enabled {
        "report-schedule-resume"
    } else {
        "report-schedule-pause"
    };
    audited(&state, &caller, action, id, None).await;
    Ok(Json(delivery::schedule_view(ws, id, Utc::now()).await?))
}

/// Removes a schedule and its delivery history (its spreadsheet stays in Google Sheets).
#[utoipa::path(
    delete,
    path = "/api/v1/report-schedules/{id}",
    tag = "reports",
    params(("id" = i64, Path, description = "The schedule id", minimum = 1)),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No schedule has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_schedule(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = schedule_id(&id)?;
    delivery::remove_schedule(state.workspace(), id).await?;
    audited(&state, &caller, "report-schedule-remove", id, None).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends the schedule's latest due period now, with the same once-per-period rule as the
/// scheduler: `claimed: false` when that period was already claimed (sent, being sent or
/// waiting for a retry). A failed attempt is recorded and retried with backoff; its error
/// (secrets redacted) is in the answer, which is still 200.
#[utoipa::path(
    post,
    path = "/api/v1/report-schedules/{id}/send",
    tag = "reports",
    params(("id" = i64, Path, description = "The schedule id", minimum = 1)),
    responses(
        (status = 200, description = "Whether the period was claimed, and the attempt's error if it failed", body = SendNowResult),
        (status = 400, description = "The id is not a positive integer, or the stored schedule cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No schedule has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn send_now(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<SendNowResult>, ApiError> {
    let id = schedule_id(&id)?;
    let result = delivery::send_now(state.workspace(), id, Utc::now()).await?;
    let detail = match (&result.claimed, &result.error) {
        (false, _) => "already claimed",
        (true, None) => "sent",
        (true, Some(_)) => "failed, retried later",
    };
    audited(&state, &caller, "report-send-now", id, Some(detail)).await;
    Ok(Json(result))
}

/// One schedule's deliveries, newest period first: each period's UTC start and end,
/// status (`pending`, `sent`, `failed`), attempts, last error (secrets redacted), next
/// attempt, when the email went out and its `Message-ID`, and the Sheets tab written.
#[utoipa::path(
    get,
    path = "/api/v1/report-schedules/{id}/deliveries",
    tag = "reports",
    params(("id" = i64, Path, description = "The schedule id", minimum = 1), PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPage),
        (status = 400, description = "A bad id, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No schedule has this id", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn deliveries(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let id = schedule_id(&id)?;
    let limit = page.limit()?;
    let all = delivery::schedule_deliveries(state.workspace(), id, DELIVERIES_KEPT).await?;
    let (items, next_cursor) = paging::page(
        "report-deliveries",
        all,
        |d| -d.period_start.timestamp(),
        page.cursor.as_deref(),
        limit,
    )?;
    Ok(Json(DeliveryPage { items, next_cursor }))
}
