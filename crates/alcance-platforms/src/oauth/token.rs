//! Token sets, the authorize flow, code exchange, refresh and long-lived exchanges.

use super::loopback::LoopbackListener;
use super::provider::{PkceEncoding, Provider, TokenStyle};
use super::{is_loopback, oauth_error, BrowserOpener, OAuthApp};
use crate::endpoints::{join, Endpoints};
use crate::error::{body_preview, PlatformError};
use crate::vault::VaultError;
use chrono::{DateTime, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    HttpClientError, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;
use url::Url;

/// Largest token answer read (1 MiB); token answers are a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// Longest lifetime accepted from `expires_in` (10 years); larger values are clamped.
const MAX_EXPIRES_IN_SECS: u64 = 10 * 365 * 24 * 3600;

/// The tokens one authorization yields.
///
/// `Debug` prints `[REDACTED]` for the secrets. Not `Serialize`: the only way to write the
/// secrets out is [`TokenSet::to_vault_json`], for the token vault.
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// The bearer access token (X 2 h, TikTok 2 h, Instagram short-lived 1 h / long-lived
    /// 60 days, Facebook short-lived 1–2 h / long-lived 60 days).
    pub access_token: SecretString,
    /// The refresh token, when the platform issued one (X with `offline.access`; TikTok,
    /// rotating). For Instagram long-lived tokens this is the long-lived access token itself
    /// (Instagram refreshes a token with that token).
    pub refresh_token: Option<SecretString>,
    /// When the access token expires (UTC), from `expires_in` seconds at receipt; `None` when
    /// the platform did not say.
    pub expires_at: Option<DateTime<Utc>>,
    /// Granted scopes as the platform sent them (`scope`, or Instagram's `permissions`
    /// joined with `,`).
    pub scope: Option<String>,
    /// The platform's id of the token's owner when the token answer carries one: Instagram
    /// Login `user_id` (numbers become decimal strings), TikTok `open_id`.
    pub user_id: Option<String>,
    /// What the tokens are bound to, when they only work together with it: for a Bluesky
    /// AT Protocol OAuth session the DPoP private key and the authorization server's
    /// endpoints (JSON, see `bluesky::oauth::SessionBinding`). `None` for bearer tokens.
    /// Secret: kept in the vault only.
    pub binding: Option<SecretString>,
}

/// The vault representation of a [`TokenSet`], version 1.
#[derive(Serialize, Deserialize)]
struct VaultTokenSet {
    v: u8,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    binding: Option<String>,
}

impl TokenSet {
    /// Serializes the whole set, secrets included, as JSON
    /// `{"v":1,"access_token","refresh_token","expires_at" (RFC 3339 UTC),"scope","user_id","binding"?}`
    /// wrapped in a [`SecretString`]: for [`crate::vault::TokenVault::put`] only.
    pub fn to_vault_json(&self) -> SecretString {
        let stored = VaultTokenSet {
            v: 1,
            access_token: self.access_token.expose_secret().to_string(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose_secret().to_string()),
            expires_at: self.expires_at,
            scope: self.scope.clone(),
            user_id: self.user_id.clone(),
            binding: self.binding.as_ref().map(|b| b.expose_secret().to_string()),
        };
        // Serializing plain strings and options cannot fail; fall back to an empty object.
        SecretString::from(serde_json::to_string(&stored).unwrap_or_else(|_| "{}".to_string()))
    }

