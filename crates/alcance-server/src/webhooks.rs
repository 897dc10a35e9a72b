//! `/webhooks/meta`: Meta's webhooks (WhatsApp message statuses, Instagram comments and
//! mentions) pushed to the server, and `GET /api/v1/webhook-events` to read what was kept.
//!
//! - `GET /webhooks/meta?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: the
//!   subscription handshake. The verify token is compared in constant time with the
//!   configured one; a match answers the challenge as `text/plain`, a mismatch 403.
//! - `POST /webhooks/meta`: a delivery. Its `X-Hub-Signature-256` (`sha256=<hex>`,
//!   HMAC-SHA256 of the raw body under the Meta app secret) is checked in constant time
//!   before the body is read as JSON: a missing or wrong one answers 401 and nothing is
//!   stored. A body that is not Meta's JSON answers 400 (the log names the fault, never the
//!   body). The events are stored once each however often Meta retries
//!   ([`alcance_app::webhooks`]).
//!
//! Both are public in [`crate::auth::ROUTES`] (Meta carries no session: the signature and
//! the verify token are its credentials) and answer 503 `webhooks-off` when the server has
//! no Meta secrets ([`crate::ApiState::with_webhooks`]). Neither secret is ever logged;
//! request logs carry no query string.

use crate::auth::Caller;
use crate::paging;
use crate::params::ApiQuery;
use crate::problem::{ApiError, Problem};
use crate::routes::PageParams;
use crate::ApiState;
use alcance_app::webhooks::{self, WebhookEvent};
use alcance_app::{Platform, WebhookEventKind};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

/// Where Meta's webhooks are received.
pub const META_PATH: &str = "/webhooks/meta";
/// Longest `hub.challenge` echoed, in bytes.
pub const MAX_CHALLENGE: usize = 1024;
/// Stored events `GET /api/v1/webhook-events` pages through: the newest this many.
pub const EVENTS_KEPT: u32 = 10_000;

/// 503 `webhooks-off`: the server has no Meta app secret and verify token.
fn off() -> ApiError {
    ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        kind: "webhooks-off",
        title: "Webhooks off",
        detail: format!(
            "Meta webhooks are off on this server: start it with the Meta app secret and a verify token ({} and {}, \
             or `alcance serve --meta-app-secret-file --meta-verify-token-file`)",
            webhooks::APP_SECRET_ENV,
            webhooks::VERIFY_TOKEN_ENV
        ),
    }
}

/// The handshake's query parameters, as Meta sends them.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Handshake {
    /// Always `subscribe`.
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode", example = "subscribe")]
    pub mode: Option<String>,
    /// The verify token typed into the app dashboard's webhook settings; must equal the
    /// server's.
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    /// A value to answer back (at most 1024 bytes).
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge", example = "1158201444")]
    pub challenge: Option<String>,
}

/// Meta's subscription handshake: answers `hub.challenge` as plain text when
/// `hub.mode=subscribe` and `hub.verify_token` is the server's verify token.
#[utoipa::path(
    get,
    path = "/webhooks/meta",
    tag = "webhooks",
    params(Handshake),
    responses(
        (status = 200, description = "The token matches: the challenge, as sent", body = String, content_type = "text/plain"),
        (status = 400, description = "`hub.mode` is not `subscribe`, or `hub.challenge` is missing or over 1024 bytes", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The verify token is missing or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`webhooks-off`: the server has no Meta secrets", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn verify(State(state): State<ApiState>, ApiQuery(q): ApiQuery<Handshake>) -> Result<Response, ApiError> {
    let secrets = state.webhooks().ok_or_else(off)?;
    if q.mode.as_deref() != Some("subscribe") {
        return Err(ApiError::invalid("hub.mode must be subscribe"));
    }
    let challenge = q
        .challenge
        .filter(|c| !c.is_empty() && c.len() <= MAX_CHALLENGE)
        .ok_or_else(|| ApiError::invalid(format!("hub.challenge must be 1 to {MAX_CHALLENGE} bytes")))?;
    if !secrets.verify_token_matches(q.verify_token.as_deref().unwrap_or_default()) {
        tracing::warn!("webhook handshake refused: wrong verify token");
        return Err(ApiError::forbidden(
            "hub.verify_token is not this server's verify token",
        ));
    }
    tracing::info!("webhook handshake accepted");
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], challenge).into_response())
}

