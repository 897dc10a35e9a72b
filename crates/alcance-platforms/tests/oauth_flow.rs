//! The OAuth flow end to end against a fake authorization server on 127.0.0.1: its
//! authorize endpoint auto-approves with a 302 to the redirect URI, its token endpoints
//! verify the PKCE verifier against the S256 challenge, the redirect URI and the client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::Platform;
use alcance_platforms::oauth::{self, BrowserOpener, HeadlessBrowser, OAuthApp, Provider, RedirectConfig, TokenSet};
use alcance_platforms::{Endpoints, PlatformError};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Form, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

// ----------------------------------------------------------------------------------------
// The fake authorization server

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Consent {
    #[default]
    Approve,
    Deny,
    ForgeState,
    /// Approve, but remember a challenge the client never sent: the exchange must fail.
    TamperChallenge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum AnswerShape {
    #[default]
    Standard,
    TikTok,
    InstagramWrapped,
    InstagramFlat,
}

#[derive(Debug, Clone)]
struct Pending {
    challenge: String,
    redirect_uri: String,
    client: String,
}

#[derive(Debug, Default)]
struct Fake {
    consent: Consent,
    shape: AnswerShape,
    omit_refresh_token_on_refresh: bool,
    fail_token: Option<(u16, &'static str, String)>,
    pending: HashMap<String, Pending>,
    issued_refresh: Vec<String>,
    issued_access: Vec<String>,
    serial: u32,
    authorize_queries: Vec<HashMap<String, String>>,
    token_forms: Vec<HashMap<String, String>>,
    token_auth_headers: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Fake>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Fake> {
    s.lock().expect("fake provider lock")
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn oauth_refusal(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn authorize_endpoint(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut f = lock(&s);
    f.authorize_queries.push(q.clone());
    let Some(mut target) = q.get("redirect_uri").and_then(|r| Url::parse(r).ok()) else {
        return (StatusCode::BAD_REQUEST, "missing redirect_uri").into_response();
    };
    if q.get("response_type").map(String::as_str) != Some("code")
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return (StatusCode::BAD_REQUEST, "code flow with S256 only").into_response();
    }
    let state = q.get("state").cloned().unwrap_or_default();
    let client = q
        .get("client_id")
        .or_else(|| q.get("client_key"))
        .cloned()
        .unwrap_or_default();
    match f.consent {
        Consent::Deny => {
            target
                .query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair("error_description", "The user denied the request")
                .append_pair("state", &state);
        }
        Consent::ForgeState => {
            target
                .query_pairs_mut()
                .append_pair("code", "code-x")
                .append_pair("state", "forged");
        }
        Consent::Approve | Consent::TamperChallenge => {
            f.serial += 1;
            let code = format!("code-{}", f.serial);
            let challenge = if f.consent == Consent::TamperChallenge {
                s256("some other verifier")
            } else {
                q.get("code_challenge").cloned().unwrap_or_default()
            };
            let pending = Pending {
                challenge,
                redirect_uri: q.get("redirect_uri").cloned().unwrap_or_default(),
                client,
            };
            f.pending.insert(code.clone(), pending);
            target
                .query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", &state);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

/// The client id a token request authenticates as: form `client_id` / `client_key`, or
/// HTTP Basic.
fn client_of(form: &HashMap<String, String>, auth: Option<&str>) -> Option<String> {
    if let Some(basic) = auth.and_then(|a| a.strip_prefix("Basic ")) {
        let decoded = String::from_utf8(STANDARD.decode(basic).ok()?).ok()?;
        return decoded.split(':').next().map(str::to_string);
    }
    form.get("client_id").or_else(|| form.get("client_key")).cloned()
}

/// Verifies a code exchange; returns the refusal to send when it does not verify.
fn verify_code(f: &mut Fake, form: &HashMap<String, String>, client: Option<String>) -> Result<(), Box<Response>> {
    let code = form.get("code").cloned().unwrap_or_default();
    let Some(p) = f.pending.remove(&code) else {
        return Err(Box::new(oauth_refusal(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "unknown code",
        )));
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if verifier.len() < 43 || s256(&verifier) != p.challenge {
        return Err(Box::new(oauth_refusal(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed",
        )));
    }
    if form.get("redirect_uri") != Some(&p.redirect_uri) {
        return Err(Box::new(oauth_refusal(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri mismatch",
        )));
    }
    if client.as_deref() != Some(p.client.as_str()) {
        return Err(Box::new(oauth_refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client mismatch",
        )));
    }
    Ok(())
}

fn issue(f: &mut Fake, refresh: bool) -> serde_json::Value {
    f.serial += 1;
    let n = f.serial;
    let access = format!("at-{n}");
    let refresh_token = format!("rt-{n}");
    f.issued_access.push(access.clone());
    f.issued_refresh.push(refresh_token.clone());
    match f.shape {
        AnswerShape::Standard => {
            let mut v = json!({"token_type": "bearer", "access_token": access, "expires_in": 7200,
                               "scope": "tweet.read users.read offline.access"});
            if !(refresh && f.omit_refresh_token_on_refresh) {
                v["refresh_token"] = json!(refresh_token);
            }
            v
        }
        AnswerShape::TikTok => json!({"access_token": access, "expires_in": 7200, "open_id": "open-123",
            "refresh_expires_in": 15_552_000, "refresh_token": refresh_token,
            "scope": "user.info.basic,video.list", "token_type": "Bearer"}),
        AnswerShape::InstagramWrapped => json!({"data": [{"access_token": access, "user_id": 17_841_400_000_000_001u64,
            "permissions": "instagram_business_basic,instagram_business_manage_insights"}]}),
        AnswerShape::InstagramFlat => json!({"access_token": access, "user_id": "17841400000000002",
            "permissions": ["instagram_business_basic", "instagram_business_manage_insights"]}),
    }
}

async fn token_endpoint(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut f = lock(&s);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    f.token_forms.push(form.clone());
    f.token_auth_headers.push(auth.clone());
    if let Some((status, content_type, body)) = f.fail_token.clone() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
    }
    let client = client_of(&form, auth.as_deref());
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            if let Err(refusal) = verify_code(&mut f, &form, client) {
                return *refusal;
            }
            axum::Json(issue(&mut f, false)).into_response()
        }
        Some("refresh_token") => {
            let rt = form.get("refresh_token").cloned().unwrap_or_default();
            if !f.issued_refresh.contains(&rt) {
                return oauth_refusal(StatusCode::BAD_REQUEST, "invalid_grant", "unknown refresh token");
            }
            axum::Json(issue(&mut f, true)).into_response()
        }
        _ => oauth_refusal(StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant_type"),
    }
}

/// Facebook's `GET /oauth/access_token`: code exchange or `fb_exchange_token`.
async fn facebook_token(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut f = lock(&s);
    f.token_forms.push(q.clone());
    let graph_error = |msg: &str| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"message": msg, "type": "OAuthException", "code": 100, "fbtrace_id": "Ab"}})),
        )
            .into_response()
    };
    if q.get("client_secret").map(String::as_str) != Some("fb-secret") {
        return graph_error("Error validating client secret.");
    }
    if q.get("grant_type").map(String::as_str) == Some("fb_exchange_token") {
        let short = q.get("fb_exchange_token").cloned().unwrap_or_default();
        if !f.issued_access.contains(&short) {
            return graph_error("Invalid OAuth access token - Cannot parse access token");
        }
        return axum::Json(json!({"access_token": "EAAB-long", "token_type": "bearer", "expires_in": 5_183_944}))
            .into_response();
    }
    let client = q.get("client_id").cloned();
    if verify_code(&mut f, &q, client).is_err() {
        return graph_error("Invalid verification code format.");
    }
    f.serial += 1;
    let access = format!("EAAB-{}", f.serial);
    f.issued_access.push(access.clone());
    axum::Json(json!({"access_token": access, "token_type": "bearer", "expires_in": 5400})).into_response()
}

