//! `alcance serve`: the REST API of a workspace over HTTP, in front of `alcance-app` (the
//! one door; this crate reaches no other workspace crate).
//!
//! Routes (JSON unless said otherwise; errors are RFC 9457 `application/problem+json`,
//! [`Problem`]; every list pages by opaque cursor, [`paging`]):
//!
//! - `GET /api/v1/accounts`, `GET /api/v1/accounts/{id}`: accounts with status, token
//!   health, followers and schedule.
//! - `GET /api/v1/posts`: posts with their latest metrics; `GET /api/v1/posts/{id}/metrics`:
//!   a post's metric snapshots over time; `GET /api/v1/posts/{id}/thumbnail`: its picture
//!   kept in this server's workspace folder ([`media`]).
//! - `GET /api/v1/dashboard/kpis`: the dashboard's KPI tiles over a period;
//!   `GET /api/v1/dashboard`: the whole dashboard (KPIs, SVG charts, top posts) in the
//!   desktop's shape, for the web UI ([`web`]).
//! - `GET /api/v1/compare?accounts=&from=&to=&zone=&format=`: 2–6 accounts side by side
//!   (JSON, or a CSV / XLSX download; [`compare`]).
//! - `GET /api/v1/collection`: what the collection is doing (paused, running, progress,
//!   last run, next run, accounts to reconnect); `GET /api/v1/platforms`,
//!   `GET /api/v1/exports`: the platforms and export formats, as the desktop lists them.
//! - `PUT /api/v1/accounts/{id}/cadence`, `POST /api/v1/accounts/{id}/disconnect`,
//!   `DELETE /api/v1/accounts/{id}`: an account's cadence, disconnect, delete (manager).
//! - `POST /api/v1/connect/threads` (manager) and `GET /oauth/threads/callback` (public):
//!   connecting a Threads account through this server's HTTPS callback ([`connect`]).
//! - `GET /` and its assets: the web UI, when the server has one ([`web::WebUi`]).
//! - `GET /api/v1/runs`, `GET /api/v1/runs/{id}`, `GET /api/v1/runs/{id}/events`:
//!   collection runs and their events.
//! - `GET /api/v1/metrics?user_id=&platform=&start_date=&end_date=`: an account's metric
//!   values in the brief's shape.
//! - `POST /api/v1/sync`, `POST /api/v1/runs/{id}/cancel`, `POST /api/v1/collection/pause`
//!   and `/resume`: collection control when the server collects ([`collection`]);
//!   `GET /api/v1/runs/live`: its runs' progress as Server-Sent Events.
//! - `GET /api/v1/exports/{format}?start_date=&end_date=`: the metrics as a CSV (zip), JSON
//!   or XLSX download, streamed ([`exports`]).
//! - `GET /api/v1/openapi.json`: the OpenAPI 3.1 description, generated from this code
//!   ([`openapi`]; committed as `docs/openapi.json`); `GET /api/docs`: an interactive
//!   viewer of it.
//! - `GET /healthz`, `GET /readyz`: liveness and readiness.
//! - `GET /metrics`: Prometheus metrics ([`prometheus`]; without credentials on the
//!   loopback interface only).
//! - `POST|GET|DELETE /api/v1/session`: sign in (session cookie + CSRF token), who am I,
//!   sign out; `POST /api/v1/password-reset[/confirm]`: password reset ([`people`]).
//! - `/api/v1/users…`, `/api/v1/tokens…`, `/api/v1/audit`: the admin's people, roles,
//!   invitations, client shares, API tokens and audit log ([`people`]).
//! - `GET|POST /webhooks/meta`: Meta's webhook handshake and signed deliveries (WhatsApp
//!   message statuses, Instagram comments and mentions); `GET /api/v1/webhook-events`:
//!   the events stored ([`webhooks`]).
//! - `GET /api/v1/comments`, `GET /api/v1/comments/counts`: the comments, replies,
//!   mentions and tags of the accounts, with filters and full-text search, and per-post
//!   counts against the platforms' counters; `GET /api/v1/sentiment`: their sentiment
//!   shares overall, per day, week and post ([`comments`]).
//! - `/api/v1/campaigns…`: campaigns, their members, posts, cost and conversion imports
//!   and the campaign report as JSON, XLSX or HTML ([`campaigns`]).
//! - `GET|POST /api/v1/report-schedules`, `PATCH|DELETE /api/v1/report-schedules/{id}`,
//!   `POST …/{id}/send`, `GET …/{id}/deliveries`: scheduled delivery of reports by email
//!   and to Google Sheets ([`schedules`]; analysts read, managers change).
//! - `GET|POST /api/v1/imports`, `POST /api/v1/imports/preview`: imports of platform
//!   exports into an account, and the CSV preview of the mapping step ([`imports`];
//!   analysts read, managers import).
//!
//! Plain HTTP ([`serve`]) or HTTPS ([`serve_tls`], [`tls`]); behind a reverse proxy only
//! trusted peers' forwarding headers are believed ([`proxy`]).
//!
//! Times are UTC RFC 3339; days are UTC `YYYY-MM-DD` and date ranges include both ends.
//! Every route but health, the API description and its viewer, sign-in, password reset
//! and Meta's webhooks (authenticated by their signature) needs credentials (a session cookie or an API token) with the role [`auth::ROUTES`]
//! says; every answer carries the security headers of [`auth::security_headers`].

