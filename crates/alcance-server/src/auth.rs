//! Who may call what, in one place: the route table [`ROUTES`] (every route with the least
//! role it needs), the [`authorize`] layer that enforces it on every route, the sign-in rate
//! limit, and the layers every answer passes through (security headers, time limit).
//!
//! Credentials are either a session cookie ([`SESSION_COOKIE`], from `POST
//! /api/v1/session`) or `Authorization: Bearer <API token>`. A request with a cookie that
//! changes state (any method but `GET`, `HEAD`, `OPTIONS`) must repeat the session's CSRF
//! token in [`CSRF_HEADER`]; a bearer token needs none (a browser never sends one by
//! itself). No credentials, or bad ones → 401; a role below the route's → 403; a route
//! missing from the table → 403 for everyone (fail closed; a test keeps the table complete).
//! See docs/adr/0010-users-roles-and-tokens.md.

use crate::problem::ApiError;
use crate::ApiState;
use alcance_app::people::{self, Credential, Principal, Role, Shares};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "alcance_session";
/// The header a cookie request that changes state repeats its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Failed sign-ins allowed per email and per client address within [`LOGIN_WINDOW`].
pub const LOGIN_FAILURES: usize = 5;
/// The window of [`LOGIN_FAILURES`].
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Largest request body, in bytes (1 MiB); larger → 413.
pub const BODY_LIMIT: usize = 1 << 20;
/// Longest a request may take before it is answered 503 `timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials (health, the API description, sign-in, password reset,
    /// Meta's webhooks, whose handlers check the verify token or the signature).
    Public,
    /// Credentials with this role or a higher one. `Client` means any signed-in caller; a
    /// client's answers are cut to what is shared with them.
    Role(Role),
}