    /// Reads what [`TokenSet::to_vault_json`] wrote.
    ///
    /// Errors: [`VaultError::InvalidEntry`] when the text is not such a JSON object (the
    /// message names the line and column, never the content).
    pub fn from_vault_json(json: &SecretString) -> Result<TokenSet, VaultError> {
        let stored: VaultTokenSet =
            serde_json::from_str(json.expose_secret()).map_err(|e| VaultError::InvalidEntry {
                message: format!(
                    "stored token set is not valid ({:?} error at line {} column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            })?;
        if stored.v != 1 {
            return Err(VaultError::InvalidEntry {
                message: format!("stored token set has unknown version {}", stored.v),
            });
        }
        Ok(TokenSet {
            access_token: SecretString::from(stored.access_token),
            refresh_token: stored.refresh_token.map(SecretString::from),
            expires_at: stored.expires_at,
            scope: stored.scope,
            user_id: stored.user_id,
            binding: stored.binding.map(SecretString::from),
        })
    }

    /// `true` when the access token expires before `now + margin` (UTC). A set without
    /// `expires_at` never does.
    pub fn expires_within(&self, now: DateTime<Utc>, margin: chrono::Duration) -> bool {
        self.expires_at.is_some_and(|at| at <= now + margin)
    }
}

/// A prepared authorization: the authorize URL plus the `state` and PKCE verifier needed to
/// check the redirect and exchange the code. Used by [`authorize`]; the desktop shell may use
/// it directly for flows that do not end on the loopback listener (deep links).
#[derive(Debug)]
pub struct AuthorizeRequest {
    /// The URL to open in the browser.
    pub url: Url,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    redirect_uri: String,
}

impl AuthorizeRequest {
    /// Builds the authorize URL for `app` on `provider` with a fresh random `state` (CSRF),
    /// a fresh PKCE verifier and its S256 challenge, `response_type=code`, the scopes
    /// (`app.scopes`, else the provider's defaults, joined with its separator), the exact
    /// `redirect_uri`, and the provider's extra parameters. TikTok gets `client_key`.
    ///
    /// Errors: [`PlatformError::OAuth`] when `redirect_uri` is not a URL.
    pub fn new(app: &OAuthApp, provider: &Provider, redirect_uri: &str) -> Result<Self, PlatformError> {
        let client = oauth_client(app, provider, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let scopes = if app.scopes.is_empty() {
            &provider.default_scopes
        } else {
            &app.scopes
        };
        let mut request = client.authorize_url(CsrfToken::new_random);
        if !scopes.is_empty() {
            // One pre-joined scope, so the provider's separator is used (oauth2 joins with " ").
            request = request.add_scope(Scope::new(scopes.join(&provider.scope_separator)));
        }
        request = match provider.pkce {
            PkceEncoding::Base64Url => request.set_pkce_challenge(challenge),
            PkceEncoding::Hex => {
                let digest = Sha256::digest(verifier.secret().as_bytes());
                request
                    .add_extra_param("code_challenge", hex::encode(digest))
                    .add_extra_param("code_challenge_method", "S256")
            }
            PkceEncoding::Omitted => request,
        };
        for (name, value) in &provider.extra_authorize_params {
            request = request.add_extra_param(name.clone(), value.clone());
        }
        let (mut url, state) = request.url();
        if provider.client_id_param != "client_id" {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let k = if k == "client_id" {
                        provider.client_id_param.clone()
                    } else {
                        k.into_owned()
                    };
                    (k, v.into_owned())
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        Ok(Self {
            url,
            state,
            verifier,
            redirect_uri: redirect_uri.to_string(),
        })
    }

    /// The `state` value the redirect must carry back.
    pub fn state(&self) -> &str {
        self.state.secret()
    }

    /// The redirect URI sent in the authorize URL (and again in the code exchange).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Exchanges the authorization `code` (with this request's PKCE verifier and redirect
    /// URI) at `provider.token_url`, the way `provider.style` says.
    ///
    /// Errors: [`PlatformError::OAuth`] when the token endpoint refuses (its `error` and
    /// `error_description`); [`PlatformError::Decode`] for an unreadable answer;
    /// [`PlatformError::Transport`] when no answer arrived.
    pub async fn exchange(
        self,
        app: &OAuthApp,
        provider: &Provider,
        code: &SecretString,
    ) -> Result<TokenSet, PlatformError> {
        exchange_code(app, provider, &self.redirect_uri, code, &self.verifier).await
    }
}

/// Runs the whole authorization code + PKCE flow: binds the loopback listener on
/// `127.0.0.1:{app.redirect.port}{app.redirect.path}`, builds the authorize URL (state,
/// S256 challenge, scopes, `redirect_uri` = exactly `http://127.0.0.1:{actual_port}{path}`),
/// opens it with `browser`, waits up to `timeout` for the redirect, and exchanges the code.
///
/// Errors: [`PlatformError::OAuth`] when the port cannot be bound, the browser cannot open,
/// the user denies consent (`error=` with the provider's description), the `state` is
/// wrong, the wait times out, or the token endpoint refuses; [`PlatformError::Decode`] /
/// [`PlatformError::Transport`] for an unreadable or missing token answer.
pub async fn authorize(
    app: &OAuthApp,
    provider: &Provider,
    browser: &dyn BrowserOpener,
    timeout: Duration,
) -> Result<TokenSet, PlatformError> {
    let listener = LoopbackListener::bind(app.redirect.port, &app.redirect.path).await?;
    let request = AuthorizeRequest::new(app, provider, &listener.redirect_uri())?;
    tracing::info!(
        platform = %app.platform,
        port = listener.port(),
        "waiting for the sign-in redirect on the loopback listener"
    );
    browser.open(&request.url)?;
    let code = listener.wait_for_code(request.state(), timeout).await?;
    request.exchange(app, provider, &code).await
}

/// Gets a fresh access token with `refresh_token`.
///
/// - [`TokenStyle::Standard`]: `grant_type=refresh_token` at `provider.token_url` (X: public
///   client sends `client_id`, confidential uses HTTP Basic; TikTok: `client_key` +
///   `client_secret`). When the answer carries no new refresh token, the one passed in is
///   kept in the result (RFC 6749 §6); TikTok's rotated token replaces it.
/// - [`TokenStyle::InstagramLogin`]: `GET {provider.refresh_url}?grant_type=ig_refresh_token
///   &access_token={refresh_token}`; pass the current long-lived access token (≥ 24 h old).
///   The result's `refresh_token` is the new access token.
/// - [`TokenStyle::SecretInBody`]: as `Standard`, with `client_id` and `client_secret` in
///   the form (LinkedIn); a missing refresh token in the answer keeps the one passed in.
/// - [`TokenStyle::FacebookGraph`]: Facebook has no refresh token; this runs
///   [`exchange_facebook_long_lived`] with `refresh_token` as the user token.
///
/// Errors: as [`authorize`]'s token step; [`PlatformError::OAuth`] when the provider lacks
/// a refresh URL or a needed client secret.
pub async fn refresh(
    app: &OAuthApp,
    provider: &Provider,
    refresh_token: &SecretString,
) -> Result<TokenSet, PlatformError> {
    let mut tokens = match provider.style {
        TokenStyle::Standard if provider.is_rfc6749() => {
            let client = oauth_client(app, provider, "")?;
            let http = token_http_client(&provider.token_url)?;
            let rt = RefreshToken::new(refresh_token.expose_secret().to_string());
            let answer = client
                .exchange_refresh_token(&rt)
                .request_async(&http)
                .await
                .map_err(|e| map_request_error(e, provider.token_url.path()))?;
            from_standard(&answer)
        }
        TokenStyle::Standard | TokenStyle::SecretInBody => {
            let mut form = client_form(app, provider);
            form.push(("grant_type", "refresh_token".into()));
            form.push(("refresh_token", refresh_token.expose_secret().to_string()));
            let request = token_http_client(&provider.token_url)?
                .post(provider.token_url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form);
            send_for_tokens(request, provider.token_url.path()).await?
        }
        TokenStyle::InstagramLogin => {
            let url = provider
                .refresh_url
                .clone()
                .ok_or_else(|| oauth_error("this Instagram provider has no refresh URL"))?;
            let request = token_http_client(&url)?.get(url.clone()).query(&[
                ("grant_type", "ig_refresh_token"),
                ("access_token", refresh_token.expose_secret()),
            ]);
            let mut tokens = send_for_tokens(request, url.path()).await?;
            tokens.refresh_token = Some(tokens.access_token.clone());
            tokens
        }
        TokenStyle::FacebookGraph => exchange_facebook_long_lived(app, provider, refresh_token).await?,
        TokenStyle::BasicAuth => {
            let form = vec![
                ("grant_type", "refresh_token".to_string()),
                ("refresh_token", refresh_token.expose_secret().to_string()),
            ];
            let request = basic_auth(
                token_http_client(&provider.token_url)?.post(provider.token_url.clone()),
                app,
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form);
            send_for_tokens(request, provider.token_url.path()).await?
        }
        TokenStyle::Threads => {
            let url = provider
                .refresh_url
                .clone()
                .ok_or_else(|| oauth_error("this Threads provider has no refresh URL"))?;
            let request = token_http_client(&url)?.get(url.clone()).query(&[
                ("grant_type", "th_refresh_token"),
                ("access_token", refresh_token.expose_secret()),
            ]);
            let mut tokens = send_for_tokens(request, url.path()).await?;
            tokens.refresh_token = Some(tokens.access_token.clone());
            tokens
        }
    };
    if tokens.refresh_token.is_none()
        && matches!(
            provider.style,
            TokenStyle::Standard | TokenStyle::BasicAuth | TokenStyle::SecretInBody
        )
    {
        tokens.refresh_token = Some(refresh_token.clone());
    }
    Ok(tokens)
}

/// Exchanges a short-lived Instagram Login token for a long-lived one (60 days):
/// `GET {e.instagram_graph_origin}/access_token?grant_type=ig_exchange_token&client_secret&access_token`
/// → `{access_token, token_type, expires_in}`. The result's `refresh_token` is the new
/// long-lived token (what [`refresh`] takes for Instagram); `user_id` is `None` (keep the
/// one from the code exchange).
///
/// Errors: [`PlatformError::OAuth`] when Instagram refuses (its error message);
/// [`PlatformError::Decode`] / [`PlatformError::Transport`] as elsewhere.
pub async fn exchange_instagram_long_lived(
    e: &Endpoints,
    client_secret: &SecretString,
    short: &SecretString,
) -> Result<TokenSet, PlatformError> {
    let url = join(&e.instagram_graph_origin, "/access_token");
    let request = token_http_client(&url)?.get(url.clone()).query(&[
        ("grant_type", "ig_exchange_token"),
        ("client_secret", client_secret.expose_secret()),
        ("access_token", short.expose_secret()),
    ]);
    let mut tokens = send_for_tokens(request, url.path()).await?;
    tokens.refresh_token = Some(tokens.access_token.clone());
    Ok(tokens)
}

/// Exchanges a short-lived Threads token (1 h) for a long-lived one (60 days):
/// `GET {e.threads_origin}/access_token?grant_type=th_exchange_token&client_secret&access_token`
/// → `{access_token, token_type, expires_in}` (`expires_in` seconds, about 5184000). The
/// result's `refresh_token` is the new long-lived token (what [`refresh`] takes for
/// Threads); `user_id` is `None` (keep the one from the code exchange).
///
/// Errors: [`PlatformError::OAuth`] when Threads refuses (its Graph error message);
/// [`PlatformError::Decode`] / [`PlatformError::Transport`] as elsewhere.
pub async fn exchange_threads_long_lived(
    e: &Endpoints,
    client_secret: &SecretString,
    short: &SecretString,
) -> Result<TokenSet, PlatformError> {
    let url = join(&e.threads_origin, "/access_token");
    let request = token_http_client(&url)?.get(url.clone()).query(&[
        ("grant_type", "th_exchange_token"),
        ("client_secret", client_secret.expose_secret()),
        ("access_token", short.expose_secret()),
    ]);
    let mut tokens = send_for_tokens(request, url.path()).await?;
    tokens.refresh_token = Some(tokens.access_token.clone());
    Ok(tokens)
}

/// Exchanges a Threads authorization `code` that reached the app by another way than the
/// loopback listener (the hosted HTTPS callback page and the `alcance://threads/callback`
/// deep link, or a team server's callback) for a 60-day token: the code exchange
/// `POST {e.threads_token}` (form `client_id`, `client_secret`,
/// `grant_type=authorization_code`, `redirect_uri` exactly as in the authorize URL, `code`)
/// → a 1 h token and `user_id`, then [`exchange_threads_long_lived`]. The result keeps the
/// code exchange's `user_id` (the Threads user id, decimal string) and its `refresh_token`
/// is the long-lived token. No PKCE verifier is sent: Threads documents no PKCE (a flow
/// that built its authorize URL with [`AuthorizeRequest`] uses [`AuthorizeRequest::exchange`]
/// and then [`exchange_threads_long_lived`] instead).
///
/// Errors: [`PlatformError::OAuth`] when `app.client_secret` is missing (both calls need
/// it), the redirect URI is not HTTPS (Threads refuses any other), or Threads refuses the
/// code or the exchange; [`PlatformError::Decode`] / [`PlatformError::Transport`] as
/// elsewhere.
pub async fn exchange_threads_code(
    e: &Endpoints,
    app: &OAuthApp,
    code: &SecretString,
    redirect_uri: &str,
) -> Result<TokenSet, PlatformError> {
    let secret = app
        .client_secret
        .as_ref()
        .ok_or_else(|| oauth_error("the Threads code exchange needs the Threads app secret"))?;
    let redirect = Url::parse(redirect_uri)
        .map_err(|err| oauth_error(format!("invalid Threads redirect URI {redirect_uri:?}: {err}")))?;
    if redirect.scheme() != "https" {
        return Err(oauth_error(format!(
            "Threads accepts only HTTPS redirect URIs, not {redirect_uri:?}"
        )));
    }
    let endpoint = e.threads_token.path().to_string();
    let form: Vec<(&str, String)> = vec![
        ("client_id", app.client_id.clone()),
        ("client_secret", secret.expose_secret().to_string()),
        ("grant_type", "authorization_code".into()),
        ("redirect_uri", redirect_uri.to_string()),
        ("code", code.expose_secret().to_string()),
    ];
    let request = token_http_client(&e.threads_token)?
        .post(e.threads_token.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form);
    let short = send_for_tokens(request, &endpoint).await?;
    let mut long = exchange_threads_long_lived(e, secret, &short.access_token).await?;
    if long.user_id.is_none() {
        long.user_id = short.user_id;
    }
    if long.scope.is_none() {
        long.scope = short.scope;
    }
    Ok(long)
}

/// Exchanges a Facebook user token for a long-lived one (60 days):
/// `GET {provider.token_url}?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token`
/// → `{access_token, token_type, expires_in}`. Page tokens read with a long-lived user token
/// do not expire.
///
/// Errors: [`PlatformError::OAuth`] when `app.client_secret` is missing (Meta requires the
/// app secret here) or Facebook refuses; [`PlatformError::Decode`] /
/// [`PlatformError::Transport`] as elsewhere.
pub async fn exchange_facebook_long_lived(
    app: &OAuthApp,
    provider: &Provider,
    short: &SecretString,
) -> Result<TokenSet, PlatformError> {
    let secret = app
        .client_secret
        .as_ref()
        .ok_or_else(|| oauth_error("Facebook's long-lived token exchange needs the app secret"))?;
    let url = &provider.token_url;
    let request = token_http_client(url)?.get(url.clone()).query(&[
        ("grant_type", "fb_exchange_token"),
        ("client_id", app.client_id.as_str()),
        ("client_secret", secret.expose_secret()),
        ("fb_exchange_token", short.expose_secret()),
    ]);
    send_for_tokens(request, url.path()).await
}

// ---------------------------------------------------------------------------------------
// Code exchange

async fn exchange_code(
    app: &OAuthApp,
    provider: &Provider,
    redirect_uri: &str,
    code: &SecretString,
    verifier: &PkceCodeVerifier,
) -> Result<TokenSet, PlatformError> {
    let endpoint = provider.token_url.path().to_string();
    let http = token_http_client(&provider.token_url)?;
    match provider.style {
        TokenStyle::Standard if provider.is_rfc6749() => {
            let client = oauth_client(app, provider, redirect_uri)?;
            let answer = client
                .exchange_code(AuthorizationCode::new(code.expose_secret().to_string()))
                .set_pkce_verifier(PkceCodeVerifier::new(verifier.secret().clone()))
                .request_async(&http)
                .await
                .map_err(|e| map_request_error(e, &endpoint))?;
            Ok(from_standard(&answer))
        }
        TokenStyle::Standard | TokenStyle::InstagramLogin | TokenStyle::SecretInBody | TokenStyle::Threads => {
            let mut form = client_form(app, provider);
            form.push(("grant_type", "authorization_code".into()));
            form.push(("redirect_uri", redirect_uri.to_string()));
            form.push(("code", code.expose_secret().to_string()));
            form.push(("code_verifier", verifier.secret().clone()));
            let request = http
                .post(provider.token_url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form);
            send_for_tokens(request, &endpoint).await
        }
        TokenStyle::BasicAuth => {
            let mut form: Vec<(&str, String)> = vec![
                ("grant_type", "authorization_code".into()),
                ("code", code.expose_secret().to_string()),
                ("redirect_uri", redirect_uri.to_string()),
            ];
            if provider.pkce != PkceEncoding::Omitted {
                form.push(("code_verifier", verifier.secret().clone()));
            }
            let request = basic_auth(http.post(provider.token_url.clone()), app)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form);
            send_for_tokens(request, &endpoint).await
        }
        TokenStyle::FacebookGraph => {
            let mut query: Vec<(&str, String)> = vec![
                ("client_id", app.client_id.clone()),
                ("redirect_uri", redirect_uri.to_string()),
            ];
            if let Some(secret) = &app.client_secret {
                query.push(("client_secret", secret.expose_secret().to_string()));
            }
            query.push(("code", code.expose_secret().to_string()));
            query.push(("code_verifier", verifier.secret().clone()));
            let request = http.get(provider.token_url.clone()).query(&query);
            send_for_tokens(request, &endpoint).await
        }
    }
}

/// HTTP Basic `client_id:client_secret` on `request`, with an empty secret when the app
/// has none (Reddit installed apps: `client_id:`).
fn basic_auth(request: reqwest::RequestBuilder, app: &OAuthApp) -> reqwest::RequestBuilder {
    let secret = app
        .client_secret
        .as_ref()
        .map(|s| s.expose_secret().to_string())
        .unwrap_or_default();
    request.basic_auth(app.client_id.as_str(), Some(secret))
}

/// `client_id` (or `client_key`) and, when set, `client_secret`, for hand-built forms.
fn client_form(app: &OAuthApp, provider: &Provider) -> Vec<(&'static str, String)> {
    let id_param: &'static str = if provider.client_id_param == "client_key" {
        "client_key"
    } else {
        "client_id"
    };
    let mut form = vec![(id_param, app.client_id.clone())];
    if let Some(secret) = &app.client_secret {
        form.push(("client_secret", secret.expose_secret().to_string()));
    }
    form
}

// ---------------------------------------------------------------------------------------
// The oauth2 client (RFC 6749 providers)

/// Extra fields some RFC 6749 answers carry.
#[derive(Debug, Default, Serialize, Deserialize)]
struct TokenExtras {
    #[serde(default)]
    user_id: Option<Value>,
    #[serde(default)]
    open_id: Option<String>,
}

impl ExtraTokenFields for TokenExtras {}

type StandardAnswer = StandardTokenResponse<TokenExtras, BasicTokenType>;

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    StandardAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// An oauth2 client for `provider`. A client secret makes it confidential (HTTP Basic at
/// the token endpoint); without one `client_id` goes in the form. `redirect_uri` may be
/// empty (refresh).
fn oauth_client(app: &OAuthApp, provider: &Provider, redirect_uri: &str) -> Result<OAuthClient, PlatformError> {
    let mut client = oauth2::Client::new(ClientId::new(app.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(provider.authorize_url.clone()))
        .set_token_uri(TokenUrl::from_url(provider.token_url.clone()));
    if let Some(secret) = &app.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_string()));
    }
    if !redirect_uri.is_empty() {
        let redirect = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|e| oauth_error(format!("invalid redirect URI {redirect_uri:?}: {e}")))?;
        client = client.set_redirect_uri(redirect);
    }
    Ok(client)
}

