//! Connecting a Threads account through the team server's own HTTPS callback (issue 14
//! point 4). Threads accepts only HTTPS redirect URIs and its code exchange needs the app
//! secret, so a desktop cannot finish the sign-in on a loopback redirect; a server that is
//! reached over HTTPS can:
//!
//! 1. a manager sends the Threads app ID and secret to `POST /api/v1/connect/threads`; the
//!    server prepares the authorization (state, PKCE S256) with the redirect URI
//!    `https://<this server>/oauth/threads/callback` ([`THREADS_CALLBACK_PATH`]; register it
//!    in the Threads app) and answers the consent page's URL;
//! 2. the browser goes there, the member approves, Threads sends the browser to the
//!    callback with `?code=…&state=…`;
//! 3. `GET /oauth/threads/callback` (public: the `state` is the credential) finds the
//!    pending sign-in by its state (single use, [`PENDING_TTL`]), exchanges the code
//!    (code → 1 h token → 60-day token), stores the token in the workspace's vault (the
//!    team vault: every collector of the workspace collects the account) and the app
//!    secret beside it for renewals, and answers a small page saying which account was
//!    connected.
//!
//! The code and the tokens never reach a log line (requests are logged by path only), the
//! store or an answer. A server reached over plain HTTP answers 409 `threads-needs-https`:
//! serve with `--tls-cert` / `--tls-key`, or behind a trusted reverse proxy that ends TLS
//! (`X-Forwarded-Proto: https`).

use crate::auth::{over_tls, peer, Caller};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::oauth::{AuthorizeRequest, OAuthApp, RedirectConfig};
use alcance_app::Platform;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// Where Threads sends the browser back: `https://<this server>/oauth/threads/callback`.
pub const THREADS_CALLBACK_PATH: &str = "/oauth/threads/callback";

/// How long a prepared sign-in waits for its callback: 10 minutes.
pub const PENDING_TTL: Duration = Duration::from_secs(600);

/// At most this many sign-ins wait at once; the oldest is dropped beyond it.
const MAX_PENDING: usize = 32;

/// A sign-in waiting for its callback.
struct Pending {
    app: OAuthApp,
    request: AuthorizeRequest,
    redirect_uri: String,
    manager: String,
    created: Instant,
}

/// The sign-ins waiting for their callback, by `state`.
#[derive(Default)]
pub struct PendingSignIns {
    inner: Mutex<HashMap<String, Pending>>,
}

impl std::fmt::Debug for PendingSignIns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIns").finish_non_exhaustive()
    }
}

impl PendingSignIns {
    fn insert(&self, state: String, pending: Pending) {
        let mut map = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, p| p.created.elapsed() < PENDING_TTL);
        while map.len() >= MAX_PENDING {
            let Some(oldest) = map.iter().min_by_key(|(_, p)| p.created).map(|(k, _)| k.clone()) else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(state, pending);
    }

    /// Takes the sign-in of `state` (single use); `None` when unknown or expired.
    fn take(&self, state: &str) -> Option<Pending> {
        let mut map = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(state).filter(|p| p.created.elapsed() < PENDING_TTL)
    }
}

/// The Threads app to sign in with.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ThreadsSignInRequest {
    /// The Threads app ID (Meta app dashboard → Use cases → Threads API; not the Meta app ID).
    pub client_id: String,
    /// The Threads app secret (both token calls need it). Kept in the workspace's vault for
    /// renewals; never stored in the database, logged or answered.
    pub client_secret: String,
    /// The callback address registered in the Threads app, when this server is reached
    /// under another name than the one the request used (it must be HTTPS and end in
    /// `/oauth/threads/callback`); by default `https://<Host of this request>/oauth/threads/callback`.
    #[serde(default)]
    pub redirect_uri: Option<String>,
}