/// Every route with who may call it: `(method, path template, access)`. The one place
/// roles are decided; [`authorize`] enforces it and a test checks every route of the
/// OpenAPI description is here.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    // Public for Prometheus on the loopback interface; from anywhere else the handler asks
    // for an analyst's credentials (see `prometheus`).
    ("GET", crate::prometheus::METRICS_PATH, Access::Public),
    ("GET", crate::OPENAPI_PATH, Access::Public),
    ("GET", crate::DOCS_PATH, Access::Public),
    ("POST", "/api/v1/session", Access::Public),
    ("GET", "/api/v1/session", Access::Role(Role::Client)),
    ("DELETE", "/api/v1/session", Access::Role(Role::Client)),
    ("POST", "/api/v1/password-reset", Access::Public),
    ("POST", "/api/v1/password-reset/confirm", Access::Public),
    // Read: clients see what is shared with them.
    ("GET", "/api/v1/accounts", Access::Role(Role::Client)),
    ("GET", "/api/v1/accounts/{id}", Access::Role(Role::Client)),
    ("GET", "/api/v1/posts", Access::Role(Role::Client)),
    ("GET", "/api/v1/posts/{id}/metrics", Access::Role(Role::Client)),
    ("GET", "/api/v1/posts/{id}/thumbnail", Access::Role(Role::Client)),
    ("GET", "/api/v1/dashboard/kpis", Access::Role(Role::Client)),
    ("GET", "/api/v1/dashboard", Access::Role(Role::Client)),
    ("GET", "/api/v1/platforms", Access::Role(Role::Client)),
    ("GET", "/api/v1/exports", Access::Role(Role::Client)),
    ("GET", "/api/v1/metrics", Access::Role(Role::Client)),
    ("GET", "/api/v1/campaigns", Access::Role(Role::Client)),
    ("GET", "/api/v1/campaigns/{id}", Access::Role(Role::Client)),
    ("GET", "/api/v1/campaigns/{id}/report", Access::Role(Role::Client)),
    ("GET", "/api/v1/campaigns/{id}/posts", Access::Role(Role::Client)),
    ("GET", "/api/v1/campaigns/{id}/trend", Access::Role(Role::Client)),
    // The account comparison: a client compares the accounts shared with them.
    ("GET", "/api/v1/compare", Access::Role(Role::Client)),
    // Own-post hashtag performance: a client's cut to the accounts shared with them.
    ("GET", "/api/v1/hashtags", Access::Role(Role::Client)),
    // Tracked hashtags are the workspace's research, not a client's: analysts read,
    // managers change.
    ("GET", "/api/v1/hashtags/tracked", Access::Role(Role::Analyst)),
    ("POST", "/api/v1/hashtags/tracked", Access::Role(Role::Manager)),
    ("DELETE", "/api/v1/hashtags/tracked/{tag}", Access::Role(Role::Manager)),
    // Competitors are the workspace's research too: analysts read, managers change.
    ("GET", "/api/v1/competitors", Access::Role(Role::Analyst)),
    ("POST", "/api/v1/competitors", Access::Role(Role::Manager)),
    ("DELETE", "/api/v1/competitors/{id}", Access::Role(Role::Manager)),
    ("PUT", "/api/v1/competitors/cadence", Access::Role(Role::Manager)),
    ("POST", "/api/v1/competitors/terms", Access::Role(Role::Manager)),
    (
        "DELETE",
        "/api/v1/competitors/terms/{term}",
        Access::Role(Role::Manager),
    ),
    ("GET", "/api/v1/competitors/report", Access::Role(Role::Analyst)),
    ("GET", "/api/v1/competitors/chart", Access::Role(Role::Analyst)),
    // Imports of platform exports (issue 17 point 5): analysts list them, managers import.
    ("GET", "/api/v1/imports", Access::Role(Role::Analyst)),
    ("POST", "/api/v1/imports", Access::Role(Role::Manager)),
    ("POST", "/api/v1/imports/preview", Access::Role(Role::Manager)),
    // Comments and mentions: a client reads those of the accounts shared with them.
    ("GET", "/api/v1/comments", Access::Role(Role::Client)),
    ("GET", "/api/v1/comments/counts", Access::Role(Role::Client)),
    ("GET", "/api/v1/sentiment", Access::Role(Role::Client)),
    // Read everything: analysts and above.
    ("GET", "/api/v1/runs", Access::Role(Role::Analyst)),
    ("GET", "/api/v1/runs/{id}", Access::Role(Role::Analyst)),
    ("GET", "/api/v1/runs/{id}/events", Access::Role(Role::Analyst)),
    ("GET", "/api/v1/runs/live", Access::Role(Role::Analyst)),
    ("GET", "/api/v1/collection", Access::Role(Role::Analyst)),
    ("GET", "/api/v1/exports/{format}", Access::Role(Role::Analyst)),
    ("GET", "/api/v1/reports/weekly", Access::Role(Role::Analyst)),
    // Report schedules send reports of every account: analysts read them, managers change
    // them, clients are refused.
    ("GET", "/api/v1/report-schedules", Access::Role(Role::Analyst)),
    (
        "GET",
        "/api/v1/report-schedules/{id}/deliveries",
        Access::Role(Role::Analyst),
    ),
    // Collection control: managers (409 when the server does not collect).
    ("POST", "/api/v1/sync", Access::Role(Role::Manager)),
    ("POST", "/api/v1/runs/{id}/cancel", Access::Role(Role::Manager)),
    ("POST", "/api/v1/collection/pause", Access::Role(Role::Manager)),
    ("POST", "/api/v1/collection/resume", Access::Role(Role::Manager)),
    ("PUT", "/api/v1/accounts/{id}/cadence", Access::Role(Role::Manager)),
    ("POST", "/api/v1/accounts/{id}/disconnect", Access::Role(Role::Manager)),
    ("DELETE", "/api/v1/accounts/{id}", Access::Role(Role::Manager)),
    // Report schedules: managers add, pause, resume, remove and send now.
    ("POST", "/api/v1/report-schedules", Access::Role(Role::Manager)),
    ("PATCH", "/api/v1/report-schedules/{id}", Access::Role(Role::Manager)),
    ("DELETE", "/api/v1/report-schedules/{id}", Access::Role(Role::Manager)),
    (
        "POST",
        "/api/v1/report-schedules/{id}/send",
        Access::Role(Role::Manager),
    ),
    // Connecting Threads through this server's HTTPS callback: a manager prepares the
    // sign-in; Threads' redirect carries no session, its `state` is the credential.
    ("POST", "/api/v1/connect/threads", Access::Role(Role::Manager)),
    ("GET", crate::connect::THREADS_CALLBACK_PATH, Access::Public),
    // Campaigns: managers run them.
    ("POST", "/api/v1/campaigns", Access::Role(Role::Manager)),
    ("PUT", "/api/v1/campaigns/{id}", Access::Role(Role::Manager)),
    ("DELETE", "/api/v1/campaigns/{id}", Access::Role(Role::Manager)),
    (
        "PUT",
        "/api/v1/campaigns/{id}/accounts/{account_id}",
        Access::Role(Role::Manager),
    ),
    (
        "DELETE",
        "/api/v1/campaigns/{id}/accounts/{account_id}",
        Access::Role(Role::Manager),
    ),
    (
        "PUT",
        "/api/v1/campaigns/{id}/posts/{post_id}",
        Access::Role(Role::Manager),
    ),
    (
        "DELETE",
        "/api/v1/campaigns/{id}/posts/{post_id}",
        Access::Role(Role::Manager),
    ),
    ("POST", "/api/v1/campaigns/{id}/costs", Access::Role(Role::Manager)),
    ("PUT", "/api/v1/campaigns/{id}/archive", Access::Role(Role::Manager)),
    (
        "POST",
        "/api/v1/campaigns/{id}/costs/entries",
        Access::Role(Role::Manager),
    ),
    (
        "POST",
        "/api/v1/campaigns/{id}/conversions/entries",
        Access::Role(Role::Manager),
    ),
    ("DELETE", "/api/v1/campaigns/{id}/archive", Access::Role(Role::Manager)),
    (
        "POST",
        "/api/v1/campaigns/{id}/rule-preview",
        Access::Role(Role::Manager),
    ),
    (
        "POST",
        "/api/v1/campaigns/{id}/conversions",
        Access::Role(Role::Manager),
    ),
    // People: admins.
    ("GET", "/api/v1/users", Access::Role(Role::Admin)),
    ("POST", "/api/v1/users", Access::Role(Role::Admin)),
    ("PATCH", "/api/v1/users/{id}", Access::Role(Role::Admin)),
    ("DELETE", "/api/v1/users/{id}", Access::Role(Role::Admin)),
    ("POST", "/api/v1/users/{id}/password-reset", Access::Role(Role::Admin)),
    ("PUT", "/api/v1/users/{id}/shares", Access::Role(Role::Admin)),
    ("GET", "/api/v1/tokens", Access::Role(Role::Admin)),
    ("POST", "/api/v1/tokens", Access::Role(Role::Admin)),
    ("DELETE", "/api/v1/tokens/{id}", Access::Role(Role::Admin)),
    ("GET", "/api/v1/audit", Access::Role(Role::Admin)),
    // Meta's webhooks: no session; the handshake needs the verify token and a delivery the
    // app secret's signature, both checked by the handlers (see `webhooks`).
    ("GET", crate::webhooks::META_PATH, Access::Public),
    ("POST", crate::webhooks::META_PATH, Access::Public),
    ("GET", "/api/v1/webhook-events", Access::Role(Role::Analyst)),
];