/// What a delivery did.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct WebhookReceipt {
    /// Events stored by this delivery.
    pub stored: u64,
    /// Events already stored by an earlier delivery (Meta retries deliveries).
    pub duplicates: u64,
    /// Changes and statuses not kept: other fields (template updates, incoming messages,
    /// story insights), other objects, items without an id, status or time.
    pub ignored: u64,
}

/// A delivery of Meta's webhooks, signed with the app secret. WhatsApp message status
/// updates (`whatsapp_business_account`, field `messages`, `statuses[]`) and Instagram
/// comments and mentions are stored, each once however often it is delivered; the rest is
/// acknowledged and ignored.
#[utoipa::path(
    post,
    path = "/webhooks/meta",
    tag = "webhooks",
    params(("X-Hub-Signature-256" = String, Header, description = "`sha256=` and the hex HMAC-SHA256 of the raw body under the Meta app secret")),
    request_body(content = Object, description = "Meta's webhook payload: `{\"object\", \"entry\": [{\"id\", \"time\", \"changes\": [{\"field\", \"value\"}]}]}`", content_type = "application/json"),
    responses(
        (status = 200, description = "Received (stored, or already stored, or ignored)", body = WebhookReceipt),
        (status = 400, description = "The signed body is not Meta's JSON (an object with `object` and an `entry` list)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`X-Hub-Signature-256` is missing or does not sign this body: nothing is stored", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`webhooks-off`: the server has no Meta secrets; or the database is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn receive(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookReceipt>, ApiError> {
    let secrets = state.webhooks().ok_or_else(off)?;
    let signature = headers.get(webhooks::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if !secrets.signature_matches(&body, signature) {
        tracing::warn!(
            signed = signature.is_some(),
            bytes = body.len(),
            "webhook delivery refused: missing or wrong X-Hub-Signature-256"
        );
        return Err(ApiError::unauthorized(
            "X-Hub-Signature-256 is missing or does not sign this body with the Meta app secret",
        ));
    }
    let delivery = webhooks::parse_meta(&body).map_err(|e| {
        tracing::warn!(error = %e.message(), bytes = body.len(), "webhook delivery refused: malformed body");
        ApiError::invalid(e.message())
    })?;
    let recorded = webhooks::record(state.workspace(), &delivery, Utc::now()).await?;
    tracing::info!(
        object = delivery.object,
        stored = recorded.stored,
        duplicates = recorded.duplicates,
        ignored = recorded.ignored,
        "webhook delivery received"
    );
    Ok(Json(WebhookReceipt {
        stored: recorded.stored,
        duplicates: recorded.duplicates,
        ignored: recorded.ignored,
    }))
}

/// The platforms whose webhooks are stored.
fn webhook_platform_schema() -> RefOr<Schema> {
    crate::model::string_enum(
        &[Platform::Whatsapp.as_str(), Platform::Instagram.as_str()],
        "The platform whose webhook sent the event: `whatsapp` or `instagram`.",
    )
}

/// The kinds of stored webhook events.
fn webhook_kind_schema() -> RefOr<Schema> {
    let keys: Vec<&str> = WebhookEventKind::ALL.iter().map(|k| k.as_str()).collect();
    crate::model::string_enum(
        &keys,
        "What the event is: `message-status` (WhatsApp), `comment` or `mention` (Instagram).",
    )
}

/// A stored webhook event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WebhookEventView {
    /// The event id (increasing with arrival).
    pub id: i64,
    /// `whatsapp` or `instagram`.
    #[schema(schema_with = webhook_platform_schema)]
    pub platform: Platform,
    /// `message-status` (WhatsApp), `comment` or `mention` (Instagram).
    #[schema(schema_with = webhook_kind_schema)]
    pub kind: WebhookEventKind,
    /// The WhatsApp message id (`wamid.…`), the comment id, or a mention's comment id (its
    /// media id for a mention in a caption).
    pub object_id: String,
    /// A message's status: `sent`, `delivered`, `read`, `played`, `failed`; `""` for
    /// comments and mentions.
    pub status: String,
    /// When it happened, UTC (the status's time; the Instagram entry's time).
    pub occurred_at: DateTime<Utc>,
    /// The receiving business (`entry[].id`): the WhatsApp Business Account id, the
    /// Instagram user id (an account's `external_id`).
    pub account_ref: String,
    /// WhatsApp: who the message went to (a phone number's `wa_id` or a group id); `null`
    /// otherwise.
    pub recipient_id: Option<String>,
    /// WhatsApp `conversation.id`; `null` when not sent.
    pub conversation_id: Option<String>,
    /// WhatsApp `conversation.origin.type` (`service`, `marketing`, …); `null` when not sent.
    pub conversation_origin: Option<String>,
    /// WhatsApp `pricing.category`; `null` when not sent.
    pub pricing_category: Option<String>,
    /// WhatsApp `pricing.pricing_model` (`CBP`, `PMP`); `null` when not sent.
    pub pricing_model: Option<String>,
    /// WhatsApp `pricing.billable`; `null` when not sent.
    pub billable: Option<bool>,
    /// WhatsApp: the error code of a `failed` message; `null` otherwise.
    pub error_code: Option<i64>,
    /// Instagram: the media commented on or mentioned in; `null` otherwise.
    pub media_id: Option<String>,
    /// Instagram: the comment a reply answers; `null` otherwise.
    pub parent_id: Option<String>,
    /// Instagram: the commenter's id; `null` otherwise.
    pub from_id: Option<String>,
    /// Instagram: the commenter's username; `null` otherwise.
    pub from_username: Option<String>,
    /// Instagram: the comment's text; `null` otherwise.
    pub text: Option<String>,
    /// When its first delivery arrived, UTC.
    pub received_at: DateTime<Utc>,
}

impl From<WebhookEvent> for WebhookEventView {
    fn from(e: WebhookEvent) -> WebhookEventView {
        WebhookEventView {
            id: e.id,
            platform: e.platform,
            kind: e.kind,
            object_id: e.object_id,
            status: e.status,
            occurred_at: e.occurred_at,
            account_ref: e.account_ref,
            recipient_id: e.recipient_id,
            conversation_id: e.conversation_id,
            conversation_origin: e.conversation_origin,
            pricing_category: e.pricing_category,
            pricing_model: e.pricing_model,
            billable: e.billable,
            error_code: e.error_code,
            media_id: e.media_id,
            parent_id: e.parent_id,
            from_id: e.from_id,
            from_username: e.from_username,
            text: e.text,
            received_at: e.received_at,
        }
    }
}

/// A page of stored webhook events.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookEventPage {
    /// The events, newest first.
    pub items: Vec<WebhookEventView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// The webhook events stored (the newest 10000), newest first: WhatsApp message statuses,
/// Instagram comments and mentions.
#[utoipa::path(
    get,
    path = "/api/v1/webhook-events",
    tag = "webhooks",
    params(PageParams),
    responses(
        (status = 200, description = "A page of events", body = WebhookEventPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_events(
    State(state): State<ApiState>,
    Extension(_caller): Extension<Caller>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<WebhookEventPage>, ApiError> {
    let limit = paging::limit(
        crate::params::integer("limit", page.limit.as_deref())?,
        paging::DEFAULT_LIMIT,
        paging::MAX_LIMIT,
    )?;
    let events: Vec<WebhookEventView> = webhooks::events(state.workspace(), EVENTS_KEPT)
        .await?
        .into_iter()
        .map(WebhookEventView::from)
        .collect();
    let (items, next_cursor) = paging::page("webhook-events", events, |e| -e.id, page.cursor.as_deref(), limit)?;
    Ok(Json(WebhookEventPage { items, next_cursor }))
}