/// A reqwest client for token requests: no redirects (the oauth2 crate's SSRF rule), 30 s
/// timeout, no proxy for loopback targets.
fn token_http_client(target: &Url) -> Result<reqwest::Client, PlatformError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("Alcance/", env!("CARGO_PKG_VERSION")));
    if is_loopback(target) {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| PlatformError::Transport {
        message: format!("could not build the HTTP client: {e}"),
    })
}

fn from_standard(answer: &StandardAnswer) -> TokenSet {
    let extras = answer.extra_fields();
    TokenSet {
        access_token: SecretString::from(answer.access_token().secret().clone()),
        refresh_token: answer
            .refresh_token()
            .map(|t| SecretString::from(t.secret().clone()))
            .filter(|t| !t.expose_secret().is_empty()),
        expires_at: answer.expires_in().and_then(|d| expiry(d.as_secs())),
        scope: answer
            .scopes()
            .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty()),
        user_id: extras
            .user_id
            .as_ref()
            .and_then(id_text)
            .or_else(|| extras.open_id.clone()),
        binding: None,
    }
}

fn map_request_error(
    err: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
    endpoint: &str,
) -> PlatformError {
    match err {
        RequestTokenError::ServerResponse(e) => oauth_error(refusal(
            endpoint,
            e.error().as_ref(),
            e.error_description().map(String::as_str),
        )),
        RequestTokenError::Request(e) => PlatformError::Transport {
            message: format!("{endpoint}: {}", http_client_error(e)),
        },
        RequestTokenError::Parse(e, body) => match error_in_body(&body) {
            Some(message) => oauth_error(format!("{endpoint}: the platform refused: {message}")),
            None => unreadable(
                endpoint,
                &format!("{:?} error at `{}`", e.inner().classify(), e.path()),
                &body,
            ),
        },
        RequestTokenError::Other(message) => oauth_error(format!("{endpoint}: {message}")),
    }
}