/// The access of `method` on the route `path` (a template, `/api/v1/accounts/{id}`):
/// `Ok(Some)` from the table, `Ok(None)` when the path is listed with other methods only
/// (the router answers 405), `Err(())` when the path is not listed at all.
#[allow(clippy::result_unit_err)]
pub fn access(method: &Method, path: &str) -> Result<Option<Access>, ()> {
    let mut listed = false;
    for (m, p, a) in ROUTES {
        if *p == path {
            listed = true;
            if *m == method.as_str() || (method == Method::HEAD && *m == "GET") {
                return Ok(Some(*a));
            }
        }
    }
    if listed {
        Ok(None)
    } else {
        Err(())
    }
}

/// The caller of a route that needs credentials, put in the request's extensions by
/// [`authorize`]: who it is and, for a client, what is shared with them.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who and with which role.
    pub principal: Principal,
    /// For a client: the accounts and campaigns they may see; `None` for other roles.
    pub shares: Option<Shares>,
}

impl Caller {
    /// `true` when the caller may see account `id`.
    pub fn sees_account(&self, id: i64) -> bool {
        self.shares.as_ref().is_none_or(|s| s.accounts.contains(&id))
    }

    /// `true` when the caller may see campaign `id` (its members, posts and report).
    pub fn sees_campaign(&self, id: i64) -> bool {
        self.shares.as_ref().is_none_or(|s| s.campaigns.contains(&id))
    }