pub mod auth;
pub mod campaigns;
pub mod coalesce;
pub mod collection;
pub mod comments;
pub mod compare;
pub mod competitors;
pub mod connect;
pub mod exports;
pub mod hashtags;
pub mod health;
pub mod imports;
pub mod media;
pub mod model;
pub mod paging;
pub mod params;
pub mod people;
pub mod problem;
pub mod prometheus;
pub mod proxy;
pub mod reports;
pub mod routes;
pub mod schedules;
pub mod tls;
pub mod web;
pub mod webhooks;

pub use problem::{ApiError, Problem, PROBLEM_JSON};

use alcance_app::views::SharedVault;
use alcance_app::{Session, Workspace};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Where the OpenAPI description is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// Where the interactive viewer is served.
pub const DOCS_PATH: &str = "/api/docs";

/// What every handler reads: the open workspace and, for token health, its vault; the
/// sign-in rate limit; whether the server itself speaks TLS.
#[derive(Clone)]
pub struct ApiState {
    ws: Arc<Workspace>,
    vault: Option<SharedVault>,
    limiter: auth::LoginLimiter,
    tls: bool,
    collection: Option<collection::Collection>,
    web_ui: Option<web::WebUi>,
    webhooks: Option<Arc<alcance_app::webhooks::MetaWebhookSecrets>>,
    proxies: Arc<proxy::TrustedProxies>,
    mailer: Option<alcance_app::mail::Mailer>,
    flights: Arc<Flights>,
    sign_ins: Arc<connect::PendingSignIns>,
}

/// The reads whose identical concurrent requests run once (see [`coalesce`]).
#[derive(Debug, Default)]
struct Flights {
    /// `GET /api/v1/dashboard/kpis`, keyed by the JSON of the filter cut to the caller.
    kpis: coalesce::Coalesce<String, Arc<model::Kpis>, problem::ApiError>,
    /// Every account with its token health (one for all callers; routes cut it to the
    /// caller's accounts afterwards).
    accounts: coalesce::Coalesce<(), Arc<Vec<model::Account>>, problem::ApiError>,
}

impl ApiState {
    /// State over `ws`; `vault` is the workspace's vault (another handle, see
    /// [`Session::vault`]); `None` reports every token as `unavailable`.
    pub fn new(ws: Arc<Workspace>, vault: Option<SharedVault>) -> ApiState {
        ApiState {
            ws,
            vault,
            limiter: auth::LoginLimiter::default(),
            tls: false,
            collection: None,
            web_ui: None,
            webhooks: None,
            proxies: Arc::default(),
            mailer: None,
            flights: Arc::default(),
            sign_ins: Arc::default(),
        }
    }

    /// The same state sending invitations and password resets by email through `mailer`
    /// (`alcance serve --smtp-url`). Without one, no email is sent: the admin hands the
    /// one-time link over (the admin screen, `alcance user reset-password`).
    pub fn with_mailer(mut self, mailer: alcance_app::mail::Mailer) -> ApiState {
        self.mailer = Some(mailer);
        self
    }

    /// The mailer, when SMTP is configured.
    pub fn mailer(&self) -> Option<&alcance_app::mail::Mailer> {
        self.mailer.as_ref()
    }

    /// The same state serving the web UI `ui` at `/` (the built `ui/dist`, see [`web`]).
    pub fn with_web_ui(mut self, ui: web::WebUi) -> ApiState {
        self.web_ui = Some(ui);
        self
    }

    /// The web UI served at `/`, if any.
    pub fn web_ui(&self) -> Option<&web::WebUi> {
        self.web_ui.as_ref()
    }

