//! `GET /metrics`: the process's metrics in the Prometheus text format
//! ([`alcance_app::telemetry`]), and the count of the server's own requests.
//!
//! Who may scrape: `/metrics` is public in [`auth::ROUTES`] (a Prometheus scraper carries
//! no session) but answers without credentials only to a client on the loopback interface
//! (`alcance serve` listens on 127.0.0.1 by default) that did not come through a proxy
//! (no `Forwarded` / `X-Forwarded-For` header) — or, behind a trusted proxy
//! (`--trusted-proxy`, [`crate::proxy`]), whose forwarded address is on loopback. Any other client needs credentials of the
//! role `analyst` or above, for Prometheus an API token (`authorization: credentials` /
//! `bearer_token` in the scrape config); without them 401, below that role 403.

use crate::auth;
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::people::Role;
use alcance_app::telemetry;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use std::future::Future;
use std::net::SocketAddr;

/// Where the metrics are served.
pub const METRICS_PATH: &str = "/metrics";

/// The least role a scraper off the loopback interface needs.
pub const REMOTE_ROLE: Role = Role::Analyst;

/// The metrics in the Prometheus text exposition format 0.0.4: the counters and histograms
/// of collections, platform API requests, rate-limit waits and the server's own requests,
/// and the gauges read from the workspace at each scrape (token expiries, due accounts,
/// last collection and cadence per account).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    responses(
        (status = 200, description = "The metrics, Prometheus text format 0.0.4 (`alcance_*`). Without credentials \
only to a client on the loopback interface not behind a proxy; any other client needs the role analyst or above \
(an API token as `Authorization: Bearer`)", body = String, content_type = "text/plain"),
        (status = 401, description = "Off the loopback interface without credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Off the loopback interface with a role below analyst", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn metrics(
    State(state): State<ApiState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
) -> Response {
    if !state.proxies().local(auth::peer(&extensions), &headers) {
        match auth::credentials(&state, &headers).await {
            Ok(Some(p)) if p.role >= REMOTE_ROLE => {}
            Ok(Some(p)) => {
                return ApiError::forbidden(format!(
                    "the metrics off the loopback interface need the role {REMOTE_ROLE} or above; you have {}",
                    p.role
                ))
                .into_response()
            }
            Ok(None) => {
                let mut response = ApiError::unauthorized(
                    "the metrics answer without credentials on the loopback interface only; send an API token as \
Authorization: Bearer <token>",
                )
                .into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"alcance\""),
                );
                return response;
            }
            Err(e) => return e.into_response(),
        }
    }
    if let Err(e) = telemetry::refresh(state.workspace(), state.vault(), Utc::now()).await {
        tracing::warn!(error = %e.message(), "metrics: the workspace gauges are not refreshed");
    }
    ([(header::CONTENT_TYPE, telemetry::CONTENT_TYPE)], telemetry::render()).into_response()
}

/// The route template of a matched request, kept on its answer for [`count_request`].
#[derive(Clone)]
struct RouteOf(MatchedPath);

/// On every matched route: keeps the route template on the answer, so the outer
/// [`count_request`] labels by template (`/api/v1/accounts/{id}`), never by raw path.
pub async fn stamp_route(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(m) = matched {
        response.extensions_mut().insert(RouteOf(m));
    }
    response
}

/// Counts an answered request in `alcance_http_requests_total{method,route,status}` and
/// its time in `alcance_http_request_duration_seconds{method,route}`. `route` is the
/// matched template, or `unmatched` (404 and answers made before routing); `method` one of
/// the standard methods or `other`.
pub fn count_request(method: &Method, response: &Response, took: std::time::Duration) {
    let route = response
        .extensions()
        .get::<RouteOf>()
        .map_or_else(|| "unmatched".to_string(), |r| r.0.as_str().to_string());
    let method = match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    telemetry::count_http_request(method, &route, response.status().as_u16(), took);
}

/// `GET /metrics` alone, with the same access rule, for a process that collects without
/// serving the API (`alcance run --metrics-listen`): its collection, platform API and
/// rate-limit counters are its own. Installs the recorder.
pub fn metrics_router(state: ApiState) -> Router {
    telemetry::install();
    Router::new().route(METRICS_PATH, get(metrics)).with_state(state)
}

/// Serves [`metrics_router`] on `listener` until `shutdown` completes.
///
/// Errors: the listener fails.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: ApiState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = metrics_router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}