    /// The caller's email, for the audit log.
    pub fn email(&self) -> &str {
        &self.principal.user.email
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The bearer token of the `Authorization` header, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// The caller of a request, from its bearer token or session cookie (`None` without
/// credentials or with unknown, expired or revoked ones).
pub async fn credentials(state: &ApiState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    let now = Utc::now();
    if let Some(token) = bearer(headers) {
        return Ok(people::bearer(state.workspace(), token, now).await?);
    }
    match cookie(headers, SESSION_COOKIE) {
        Some(value) if !value.is_empty() => Ok(people::session(state.workspace(), value, now).await?),
        _ => Ok(None),
    }
}

/// The layer on every route: looks the route up in [`ROUTES`], checks the credentials,
/// the CSRF token of a cookie request that changes state, and the role; puts the
/// [`Caller`] in the request's extensions.
pub async fn authorize(State(state): State<ApiState>, mut request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let needed = match access(request.method(), &path) {
        Ok(Some(Access::Public)) | Ok(None) => return next.run(request).await,
        Ok(Some(Access::Role(role))) => role,
        Err(()) => {
            tracing::error!(path, "route missing from the access table: refused");
            return ApiError::forbidden("this route is not open to anyone yet").into_response();
        }
    };
    let principal = match credentials(&state, request.headers()).await {
        Ok(Some(p)) => p,
        Ok(None) => return unauthorized(),
        Err(e) => return e.into_response(),
    };
    if let Credential::Session { csrf_token } = &principal.credential {
        let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !safe && !people::same_secret(sent, csrf_token) {
            return ApiError::forbidden(format!(
                "a signed-in request that changes state needs the session's CSRF token in {CSRF_HEADER}"
            ))
            .into_response();
        }
    }
    if principal.role < needed {
        return ApiError::forbidden(format!(
            "this needs the role {needed} or above; you have {}",
            principal.role
        ))
        .into_response();
    }
    let shares = if principal.role == Role::Client {
        match people::shares(state.workspace(), principal.user.id).await {
            Ok(s) => Some(s),
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        None
    };
    request.extensions_mut().insert(Caller { principal, shares });
    next.run(request).await
}

/// 401 problem+json with `WWW-Authenticate: Bearer`.
fn unauthorized() -> Response {
    let mut response =
        ApiError::unauthorized("sign in (POST /api/v1/session) or send an API token as Authorization: Bearer <token>")
            .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"alcance\""),
    );
    response
}

/// Failed sign-ins per key (an email, a client address) within [`LOGIN_WINDOW`].
#[derive(Debug, Clone, Default)]
pub struct LoginLimiter {
    failures: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

impl LoginLimiter {
    /// How long until `keys` may try again: `Some` when one of them has had
    /// [`LOGIN_FAILURES`] failures within the window.
    pub fn wait(&self, keys: &[String]) -> Option<Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
                if times.len() >= LOGIN_FAILURES {
                    let oldest = times.iter().min().copied().unwrap_or(now);
                    let left = LOGIN_WINDOW.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
                }
            }
        }
        wait
    }

    /// Counts a failure for each of `keys`.
    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bound the memory an attacker can fill: forget keys whose failures all aged out.
        if map.len() > 100_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < LOGIN_WINDOW));
        }
        for key in keys {
            map.entry(key.clone()).or_default().push(now);
        }
    }

    /// Forgets the failures of `key` (after a good sign-in).
    pub fn succeeded(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// 429 problem+json with `Retry-After` (whole seconds, at least 1).
pub fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let mut response =
        ApiError::too_many(format!("too many failed sign-ins: try again in {seconds} s")).into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// `true` when the request came over TLS: the server's own (`tls`), or a trusted reverse
/// proxy's that says so in `X-Forwarded-Proto: https` (see [`crate::proxy`]; from any
/// other peer the header is ignored). `peer` is the TCP peer's address.
pub fn over_tls(state: &ApiState, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    state.tls() || state.proxies().forwarded_https(peer, headers)
}

/// The TCP peer's address of a request (axum's connect info), when known.
pub fn peer(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// The client's address: the peer's, or behind a trusted proxy the one it forwarded
/// ([`crate::proxy::TrustedProxies::client`]).
pub fn client_ip(state: &ApiState, extensions: &axum::http::Extensions, headers: &HeaderMap) -> Option<IpAddr> {
    state.proxies().client(peer(extensions), headers)
}

/// The content security policy of the API viewer: Swagger UI's script and style from
/// jsDelivr, the page's one inline script by its hash, requests to this server only.
fn docs_csp() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let page = include_str!("docs.html");
    let script = page
        .split("<script>")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap_or_default();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
    format!(
        "default-src 'none'; script-src https://cdn.jsdelivr.net 'sha256-{hash}'; \
         style-src https://cdn.jsdelivr.net 'unsafe-inline'; img-src 'self' data: https://cdn.jsdelivr.net; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// The content security policy of every other answer (JSON, SVG, problem+json): nothing
/// may load or run, nothing may frame it.
pub const API_CSP: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The layer on every answer: `Content-Security-Policy` ([`API_CSP`]; the API viewer's
/// and the web UI's own, [`crate::web::UI_CSP`]), `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`, `Cache-Control: no-store` on
/// the API, and `Strict-Transport-Security` over TLS only.
pub async fn security_headers(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    static DOCS_CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let docs = request.uri().path() == crate::DOCS_PATH;
    let tls = over_tls(&state, peer(request.extensions()), request.headers());
    let mut response = next.run(request).await;
    let ui = response.extensions().get::<crate::web::UiAnswer>().is_some();
    let headers = response.headers_mut();
    let csp = if ui {
        // The web UI's files keep their own Cache-Control (hashed assets may be cached).
        HeaderValue::from_static(crate::web::UI_CSP)
    } else if docs {
        HeaderValue::from_str(DOCS_CSP.get_or_init(docs_csp)).unwrap_or(HeaderValue::from_static(API_CSP))
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        HeaderValue::from_static(API_CSP)
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Routes whose answers are streams that may last longer than [`REQUEST_TIMEOUT`]: live
/// run progress (endless SSE) and exports (a download of any size). Path prefixes.
pub const UNTIMED: &[&str] = &["/api/v1/runs/live", "/api/v1/exports/"];

/// `true` when a request on `path` has no time limit ([`UNTIMED`]).
pub fn untimed(path: &str) -> bool {
    UNTIMED.iter().any(|prefix| path.starts_with(prefix))
}

/// The layer that answers 503 `timeout` problem+json to a request still running after
/// [`REQUEST_TIMEOUT`] (its work is dropped), except on [`UNTIMED`] routes, and 413
/// problem+json for a body over [`BODY_LIMIT`].
pub async fn time_limit(request: Request, next: Next) -> Response {
    let answered = if untimed(request.uri().path()) {
        Ok(next.run(request).await)
    } else {
        tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await
    };
    match answered {
        Ok(response) if response.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: "payload-too-large",
            title: "Payload too large",
            detail: format!("a request body has at most {BODY_LIMIT} bytes"),
        }
        .into_response(),
        Ok(response) => response,
        Err(_) => ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            kind: "timeout",
            title: "Timeout",
            detail: format!("the request took over {} s", REQUEST_TIMEOUT.as_secs()),
        }
        .into_response(),
    }
}

/// Documents the table in the OpenAPI description: the two security schemes (`session`
/// cookie, `bearer` token), and on every route that needs credentials its security, the
/// role it needs, and its 401 and 403 answers.
pub fn document(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The session cookie set by POST /api/v1/session (HttpOnly, SameSite=Strict, Secure over TLS). \
             Requests that change state also send the session's CSRF token in X-CSRF-Token.",
        ))),
    );
    let mut http = Http::new(HttpAuthScheme::Bearer);
    http.description = Some("An API token (`alcance token create`, or the admin screen), for BI tools.".into());
    components.add_security_scheme("bearer", SecurityScheme::Http(http));
    let problem = || {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build()
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            ("GET", item.get.as_mut()),
            ("POST", item.post.as_mut()),
            ("PUT", item.put.as_mut()),
            ("PATCH", item.patch.as_mut()),
            ("DELETE", item.delete.as_mut()),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let Ok(method) = method.parse::<Method>() else { continue };
            let Ok(Some(Access::Role(role))) = access(&method, path) else {
                continue;
            };
            operation.security = Some(vec![
                SecurityRequirement::new("session", Vec::<String>::new()),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
            ]);
            let who = match role {
                Role::Client => "any signed-in role (a client sees only what is shared with them)".to_string(),
                Role::Admin => "admin".to_string(),
                role => format!("{role} or above"),
            };
            let description = operation.description.take().unwrap_or_default();
            operation.description = Some(format!("{description}\n\nNeeds: {who}.").trim_start().to_string());
            let responses = &mut operation.responses.responses;
            responses.entry("401".into()).or_insert_with(|| {
                ResponseBuilder::new()
                    .description("No credentials, or unknown, expired or revoked ones")
                    .content("application/problem+json", problem())
                    .build()
                    .into()
            });
            responses.entry("403".into()).or_insert_with(|| {
                ResponseBuilder::new()
                    .description(
                        "The role is below the one needed, or a cookie request that changes state lacks its CSRF token",
                    )
                    .content("application/problem+json", problem())
                    .build()
                    .into()
            });
        }
    }
}