fn http_client_error(e: HttpClientError<reqwest::Error>) -> String {
    match e {
        HttpClientError::Reqwest(e) => error_chain(&(*e).without_url()),
        other => error_chain(&other),
    }
}

/// An error and its sources, `: `-separated.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn refusal(endpoint: &str, error: &str, description: Option<&str>) -> String {
    match description.filter(|d| !d.trim().is_empty()) {
        Some(d) => format!("{endpoint}: the platform refused: {error}: {d}"),
        None => format!("{endpoint}: the platform refused: {error}"),
    }
}

// ---------------------------------------------------------------------------------------
// Hand-built token requests (TikTok, Instagram Login, Facebook) and their answers

async fn send_for_tokens(request: reqwest::RequestBuilder, endpoint: &str) -> Result<TokenSet, PlatformError> {
    let mut response = request.send().await.map_err(|e| PlatformError::Transport {
        message: format!("{endpoint}: {}", error_chain(&e.without_url())),
    })?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(PlatformError::Decode {
                        endpoint: endpoint.to_string(),
                        message: "token answer larger than 1 MiB".into(),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(PlatformError::Transport {
                    message: format!("{endpoint}: answer broke off: {}", error_chain(&e.without_url())),
                })
            }
        }
    }
    parse_token_answer(status, &body, endpoint)
}