/// Instagram's long-lived exchange and refresh on `graph.instagram.com`.
async fn instagram_long_lived(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let f = lock(&s);
    let ok = q.get("grant_type").map(String::as_str) == Some("ig_exchange_token")
        && q.get("client_secret").map(String::as_str) == Some("ig-secret")
        && q.get("access_token").is_some_and(|t| f.issued_access.contains(t));
    if !ok {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(
                json!({"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}}),
            ),
        )
            .into_response();
    }
    axum::Json(json!({"access_token": "IGLL-1", "token_type": "bearer", "expires_in": 5_184_000})).into_response()
}

async fn instagram_refresh(Query(q): Query<HashMap<String, String>>) -> Response {
    if q.get("grant_type").map(String::as_str) != Some("ig_refresh_token")
        || q.get("access_token").map(String::as_str) != Some("IGLL-1")
    {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"message": "bad refresh", "code": 190}})),
        )
            .into_response();
    }
    axum::Json(json!({"access_token": "IGLL-2", "token_type": "bearer", "expires_in": 5_184_000})).into_response()
}

/// Any call the test did not expect fails loudly.
async fn unexpected() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "unexpected call").into_response()
}

struct Server {
    state: Shared,
    endpoints: Endpoints,
}

async fn start() -> Server {
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/i/oauth2/authorize", get(authorize_endpoint))
        .route("/2/oauth2/token", post(token_endpoint))
        .route("/v2/auth/authorize/", get(authorize_endpoint))
        .route("/v2/oauth/token/", post(token_endpoint))
        .route("/oauth/authorize", get(authorize_endpoint))
        .route("/oauth/access_token", post(token_endpoint))
        .route("/v25.0/dialog/oauth", get(authorize_endpoint))
        .route("/v25.0/oauth/access_token", get(facebook_token))
        .route("/access_token", get(instagram_long_lived))
        .route("/refresh_access_token", get(instagram_refresh))
        .fallback(any(unexpected))
        .with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind fake provider");
    let base = Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("base url");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server {
        state,
        endpoints: Endpoints::sandbox(&base),
    }
}