    /// The same state for a server that collects (`alcance serve --collect`): the
    /// collection control routes drive `collection`'s scheduler. Without it they answer
    /// 409 `collection-off`.
    pub fn with_collection(mut self, collection: collection::Collection) -> ApiState {
        self.collection = Some(collection);
        self
    }

    /// The same state for a server that speaks TLS itself ([`serve_tls`] sets it): session
    /// cookies are `Secure` and answers carry `Strict-Transport-Security`. (Behind a
    /// trusted reverse proxy that ends TLS, `X-Forwarded-Proto: https` does the same per
    /// request; see [`proxy`].)
    pub fn with_tls(mut self, tls: bool) -> ApiState {
        self.tls = tls;
        self
    }

    /// The same state for a server that receives Meta's webhooks on `/webhooks/meta`
    /// ([`webhooks`]), checked with these secrets. Without them those routes answer 503
    /// `webhooks-off`.
    pub fn with_webhooks(mut self, secrets: alcance_app::webhooks::MetaWebhookSecrets) -> ApiState {
        self.webhooks = Some(Arc::new(secrets));
        self
    }

    /// The Meta webhook secrets, when configured.
    pub fn webhooks(&self) -> Option<&alcance_app::webhooks::MetaWebhookSecrets> {
        self.webhooks.as_deref()
    }

    /// The same state behind these reverse proxies: their `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed ([`proxy`]). By default no proxy is trusted.
    pub fn with_trusted_proxies(mut self, proxies: proxy::TrustedProxies) -> ApiState {
        self.proxies = Arc::new(proxies);
        self
    }

    /// The trusted reverse proxies.
    pub fn proxies(&self) -> &proxy::TrustedProxies {
        &self.proxies
    }

    /// The Threads sign-ins waiting for their HTTPS callback ([`connect`]).
    pub fn sign_ins(&self) -> &connect::PendingSignIns {
        &self.sign_ins
    }

    /// `true` when the server speaks TLS itself.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// The failed sign-ins per email and per client address.
    pub fn limiter(&self) -> &auth::LoginLimiter {
        &self.limiter
    }

    /// State over an open session's workspace and vault.
    pub fn from_session(session: &Session) -> ApiState {
        ApiState::new(Arc::clone(session.workspace()), session.vault().cloned())
    }

    /// The workspace.
    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    /// The workspace's vault, when open.
    pub fn vault(&self) -> Option<&SharedVault> {
        self.vault.as_ref()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Alcance API",
        description = "The REST API of an Alcance workspace: accounts, posts with their metrics, dashboard KPIs, \
collection runs and metric values for BI tools (Power BI, Tableau, Excel). Times are UTC, RFC 3339 \
(`2025-05-01T14:00:00Z`); days are UTC `YYYY-MM-DD` and ranges include both ends; counts are numbers; rates \
are percent 0–100; a value the platform never served is `null`. Errors are RFC 9457 problem details \
(`application/problem+json`). Lists page by opaque cursor: pass `next_cursor` back as `cursor` until it is \
`null`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    tags(
        (name = "accounts", description = "The workspace's social accounts"),
        (name = "posts", description = "Posts with their latest metrics"),
        (name = "comments", description = "Comments, replies, mentions and tags of the accounts (the Inbox), with full-text search, and per-post counts against the platforms' counters"),
        (name = "dashboard", description = "The dashboard's KPIs"),
        (name = "runs", description = "Collection runs"),
        (name = "collection", description = "Collection control: sync now, cancel, pause, resume (`alcance serve --collect`)"),
        (name = "campaigns", description = "Brand and influencer campaigns: members, posts, costs, conversions and the campaign report (a client sees the campaigns shared with them)"),
        (name = "metrics", description = "Metric values for BI tools"),
        (name = "hashtags", description = "Hashtags: performance over the workspace's own posts, and tracked hashtags with X post volume, Instagram media and the Instagram hashtag budget"),
        (name = "competitors", description = "Competitors: sets with their own collection cadence, share-of-voice terms, and own accounts beside the competitors with the share of voice"),
        (name = "exports", description = "Downloads of the metrics: CSV (zip), JSON, XLSX"),
        (name = "reports", description = "The weekly report as JSON or a PDF, XLSX or HTML download, and the schedules that deliver reports by email and to Google Sheets"),
        (name = "health", description = "Liveness and readiness"),
        (name = "people", description = "Sign-in, password reset, and the admin's users, roles, invitations, client shares, API tokens and audit log"),
        (name = "imports", description = "Imports of platform exports (X archive, Meta Business Suite, TikTok Studio, YouTube Studio, any CSV with a column mapping) and the imports made"),
        (name = "webhooks", description = "Meta's webhooks (WhatsApp message statuses, Instagram comments and mentions), signed with the Meta app secret, and the events stored"),
    )
)]
struct ApiDoc;