/// Reads a token answer of any supported style (see [`TokenStyle`]).
fn parse_token_answer(status: u16, body: &[u8], endpoint: &str) -> Result<TokenSet, PlatformError> {
    if let Some(message) = error_in_body(body) {
        return Err(oauth_error(format!("{endpoint}: the platform refused: {message}")));
    }
    if !(200..300).contains(&status) {
        return Err(oauth_error(format!(
            "{endpoint}: the token endpoint answered HTTP {status}: {}",
            body_preview(body)
        )));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Err(unreadable(
                endpoint,
                &format!("{:?} error at line {} column {}", e.classify(), e.line(), e.column()),
                body,
            ))
        }
    };
    // Instagram may wrap the answer in `data: [..]`; TikTok for Business in `data: {..}`.
    let node = match value.get("data") {
        Some(Value::Array(items)) => items.first().unwrap_or(&Value::Null),
        Some(obj @ Value::Object(_)) if value.get("access_token").is_none() => obj,
        _ => &value,
    };
    let Some(access_token) = node
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    else {
        let fields: Vec<&str> = node
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(PlatformError::Decode {
            endpoint: endpoint.to_string(),
            message: format!("the token answer has no access_token (fields: {})", fields.join(", ")),
        });
    };
    let expires_at = match node.get("expires_in") {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .and_then(expiry);
    let scope = node
        .get("scope")
        .and_then(scope_text)
        .or_else(|| node.get("permissions").and_then(scope_text));
    let user_id = node
        .get("user_id")
        .and_then(id_text)
        .or_else(|| node.get("open_id").and_then(id_text));
    Ok(TokenSet {
        access_token: SecretString::from(access_token.to_string()),
        refresh_token: node
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(|t| SecretString::from(t.to_string())),
        expires_at,
        scope,
        user_id,
        binding: None,
    })
}