// ----------------------------------------------------------------------------------------
// Helpers

fn app(platform: Platform, secret: Option<&str>) -> OAuthApp {
    OAuthApp {
        platform,
        client_id: format!("client-{}", platform.as_str()),
        client_secret: secret.map(|s| SecretString::from(s.to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::default(),
    }
}

/// Records every URL it is asked to open, then (optionally) opens it headlessly.
struct Recording {
    urls: Mutex<Vec<Url>>,
    inner: Option<HeadlessBrowser>,
}

impl Recording {
    fn headless() -> Self {
        Self {
            urls: Mutex::new(Vec::new()),
            inner: Some(HeadlessBrowser::new()),
        }
    }
    fn inert() -> Self {
        Self {
            urls: Mutex::new(Vec::new()),
            inner: None,
        }
    }
    fn last(&self) -> Url {
        self.urls
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("a URL was opened")
    }
}

impl BrowserOpener for Recording {
    fn open(&self, url: &Url) -> Result<(), PlatformError> {
        self.urls.lock().expect("lock").push(url.clone());
        match &self.inner {
            Some(b) => b.open(url),
            None => Ok(()),
        }
    }
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

const WAIT: Duration = Duration::from_secs(20);

async fn run(app: &OAuthApp, provider: &Provider) -> Result<TokenSet, PlatformError> {
    oauth::authorize(app, provider, &HeadlessBrowser::new(), WAIT).await
}

// ----------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn x_public_client_gets_tokens_through_pkce() {
    let server = start().await;
    let provider = Provider::x(&server.endpoints);
    let browser = Recording::headless();
    let app = app(Platform::X, None);
    let before = chrono::Utc::now();
    let tokens = oauth::authorize(&app, &provider, &browser, WAIT)
        .await
        .expect("authorized");

    let f = lock(&server.state);
    assert_eq!(tokens.access_token.expose_secret(), f.issued_access[0]);
    assert_eq!(
        tokens.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(f.issued_refresh[0].as_str())
    );
    let expires = tokens.expires_at.expect("expires_at");
    assert!(
        expires >= before + chrono::Duration::seconds(7200)
            && expires <= chrono::Utc::now() + chrono::Duration::seconds(7200)
    );
    assert_eq!(tokens.scope.as_deref(), Some("tweet.read users.read offline.access"));

    // The authorize URL: code flow, S256 challenge (43 base64url chars), state, X scopes.
    let url = browser.last();
    assert!(url.as_str().starts_with(provider.authorize_url.as_str()));
    assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(param(&url, "client_id").as_deref(), Some("client-x"));
    assert_eq!(param(&url, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param(&url, "code_challenge").map(|c| c.len()), Some(43));
    assert!(param(&url, "state").is_some_and(|s| s.len() >= 16));
    assert_eq!(
        param(&url, "scope").as_deref(),
        Some("tweet.read users.read offline.access")
    );

    // Public client: client_id in the form, no secret, no Basic header; verifier sent.
    let form = &f.token_forms[0];
    assert_eq!(form.get("client_id").map(String::as_str), Some("client-x"));
    assert!(!form.contains_key("client_secret"));
    assert!(form.get("code_verifier").is_some());
    assert_eq!(f.token_auth_headers[0], None);
}

#[tokio::test]
async fn x_confidential_client_uses_http_basic() {
    let server = start().await;
    let provider = Provider::x(&server.endpoints);
    let tokens = run(&app(Platform::X, Some("x-secret")), &provider)
        .await
        .expect("authorized");
    assert!(tokens.access_token.expose_secret().starts_with("at-"));
    let f = lock(&server.state);
    let basic = f.token_auth_headers[0].clone().expect("Basic header");
    let decoded = STANDARD.decode(basic.trim_start_matches("Basic ")).expect("base64");
    assert_eq!(decoded, b"client-x:x-secret");
    assert!(!f.token_forms[0].contains_key("client_secret"));
}

#[tokio::test]
async fn the_token_endpoint_really_checks_the_verifier() {
    let server = start().await;
    lock(&server.state).consent = Consent::TamperChallenge;
    let err = run(&app(Platform::X, None), &Provider::x(&server.endpoints))
        .await
        .expect_err("verifier does not match the remembered challenge");
    assert_eq!(err.code(), "oauth");
    let text = err.to_string();
    assert!(
        text.contains("invalid_grant") && text.contains("PKCE verification failed"),
        "{text}"
    );
}

#[tokio::test]
async fn a_forged_state_is_rejected() {
    let server = start().await;
    lock(&server.state).consent = Consent::ForgeState;
    let err = run(&app(Platform::X, None), &Provider::x(&server.endpoints))
        .await
        .expect_err("forged state");
    assert_eq!(err.code(), "oauth");
    assert!(err.to_string().contains("state"), "{err}");
    assert!(
        lock(&server.state).token_forms.is_empty(),
        "no exchange after a bad state"
    );
}

#[tokio::test]
async fn a_denied_consent_is_an_oauth_error_with_the_description() {
    let server = start().await;
    lock(&server.state).consent = Consent::Deny;
    let err = run(&app(Platform::X, None), &Provider::x(&server.endpoints))
        .await
        .expect_err("denied");
    assert!(matches!(err, PlatformError::OAuth { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("access_denied") && text.contains("The user denied the request"),
        "{text}"
    );
}

#[tokio::test]
async fn the_wait_times_out() {
    let server = start().await;
    let browser = Recording::inert();
    let started = Instant::now();
    let err = oauth::authorize(
        &app(Platform::X, None),
        &Provider::x(&server.endpoints),
        &browser,
        Duration::from_millis(300),
    )
    .await
    .expect_err("nobody came back");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(err.code(), "oauth");
    assert!(err.to_string().contains("within"), "{err}");
    assert_eq!(browser.urls.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn the_redirect_uri_is_exact_on_a_fixed_port() {
    let server = start().await;
    // Find a free port, release it, and ask the flow to use exactly that one.
    let port = {
        let l = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("probe bind");
        l.local_addr().expect("addr").port()
    };
    let mut app = app(Platform::X, None);
    app.redirect = RedirectConfig {
        port,
        path: "/oauth/done".into(),
    };
    let browser = Recording::headless();
    oauth::authorize(&app, &Provider::x(&server.endpoints), &browser, WAIT)
        .await
        .expect("authorized");
    let expected = format!("http://127.0.0.1:{port}/oauth/done");
    assert_eq!(param(&browser.last(), "redirect_uri"), Some(expected.clone()));
    let f = lock(&server.state);
    assert_eq!(f.token_forms[0].get("redirect_uri"), Some(&expected));
}

#[tokio::test]
async fn refresh_rotates_and_keeps_the_old_refresh_token_when_none_comes_back() {
    let server = start().await;
    let provider = Provider::x(&server.endpoints);
    let app = app(Platform::X, None);
    let first = run(&app, &provider).await.expect("authorized");
    let rt1 = first.refresh_token.clone().expect("refresh token");

    let second = oauth::refresh(&app, &provider, &rt1).await.expect("refreshed");
    assert_ne!(second.access_token.expose_secret(), first.access_token.expose_secret());
    let rt2 = second.refresh_token.clone().expect("rotated refresh token");
    assert_ne!(rt2.expose_secret(), rt1.expose_secret());
    {
        let f = lock(&server.state);
        let form = f.token_forms.last().expect("refresh form");
        assert_eq!(form.get("grant_type").map(String::as_str), Some("refresh_token"));
        assert_eq!(form.get("refresh_token").map(String::as_str), Some(rt1.expose_secret()));
        assert_eq!(form.get("client_id").map(String::as_str), Some("client-x"));
    }

    lock(&server.state).omit_refresh_token_on_refresh = true;
    let third = oauth::refresh(&app, &provider, &rt2).await.expect("refreshed again");
    assert_eq!(
        third.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(rt2.expose_secret())
    );

    let err = oauth::refresh(&app, &provider, &SecretString::from("rt-unknown".to_string()))
        .await
        .expect_err("unknown refresh token");
    assert!(err.to_string().contains("unknown refresh token"), "{err}");
}

#[tokio::test]
async fn tiktok_uses_client_key_and_comma_scopes() {
    let server = start().await;
    lock(&server.state).shape = AnswerShape::TikTok;
    let provider = Provider::tiktok(&server.endpoints);
    let app = app(Platform::Tiktok, Some("tt-secret"));
    let browser = Recording::headless();
    let tokens = oauth::authorize(&app, &provider, &browser, WAIT)
        .await
        .expect("authorized");
    assert_eq!(tokens.user_id.as_deref(), Some("open-123"));
    assert_eq!(tokens.scope.as_deref(), Some("user.info.basic,video.list"));
    let url = browser.last();
    assert_eq!(param(&url, "client_key").as_deref(), Some("client-tiktok"));
    assert_eq!(param(&url, "client_id"), None);
    assert_eq!(
        param(&url, "scope").as_deref(),
        Some("user.info.basic,user.info.profile,user.info.stats,video.list")
    );
    let rt = tokens.refresh_token.clone().expect("refresh token");
    {
        let f = lock(&server.state);
        let form = &f.token_forms[0];
        assert_eq!(form.get("client_key").map(String::as_str), Some("client-tiktok"));
        assert_eq!(form.get("client_secret").map(String::as_str), Some("tt-secret"));
        assert!(!form.contains_key("client_id"));
    }
    let refreshed = oauth::refresh(&app, &provider, &rt).await.expect("refreshed");
    assert_ne!(
        refreshed.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(rt.expose_secret())
    );
}

#[tokio::test]
async fn instagram_login_answers_parse_and_long_lived_tokens_refresh() {
    let server = start().await;
    lock(&server.state).shape = AnswerShape::InstagramWrapped;
    let provider = Provider::instagram_login(&server.endpoints);
    let app = app(Platform::Instagram, Some("ig-secret"));
    let browser = Recording::headless();
    let short = oauth::authorize(&app, &provider, &browser, WAIT)
        .await
        .expect("authorized");
    assert_eq!(short.user_id.as_deref(), Some("17841400000000001"));
    assert_eq!(
        short.scope.as_deref(),
        Some("instagram_business_basic,instagram_business_manage_insights")
    );
    assert!(short.refresh_token.is_none());
    assert_eq!(
        param(&browser.last(), "scope").as_deref(),
        Some("instagram_business_basic,instagram_business_manage_insights")
    );
    {
        let f = lock(&server.state);
        let form = &f.token_forms[0];
        assert_eq!(form.get("client_secret").map(String::as_str), Some("ig-secret"));
        assert_eq!(form.get("grant_type").map(String::as_str), Some("authorization_code"));
    }

    let secret = SecretString::from("ig-secret".to_string());
    let long = oauth::exchange_instagram_long_lived(&server.endpoints, &secret, &short.access_token)
        .await
        .expect("long-lived");
    assert_eq!(long.access_token.expose_secret(), "IGLL-1");
    assert!(long
        .expires_at
        .is_some_and(|t| t > chrono::Utc::now() + chrono::Duration::days(59)));
    let rt = long
        .refresh_token
        .clone()
        .expect("the long-lived token refreshes itself");
    let renewed = oauth::refresh(&app, &provider, &rt).await.expect("refreshed");
    assert_eq!(renewed.access_token.expose_secret(), "IGLL-2");

    let bad = oauth::exchange_instagram_long_lived(
        &server.endpoints,
        &SecretString::from("nope".to_string()),
        &short.access_token,
    )
    .await
    .expect_err("wrong secret");
    assert!(bad.to_string().contains("Invalid OAuth access token"), "{bad}");

    lock(&server.state).shape = AnswerShape::InstagramFlat;
    let flat = run(&app, &provider).await.expect("flat answer");
    assert_eq!(flat.user_id.as_deref(), Some("17841400000000002"));
}

#[tokio::test]
async fn facebook_login_exchanges_with_a_get_and_goes_long_lived() {
    let server = start().await;
    let provider = Provider::facebook_login(&server.endpoints);
    let app = app(Platform::Facebook, Some("fb-secret"));
    let tokens = run(&app, &provider).await.expect("authorized");
    assert!(tokens.access_token.expose_secret().starts_with("EAAB-"));
    assert!(tokens.expires_at.is_some());
    assert!(tokens.refresh_token.is_none());
    let long = oauth::refresh(&app, &provider, &tokens.access_token)
        .await
        .expect("long-lived");
    assert_eq!(long.access_token.expose_secret(), "EAAB-long");

    let wrong = OAuthApp {
        client_secret: Some(SecretString::from("other".to_string())),
        ..app.clone()
    };
    let err = run(&wrong, &provider).await.expect_err("bad secret");
    assert_eq!(err.code(), "oauth");
    assert!(err.to_string().contains("Error validating client secret"), "{err}");
    let no_secret = OAuthApp {
        client_secret: None,
        ..app
    };
    let err = oauth::exchange_facebook_long_lived(&no_secret, &provider, &tokens.access_token)
        .await
        .expect_err("needs the secret");
    assert!(err.to_string().contains("app secret"), "{err}");
}

#[tokio::test]
async fn token_endpoint_errors_become_clear_errors() {
    let server = start().await;
    let provider = Provider::x(&server.endpoints);
    let app = app(Platform::X, None);

    lock(&server.state).fail_token = Some((
        400,
        "application/json",
        json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."}).to_string(),
    ));
    let err = run(&app, &provider).await.expect_err("refused");
    assert_eq!(err.code(), "oauth");
    assert!(
        err.to_string().contains("Value passed for the token was invalid."),
        "{err}"
    );

    lock(&server.state).fail_token = Some((500, "text/html", "<html><h1>Internal Server Error</h1></html>".into()));
    let err = run(&app, &provider).await.expect_err("html");
    assert!(matches!(err.code().as_str(), "decode" | "oauth"), "{err}");
    assert!(err.to_string().contains("HTML"), "{err}");

    // A 200 whose JSON is truncated: no panic, and the token in it is not echoed.
    lock(&server.state).fail_token = Some((200, "application/json", r#"{"access_token":"SECRET-AT","tok"#.into()));
    let err = run(&app, &provider).await.expect_err("truncated");
    assert!(!err.to_string().contains("SECRET-AT"), "{err}");

    // The same shapes through a hand-built exchange (TikTok).
    lock(&server.state).fail_token = Some((
        200,
        "application/json",
        json!({"error": "invalid_grant", "error_description": "Authorization code is expired.", "log_id": "L"})
            .to_string(),
    ));
    let tiktok = app_for_tiktok();
    let err = run(&tiktok, &Provider::tiktok(&server.endpoints))
        .await
        .expect_err("tiktok refused");
    assert!(err.to_string().contains("Authorization code is expired."), "{err}");
}

fn app_for_tiktok() -> OAuthApp {
    app(Platform::Tiktok, Some("tt-secret"))
}