/// Every documented route with its handler.
fn api_router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::list_accounts))
        .routes(routes!(routes::get_account, web::delete_account))
        .routes(routes!(routes::list_posts))
        .routes(routes!(routes::post_metrics))
        .routes(routes!(media::post_thumbnail))
        .routes(routes!(routes::dashboard_kpis))
        .routes(routes!(web::dashboard))
        .routes(routes!(web::collection_status))
        .routes(routes!(web::platforms))
        .routes(routes!(web::export_formats))
        .routes(routes!(web::set_cadence))
        .routes(routes!(web::disconnect_account))
        .routes(routes!(connect::start_threads))
        .routes(routes!(connect::threads_callback))
        .routes(routes!(routes::list_runs))
        .routes(routes!(routes::get_run))
        .routes(routes!(routes::run_events))
        .routes(routes!(routes::metrics))
        .routes(routes!(collection::sync_now))
        .routes(routes!(collection::cancel_run))
        .routes(routes!(collection::pause))
        .routes(routes!(collection::resume))
        .routes(routes!(collection::live))
        .routes(routes!(exports::export))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(prometheus::metrics))
        .routes(routes!(people::sign_in, people::whoami, people::sign_out))
        .routes(routes!(people::request_reset))
        .routes(routes!(people::confirm_reset))
        .routes(routes!(people::list_users, people::invite))
        .routes(routes!(people::set_role, people::remove_user))
        .routes(routes!(people::issue_reset))
        .routes(routes!(people::set_shares))
        .routes(routes!(people::list_tokens, people::create_token))
        .routes(routes!(people::revoke_token))
        .routes(routes!(people::audit_log))
        .routes(routes!(webhooks::verify, webhooks::receive))
        .routes(routes!(webhooks::list_events))
        .routes(routes!(campaigns::list_campaigns, campaigns::create_campaign))
        .routes(routes!(
            campaigns::get_campaign,
            campaigns::update_campaign,
            campaigns::delete_campaign
        ))
        .routes(routes!(campaigns::set_member, campaigns::remove_member))
        .routes(routes!(campaigns::add_post, campaigns::remove_post))
        .routes(routes!(campaigns::import_costs))
        .routes(routes!(campaigns::import_conversions))
        .routes(routes!(campaigns::campaign_report))
        .routes(routes!(campaigns::archive, campaigns::unarchive))
        .routes(routes!(campaigns::list_posts))
        .routes(routes!(campaigns::trend))
        .routes(routes!(campaigns::rule_preview))
        .routes(routes!(campaigns::add_cost))
        .routes(routes!(campaigns::add_conversion))
        .routes(routes!(reports::weekly))
        // Issue 17 point 2: hashtags.
        .routes(routes!(hashtags::list_hashtags))
        .routes(routes!(hashtags::list_tracked, hashtags::track))
        .routes(routes!(hashtags::untrack))
        // Issue 17 point 1: competitors.
        .routes(routes!(competitors::list, competitors::add))
        .routes(routes!(competitors::remove))
        .routes(routes!(competitors::cadence))
        .routes(routes!(competitors::add_term))
        .routes(routes!(competitors::remove_term))
        .routes(routes!(competitors::report))
        .routes(routes!(competitors::chart))
        // Issue 13 point 5: scheduled delivery of reports.
        .routes(routes!(schedules::list_schedules, schedules::create_schedule))
        .routes(routes!(schedules::set_enabled, schedules::delete_schedule))
        .routes(routes!(schedules::send_now))
        .routes(routes!(schedules::deliveries))
        // Issue 13 point 2: the account comparison.
        .routes(routes!(compare::compare))
        // Issue 17 point 5: imports of platform exports.
        .routes(routes!(imports::list, imports::import))
        .routes(routes!(imports::preview))
        // Issue 17 point 3: comments and mentions.
        .routes(routes!(comments::list_comments))
        .routes(routes!(comments::comment_counts))
        .routes(routes!(comments::sentiment_summary))
}

/// The OpenAPI 3.1 description of every route, generated from the handlers and types,
/// with the security schemes and each route's role, 401 and 403 from [`auth::ROUTES`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut description = api_router().into_openapi();
    auth::document(&mut description);
    description
}