/// The provider's error from a body, in any of the shapes the platforms use:
/// RFC 6749 `{error, error_description}`; Graph `{error:{message, type, code}}`;
/// Instagram `{error_type, code, error_message}`; TikTok Display `{error:{code,message}}`
/// (`code: "ok"` is success); TikTok Business `{code: non-zero, message}`.
fn error_in_body(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let obj = value.as_object()?;
    if obj.get("access_token").is_some_and(Value::is_string) {
        return None;
    }
    match obj.get("error") {
        Some(Value::String(error)) if !error.is_empty() => {
            let description = obj.get("error_description").and_then(Value::as_str);
            return Some(match description.filter(|d| !d.trim().is_empty()) {
                Some(d) => format!("{error}: {d}"),
                None => error.clone(),
            });
        }
        Some(Value::Object(inner)) => {
            let code = inner.get("code").map(|c| match c {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if code.as_deref() != Some("ok") {
                let message = inner.get("message").and_then(Value::as_str).unwrap_or("unknown error");
                let kind = inner.get("type").and_then(Value::as_str);
                return Some(match (kind, code) {
                    (Some(k), Some(c)) => format!("{message} ({k}, code {c})"),
                    (None, Some(c)) => format!("{message} (code {c})"),
                    (Some(k), None) => format!("{message} ({k})"),
                    (None, None) => message.to_string(),
                });
            }
        }
        _ => {}
    }
    if let Some(message) = obj.get("error_message").and_then(Value::as_str) {
        let kind = obj.get("error_type").and_then(Value::as_str).unwrap_or("error");
        return Some(format!("{kind}: {message}"));
    }
    if let Some(code) = obj.get("code").and_then(Value::as_i64).filter(|c| *c != 0) {
        if obj.get("access_token").is_none() && obj.get("data").is_none_or(|d| d.get("access_token").is_none()) {
            let message = obj.get("message").and_then(Value::as_str).unwrap_or("unknown error");
            return Some(format!("{message} (code {code})"));
        }
    }
    None
}

/// A Decode error that never quotes a body that may hold tokens: HTML pages (no tokens) are
/// previewed, JSON is described by the parser's position only.
fn unreadable(endpoint: &str, what: &str, body: &[u8]) -> PlatformError {
    let trimmed = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&body[..0], |i| &body[i..]);
    let message = if trimmed.is_empty() {
        "the token answer is empty".to_string()
    } else if trimmed.first() == Some(&b'<') {
        format!("the token answer is an HTML page, not JSON: {}", body_preview(body))
    } else {
        format!("the token answer is not the expected JSON ({what})")
    };
    PlatformError::Decode {
        endpoint: endpoint.to_string(),
        message,
    }
}

fn expiry(seconds: u64) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(seconds.min(MAX_EXPIRES_IN_SECS)).ok()?;
    Utc::now().checked_add_signed(chrono::Duration::try_seconds(secs)?)
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn scope_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            (!parts.is_empty()).then(|| parts.join(","))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> Result<TokenSet, PlatformError> {
        parse_token_answer(status, body.as_bytes(), "/token")
    }

    #[test]
    fn vault_json_round_trips_and_debug_hides_secrets() {
        let t = TokenSet {
            access_token: SecretString::from("at-SECRET-1".to_string()),
            refresh_token: Some(SecretString::from("rt-SECRET-2".to_string())),
            expires_at: DateTime::from_timestamp(1_900_000_000, 0),
            scope: Some("tweet.read users.read".into()),
            user_id: Some("42".into()),
            binding: None,
        };
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("SECRET"), "{dbg}");
        let json = t.to_vault_json();
        let back = TokenSet::from_vault_json(&json).expect("round trip");
        assert_eq!(back.access_token.expose_secret(), "at-SECRET-1");
        assert_eq!(
            back.refresh_token.as_ref().map(|s| s.expose_secret()),
            Some("rt-SECRET-2")
        );
        assert_eq!(back.expires_at, t.expires_at);
        assert_eq!(back.scope, t.scope);
        assert_eq!(back.user_id.as_deref(), Some("42"));
        let err = TokenSet::from_vault_json(&SecretString::from("{\"v\":1,\"access_token\":7}".to_string()))
            .expect_err("bad");
        assert!(
            !err.to_string().contains('7') || err.to_string().contains("line"),
            "{err}"
        );
        assert!(
            TokenSet::from_vault_json(&SecretString::from("{\"v\":9,\"access_token\":\"a\"}".to_string())).is_err()
        );
    }

    #[test]
    fn expires_within() {
        let now = Utc::now();
        let mut t = parse(200, r#"{"access_token":"a","expires_in":60}"#).expect("ok");
        assert!(t.expires_within(now, chrono::Duration::minutes(5)));
        assert!(!t.expires_within(now, chrono::Duration::seconds(0)));
        t.expires_at = None;
        assert!(!t.expires_within(now, chrono::Duration::days(999)));
    }

    #[test]
    fn reads_instagram_answers() {
        let t = parse(
            200,
            r#"{"data":[{"access_token":"IGAA1","user_id":17841400000000001,"permissions":"instagram_business_basic,instagram_business_manage_insights"}]}"#,
        )
        .expect("wrapped");
        assert_eq!(t.access_token.expose_secret(), "IGAA1");
        assert_eq!(t.user_id.as_deref(), Some("17841400000000001"));
        assert_eq!(
            t.scope.as_deref(),
            Some("instagram_business_basic,instagram_business_manage_insights")
        );
        assert!(t.refresh_token.is_none() && t.expires_at.is_none());
        let t = parse(
            200,
            r#"{"access_token":"IGAA2","user_id":"99","permissions":["a","b"]}"#,
        )
        .expect("flat");
        assert_eq!(t.user_id.as_deref(), Some("99"));
        assert_eq!(t.scope.as_deref(), Some("a,b"));
    }

    #[test]
    fn reads_facebook_and_tiktok_answers() {
        let before = Utc::now();
        let t = parse(
            200,
            r#"{"access_token":"EAAB","token_type":"bearer","expires_in":"5183944"}"#,
        )
        .expect("fb");
        let at = t.expires_at.expect("expiry");
        assert!(at >= before + chrono::Duration::seconds(5_183_944));
        assert!(at <= Utc::now() + chrono::Duration::seconds(5_183_944));
        let t = parse(
            200,
            r#"{"access_token":"act.1","expires_in":7200,"open_id":"o-1","refresh_expires_in":15552000,"refresh_token":"rft.1","scope":"user.info.basic,video.list","token_type":"Bearer"}"#,
        )
        .expect("tiktok");
        assert_eq!(t.user_id.as_deref(), Some("o-1"));
        assert_eq!(t.refresh_token.as_ref().map(|s| s.expose_secret()), Some("rft.1"));
        assert_eq!(t.scope.as_deref(), Some("user.info.basic,video.list"));
    }

    #[test]
    fn maps_every_error_shape_without_panicking() {
        let cases = [
            (
                400,
                r#"{"error":"invalid_grant","error_description":"Code expired"}"#,
                "Code expired",
            ),
            (
                200,
                r#"{"error":"invalid_request","error_description":"bad","log_id":"x"}"#,
                "invalid_request",
            ),
            (
                400,
                r#"{"error":{"message":"Invalid verification code format.","type":"OAuthException","code":100,"fbtrace_id":"A"}}"#,
                "Invalid verification code format.",
            ),
            (
                400,
                r#"{"error_type":"OAuthException","code":400,"error_message":"Matching code was not found"}"#,
                "Matching code was not found",
            ),
            (
                200,
                r#"{"code":40001,"message":"auth_code invalid","request_id":"r"}"#,
                "auth_code invalid",
            ),
        ];
        for (status, body, needle) in cases {
            let err = parse(status, body).expect_err(body);
            assert_eq!(err.code(), "oauth", "{body}");
            assert!(err.to_string().contains(needle), "{err}");
        }
        let garbage = [
            (500, "<html><body>Internal Server Error</body></html>"),
            (200, "<html>oops</html>"),
            (200, r#"{"access_token":"#),
            (200, ""),
            (200, "[]"),
            (200, r#"{"token_type":"bearer"}"#),
            (200, r#"{"access_token":""}"#),
            (200, r#"{"access_token":12}"#),
            (502, ""),
        ];
        for (status, body) in garbage {
            let err = parse(status, body).expect_err(body);
            assert!(matches!(err.code().as_str(), "oauth" | "decode"), "{body}: {err}");
        }
        // An unreadable JSON answer never quotes the token it may carry.
        let err = parse(200, r#"{"access_token":"SECRET-TOKEN","expires_in":"#).expect_err("truncated");
        assert!(!err.to_string().contains("SECRET-TOKEN"), "{err}");
        // TikTok's success envelope error code "ok" is not an error.
        assert!(error_in_body(br#"{"data":{},"error":{"code":"ok","message":""}}"#).is_none());
    }
}