/// A prepared Threads sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadsSignIn {
    /// Threads' consent page: open it in the browser.
    pub authorize_url: String,
    /// The redirect URI the sign-in uses (register it exactly in the Threads app).
    pub redirect_uri: String,
    /// Seconds the sign-in waits for its callback (600).
    pub expires_in: u64,
}

/// Prepares a Threads sign-in that ends on this server's HTTPS callback: answers Threads'
/// consent page URL (with `state` and a PKCE S256 challenge) for the browser to open. After
/// the member approves, `GET /oauth/threads/callback` exchanges the code, stores the token
/// in the workspace's vault and connects the account. Audited as `threads-sign-in`.
#[utoipa::path(
    post,
    path = "/api/v1/connect/threads",
    tag = "accounts",
    request_body = ThreadsSignInRequest,
    responses(
        (status = 200, description = "The consent page to open", body = ThreadsSignIn),
        (status = 400, description = "An empty app ID or secret, or a redirect URI that is not this server's HTTPS callback", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`threads-needs-https`: this server is reached over plain HTTP, which Threads refuses as a redirect", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn start_threads(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: axum::extract::Request,
) -> Result<Json<ThreadsSignIn>, ApiError> {
    let tls = over_tls(&state, peer(request.extensions()), request.headers());
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let body = axum::body::to_bytes(request.into_body(), crate::auth::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::invalid("the request body could not be read"))?;
    let body: ThreadsSignInRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("the request body is not valid: {e}")))?;
    let client_id = body.client_id.trim().to_string();
    let secret = body.client_secret.trim().to_string();
    if client_id.is_empty() || secret.is_empty() {
        return Err(ApiError::invalid("the Threads app ID and secret are both needed"));
    }
    let redirect_uri = match body.redirect_uri.as_deref().map(str::trim) {
        Some(given) => {
            let ok = url::Url::parse(given)
                .is_ok_and(|u| u.scheme() == "https" && u.path() == THREADS_CALLBACK_PATH && u.query().is_none());
            if !ok {
                return Err(ApiError::invalid(format!(
                    "the redirect URI must be this server's HTTPS callback, https://<address>{THREADS_CALLBACK_PATH}"
                )));
            }
            given.to_string()
        }
        None => {
            if !tls {
                return Err(ApiError {
                    status: StatusCode::CONFLICT,
                    kind: "threads-needs-https",
                    title: "Threads needs HTTPS",
                    detail: "Threads accepts only HTTPS redirect URIs and this request reached the server over plain HTTP: serve with --tls-cert and --tls-key, or behind a trusted reverse proxy that ends TLS (--trusted-proxy), or connect Threads in the desktop app".to_string(),
                });
            }
            let host = host.ok_or_else(|| ApiError::invalid("the request has no Host header"))?;
            format!("https://{host}{THREADS_CALLBACK_PATH}")
        }
    };
    let provider = state.workspace().provider(Platform::Threads)?;
    let app = OAuthApp {
        platform: Platform::Threads,
        client_id,
        client_secret: Some(SecretString::from(secret)),
        scopes: provider.default_scopes.clone(),
        redirect: RedirectConfig::default(),
    };
    let request = AuthorizeRequest::new(&app, &provider, &redirect_uri)
        .map_err(|e| ApiError::invalid(format!("the Threads sign-in cannot be prepared: {e}")))?;
    let answer = ThreadsSignIn {
        authorize_url: request.url.to_string(),
        redirect_uri: redirect_uri.clone(),
        expires_in: PENDING_TTL.as_secs(),
    };
    state.sign_ins().insert(
        request.state().to_string(),
        Pending {
            app,
            request,
            redirect_uri,
            manager: caller.email().to_string(),
            created: Instant::now(),
        },
    );
    audit(
        &state,
        caller.email(),
        "threads-sign-in",
        None,
        alcance_app::people::Outcome::Ok,
    )
    .await;
    Ok(Json(answer))
}