/// [`openapi`] as the pretty-printed JSON served and committed (`docs/openapi.json`),
/// ending with a newline.
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// The HTTP service: the documented routes, the OpenAPI description, its viewer, and
/// problem+json 404 and 405 answers for any other path or method. Installs the Prometheus
/// recorder ([`alcance_app::telemetry::install`]) for `/metrics`. Every route passes
/// [`auth::authorize`]; every answer gets [`auth::security_headers`]; bodies are limited
/// to [`auth::BODY_LIMIT`] and requests to [`auth::REQUEST_TIMEOUT`].
pub fn router(state: ApiState) -> Router {
    alcance_app::telemetry::install();
    let (router, _) = api_router().split_for_parts();
    let description: Arc<str> = Arc::from(openapi_json());
    router
        .route(
            OPENAPI_PATH,
            get(move || {
                let description = Arc::clone(&description);
                async move { ([(header::CONTENT_TYPE, "application/json")], description.to_string()) }
            }),
        )
        .route(DOCS_PATH, get(docs_page))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::authorize))
        .route_layer(axum::middleware::from_fn(prometheus::stamp_route))
        .fallback(web::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(auth::BODY_LIMIT))
        .layer(axum::middleware::from_fn(auth::time_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// The viewer: a small page that loads Swagger UI in the browser (from the jsDelivr CDN)
/// and points it at [`OPENAPI_PATH`]. Nothing is fetched by the server.
async fn docs_page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}

/// 404 problem+json for a path no route serves.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    ApiError {
        status: StatusCode::NOT_FOUND,
        kind: "not-found",
        title: "Not found",
        detail: format!("no route {}; the routes are listed at {OPENAPI_PATH}", uri.path()),
    }
    .into_response()
}

/// Logs each request at info level: method, path (never the query), status and duration;
/// counts it for `/metrics` ([`prometheus::count_request`]).
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    prometheus::count_request(&method, &response, started.elapsed());
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// 405 problem+json for a method a route does not serve.
pub(crate) async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        kind: "method-not-allowed",
        title: "Method not allowed",
        detail: format!("{method} is not served on {}; see {OPENAPI_PATH}", uri.path()),
    }
    .into_response()
}

/// Serves [`router`] over plain HTTP on `listener` until `shutdown` completes, then stops
/// accepting connections and lets the requests in flight finish. On a collecting server
/// ([`ApiState::with_collection`]) the scheduler is told to stop at the same time: its run
/// in flight ends after its current account (stored `paused`, resumed at the next start),
/// the live progress streams end with it, and this returns once it has stopped.
///
/// Errors: the listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ApiState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (shutdown, collection_stopped) = stop_collection_on(&state, shutdown);
    let service = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, service).with_graceful_shutdown(shutdown).await;
    let _ = collection_stopped.await;
    served
}

/// [`serve`] over TLS ([`tls`]): each connection's handshake with `config` (from
/// [`tls::server_config`]), then the same routes, with `Secure` cookies and HSTS.
///
/// Errors: the listener fails.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    config: Arc<tls::ServerConfig>,
    state: ApiState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt as _;
    let (shutdown, collection_stopped) = stop_collection_on(&state, shutdown);
    // `tap_io` gives the listener axum's connect info (the peer's address).
    let listener = tls::TlsListener::new(listener, config)?.tap_io(|_| {});
    let service = router(state.with_tls(true)).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, service).with_graceful_shutdown(shutdown).await;
    let _ = collection_stopped.await;
    served
}

/// `shutdown`, followed on a collecting server by a stop of its scheduler (run in its own
/// task, so the HTTP side drains meanwhile); the receiver completes once it has stopped
/// (at once without a scheduler, or when the shutdown never came).
fn stop_collection_on(
    state: &ApiState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> (
    impl Future<Output = ()> + Send + 'static,
    tokio::sync::oneshot::Receiver<()>,
) {
    let scheduler = state.collection.as_ref().map(|c| c.scheduler().clone());
    let (stopped, collection_stopped) = tokio::sync::oneshot::channel();
    let shutdown = async move {
        shutdown.await;
        match scheduler {
            Some(scheduler) => {
                tracing::info!("stopping collection after the current account");
                tokio::spawn(async move {
                    scheduler.stop().await;
                    let _ = stopped.send(());
                });
            }
            None => {
                let _ = stopped.send(());
            }
        }
    };
    (shutdown, collection_stopped)
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM: the shutdown signal of
/// `alcance serve`. A signal handler that cannot be installed is logged and ignored.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