/// What Threads appends to the callback.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CallbackParams {
    /// The authorization code (single use, minutes).
    code: Option<String>,
    /// The `state` of the sign-in this answers.
    state: Option<String>,
    /// Set when the member refused (`access_denied`).
    error: Option<String>,
    /// Threads' words for the refusal.
    error_description: Option<String>,
}

/// Threads' redirect after consent: finds the waiting sign-in by `state` (single use,
/// 10 minutes), exchanges the code (code → 1 h token → 60-day token, with the app secret),
/// stores the token in the workspace's vault and the account, and answers a page naming
/// it. Public: the `state` is the credential. Audited as `account-connect`.
#[utoipa::path(
    get,
    path = "/oauth/threads/callback",
    tag = "accounts",
    params(CallbackParams),
    responses(
        (status = 200, description = "Connected: a page naming the account", content_type = "text/html"),
        (status = 400, description = "Unknown or expired state, or Threads refused the code", content_type = "text/html"),
        (status = 403, description = "The member did not grant access", content_type = "text/html"),
    )
)]
pub async fn threads_callback(State(state): State<ApiState>, Query(params): Query<CallbackParams>) -> Response {
    let Some(pending) = params.state.as_deref().and_then(|s| state.sign_ins().take(s)) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Threads sign-in expired",
            "This sign-in is unknown or older than 10 minutes. Start again from Accounts → Connect Threads.",
        );
    };
    if let Some(error) = params.error.as_deref() {
        let why = params.error_description.as_deref().unwrap_or(error);
        audit(
            &state,
            &pending.manager,
            "account-connect",
            Some(format!("threads: refused ({error})")),
            alcance_app::people::Outcome::Failed,
        )
        .await;
        return page(
            StatusCode::FORBIDDEN,
            "Threads did not grant access",
            &format!("Threads said: {why}. Nothing was connected."),
        );
    }
    let Some(code) = params.code.filter(|c| !c.is_empty()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "No code",
            "Threads sent no authorization code.",
        );
    };
    let ws = state.workspace();
    let connected = ws
        .connect_threads_authorized(&pending.app, pending.request, &SecretString::from(code))
        .await;
    match connected {
        Ok(account) => {
            if let Err(e) = ws
                .store()
                .save_app_credentials(Platform::Threads, &pending.app.client_id, &pending.redirect_uri, true)
                .await
            {
                tracing::warn!(error = %e, "saving the Threads app settings failed");
            }
            let handle = account
                .account
                .username
                .clone()
                .unwrap_or_else(|| account.account.external_id.clone());
            audit(
                &state,
                &pending.manager,
                "account-connect",
                Some(format!("threads: @{handle} (account {})", account.id)),
                alcance_app::people::Outcome::Ok,
            )
            .await;
            page(
                StatusCode::OK,
                "Threads connected",
                &format!(
                    "@{handle} is connected to this workspace (account {}). You can close this tab.",
                    account.id
                ),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e.message(), "the Threads sign-in failed");
            audit(
                &state,
                &pending.manager,
                "account-connect",
                Some("threads: the code exchange failed".to_string()),
                alcance_app::people::Outcome::Failed,
            )
            .await;
            page(
                StatusCode::BAD_REQUEST,
                "Threads sign-in failed",
                &format!("{} Start again from Accounts → Connect Threads.", e.message()),
            )
        }
    }
}

/// A plain page (no script, no style: the API's content security policy holds).
fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} — Alcance</title></head>\
         <body><h1>{t}</h1><p>{p}</p><p><a href=\"/\">Back to Alcance</a></p></body></html>",
        t = html_escape::encode_text(title),
        p = html_escape::encode_text(text),
    );
    (status, Html(body)).into_response()
}

async fn audit(
    state: &ApiState,
    email: &str,
    action: &str,
    detail: Option<String>,
    outcome: alcance_app::people::Outcome,
) {
    if let Err(e) =
        alcance_app::people::audit(state.workspace(), Some(email), action, None, outcome, detail.as_deref()).await
    {
        tracing::warn!(error = %e.message(), action, "cannot write the audit log");
    }
}
