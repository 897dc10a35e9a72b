//! OAuth 2.0 endpoints of X and Instagram Login, the authorize step and code checks shared
//! with Facebook Login ([`crate::facebook`]) and TikTok ([`crate::tiktok`]), and the tokens
//! the sandbox issues (access, refresh with rotation, Facebook Page and WhatsApp
//! system-user tokens).
//!
//! Authorize auto-approves with a `302` to `redirect_uri?code=…&state=…`. Codes are
//! one-shot (consumed by the first exchange attempt, right or wrong), expire after 10
//! minutes of real time and are bound to `client_id`, `redirect_uri` and the PKCE
//! challenge. Tokens are `sbx_<platform>_<32 hex>` and belong to the platform's owned
//! account. Nothing here logs a token, code or secret.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

use crate::model::Network;
use crate::reply::{meta_error, meta_unparsable_token, oauth_error, Reply};
use crate::server::{Req, SandboxState};

/// How long an authorization code stays valid (real time).
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// X access-token lifetime (`expires_in` 7200 s).
pub const X_ACCESS_LIFETIME: Duration = Duration::from_secs(7_200);
/// Instagram short-lived token lifetime (1 h).
pub const IG_SHORT_LIFETIME: Duration = Duration::from_secs(3_600);
/// Instagram long-lived token lifetime (60 days, `expires_in` 5184000 s).
pub const IG_LONG_LIFETIME: Duration = Duration::from_secs(5_184_000);

#[derive(Debug, Clone)]
struct Access {
    network: Network,
    account: String,
    expires: Instant,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct Refresh {
    network: Network,
    account: String,
    client_id: String,
    scope: String,
    revoked: bool,
    issued: Instant,
}

/// An authorization code and what it is bound to.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    network: Network,
    client_id: String,
    redirect_uri: String,
    /// `(challenge, method)`; method `S256` or `plain`.
    pub(crate) challenge: Option<(String, String)>,
    /// The scope granted at the authorize step: as sent, less the scopes the consent
    /// screen declines ([`TokenBook::set_declines`]), in the request's separator.
    pub(crate) scope: String,
    /// The requested scopes the consent screen declined.
    pub(crate) declined: Vec<String>,
    expires: Instant,
}

/// What the sandbox knows about a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenStatus {
    /// Issued for this platform and still good: the account id it acts as.
    Valid(String),
    /// Never issued (or issued for another platform).
    Unknown,
    /// Revoked through `/__alcance/revoke` or the platform's revoke endpoint.
    Revoked,
    /// Past its lifetime.
    Expired,
}

/// Codes, access tokens and refresh tokens issued so far.
#[derive(Debug, Default)]
pub(crate) struct TokenBook {
    inner: Mutex<Book>,
}

#[derive(Debug, Default)]
struct Book {
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    /// Scopes the consent screen leaves unticked (`POST /__alcance/consent`).
    declines: Vec<String>,
    /// Meta user id → (granted, declined) permissions of the app, as `GET /me/permissions`
    /// lists them; removed by `DELETE /me/permissions`.
    meta_permissions: HashMap<String, (Vec<String>, Vec<String>)>,
    /// Access token → the scope it was granted, for platforms that check it per endpoint
    /// (TikTok's `video.list`). Tokens not listed are not checked.
    scopes: HashMap<String, String>,
}

/// 128 random bits as hex: tokens, codes, nonces and request ids of the fake servers.
pub(crate) fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token(network: Network) -> String {
    format!("sbx_{}_{}", network.key(), random_hex())
}

/// `BASE64URL-NOPAD(SHA256(verifier))`, the S256 challenge of a PKCE verifier (RFC 7636).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl TokenBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks a bearer token for `network`.
    pub(crate) fn check(&self, network: Network, bearer: &str) -> TokenStatus {
        let book = self.lock();
        match book.access.get(bearer) {
            Some(a) if a.network != network => TokenStatus::Unknown,
            Some(a) if a.revoked => TokenStatus::Revoked,
            Some(a) if Instant::now() >= a.expires => TokenStatus::Expired,
            Some(a) => TokenStatus::Valid(a.account.clone()),
            None => TokenStatus::Unknown,
        }
    }

    /// Revokes an access or refresh token; `true` when it was known.
    pub(crate) fn revoke(&self, t: &str) -> bool {
        let mut book = self.lock();
        let mut found = false;
        if let Some(a) = book.access.get_mut(t) {
            a.revoked = true;
            found = true;
        }
        if let Some(r) = book.refresh.get_mut(t) {
            r.revoked = true;
            found = true;
        }
        found
    }

    /// Revokes every access and refresh token of `network` (the user removing the app's
    /// access in their account settings); returns how many were revoked.
    pub(crate) fn revoke_network(&self, network: Network) -> usize {
        let mut book = self.lock();
        let mut n = 0;
        for a in book.access.values_mut().filter(|a| a.network == network && !a.revoked) {
            a.revoked = true;
            n += 1;
        }
        for r in book.refresh.values_mut().filter(|r| r.network == network && !r.revoked) {
            r.revoked = true;
            n += 1;
        }
        n
    }

    /// The network a known access token (valid or not) was issued for.
    pub(crate) fn network_of(&self, t: &str) -> Option<Network> {
        self.lock().access.get(t).map(|a| a.network)
    }

    /// Issues a refresh token of `network` for `account`, bound to `client_id`.
    pub(crate) fn issue_refresh(&self, network: Network, account: &str, client_id: &str, scope: &str) -> String {
        let rt = token(network);
        self.lock().refresh.insert(
            rt.clone(),
            Refresh {
                network,
                account: account.to_string(),
                client_id: client_id.to_string(),
                scope: scope.to_string(),
                revoked: false,
                issued: Instant::now(),
            },
        );
        rt
    }

    /// Looks refresh token `rt` of `network` issued to `client_id` up without consuming it
    /// (grants that do not rotate: TikTok's API for Business) → `(account, scope, age)`;
    /// `None` when it is unknown, revoked, or of another network or client.
    pub(crate) fn peek_refresh(
        &self,
        network: Network,
        rt: &str,
        client_id: &str,
    ) -> Option<(String, String, Duration)> {
        let book = self.lock();
        let r = book.refresh.get(rt)?;
        (r.network == network && !r.revoked && r.client_id == client_id)
            .then(|| (r.account.clone(), r.scope.clone(), r.issued.elapsed()))
    }

    /// Consumes refresh token `rt` of `network` issued to `client_id` (rotation: it never
    /// works again) and returns `(account, scope)`. A revoked token or a wrong client does
    /// not consume it; `None` for any refusal.
    pub(crate) fn take_refresh(&self, network: Network, rt: &str, client_id: &str) -> Option<(String, String)> {
        let mut book = self.lock();
        let r = book.refresh.remove(rt)?;
        if r.network == network && !r.revoked && r.client_id == client_id {
            Some((r.account, r.scope))
        } else {
            book.refresh.insert(rt.to_string(), r);
            None
        }
    }

    /// Sets the scopes the consent screen declines from now on (the user unticking a
    /// permission); an empty list grants everything asked again.
    pub(crate) fn set_declines(&self, scopes: Vec<String>) {
        self.lock().declines = scopes;
    }

    /// The scopes the consent screen declines.
    pub(crate) fn declines(&self) -> Vec<String> {
        self.lock().declines.clone()
    }

    /// Records the scope `access` token was granted, for [`Self::lacks_scope`].
    pub(crate) fn set_scope(&self, access: &str, scope: &str) {
        self.lock().scopes.insert(access.to_string(), scope.to_string());
    }

    /// `true` when `access` was issued with a known scope list (see [`Self::set_scope`])
    /// that lacks `scope`.
    pub(crate) fn lacks_scope(&self, access: &str, scope: &str) -> bool {
        self.lock()
            .scopes
            .get(access)
            .is_some_and(|granted| !granted.split([',', ' ']).any(|s| s == scope))
    }

    /// Records the permissions Meta user `user` granted and declined at its last login.
    pub(crate) fn set_meta_permissions(&self, user: &str, granted: Vec<String>, declined: Vec<String>) {
        self.lock()
            .meta_permissions
            .insert(user.to_string(), (granted, declined));
    }

    /// The permissions Meta user `user` granted and declined (`None` before a login).
    pub(crate) fn meta_permissions(&self, user: &str) -> Option<(Vec<String>, Vec<String>)> {
        self.lock().meta_permissions.get(user).cloned()
    }

    /// `DELETE /me/permissions`: forgets `user`'s permissions and revokes every token of
    /// `network` (the user's token and the Page tokens it handed out). Returns how many
    /// tokens were revoked.
    pub(crate) fn remove_app(&self, network: Network, user: &str) -> usize {
        let mut book = self.lock();
        book.meta_permissions.remove(user);
        let mut n = 0;
        for a in book.access.values_mut().filter(|a| a.network == network && !a.revoked) {
            a.revoked = true;
            n += 1;
        }
        n
    }

    /// Issues an access token of `network` acting as `account`, valid for `lifetime`.
    pub(crate) fn issue_access(&self, network: Network, account: &str, lifetime: Duration) -> String {
        let t = token(network);
        self.lock().access.insert(
            t.clone(),
            Access {
                network,
                account: account.to_string(),
                expires: Instant::now() + lifetime,
                revoked: false,
            },
        );
        t
    }
}

fn redirect_with(redirect_uri: &Url, pairs: &[(&str, &str)]) -> Reply {
    let mut u = redirect_uri.clone();
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    Reply::redirect(u.as_str())
}

fn authorize_page_error(message: &str) -> Reply {
    Reply {
        status: 400,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: format!("<!doctype html><html><body><h1>Authorization error</h1><p>{message}</p></body></html>")
            .into_bytes(),
        delay_ms: 0,
    }
}

/// `GET /i/oauth2/authorize` (X), `GET /oauth/authorize` (Instagram Login),
/// `GET /dialog/oauth` (Facebook Login) and `GET /v2/auth/authorize/` (TikTok, whose client
/// id parameter is `client_key`). PKCE is required for X and TikTok.
pub(crate) fn authorize(st: &SandboxState, req: &Req, network: Network) -> Reply {
    let client_id = req.q("client_id").or_else(|| req.q("client_key")).unwrap_or_default();
    let redirect = req.q("redirect_uri").unwrap_or_default();
    if client_id.is_empty() {
        return authorize_page_error("Missing client_id.");
    }
    let Ok(redirect_url) = Url::parse(redirect) else {
        return authorize_page_error("Missing or invalid redirect_uri.");
    };
    let state = req.q("state").unwrap_or_default().to_string();
    let with_state = |pairs: &mut Vec<(&str, String)>| {
        if !state.is_empty() {
            pairs.push(("state", state.clone()));
        }
    };
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![
            ("error", error.to_string()),
            ("error_description", description.to_string()),
        ];
        with_state(&mut pairs);
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        redirect_with(&redirect_url, &borrowed)
    };
    if req.q("response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let challenge = match (req.q("code_challenge"), req.q("code_challenge_method")) {
        (Some(c), m) if !c.is_empty() => {
            let method = m.unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return fail("invalid_request", "code_challenge_method must be S256 or plain");
            }
            Some((c.to_string(), method.to_string()))
        }
        _ => None,
    };
    if matches!(network, Network::X | Network::Tiktok) && challenge.is_none() {
        return fail("invalid_request", "code_challenge is required");
    }
    let (scope, declined) = consent(req.q("scope").unwrap_or_default(), &st.tokens.declines());
    let code = random_hex() + &random_hex();
    st.tokens.lock().codes.insert(
        code.clone(),
        Code {
            network,
            client_id: client_id.to_string(),
            redirect_uri: redirect.to_string(),
            challenge,
            scope,
            declined,
            expires: Instant::now() + CODE_LIFETIME,
        },
    );
    let mut pairs = vec![("code", code)];
    with_state(&mut pairs);
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect_with(&redirect_url, &borrowed)
}

/// What the consent screen grants of `requested` (scopes joined by `,` or spaces) when the
/// user unticks `declines`: the granted scopes in the request's own separator, and the
/// requested scopes that were declined.
pub(crate) fn consent(requested: &str, declines: &[String]) -> (String, Vec<String>) {
    let separator = if requested.contains(',') { "," } else { " " };
    let (declined, granted): (Vec<&str>, Vec<&str>) = requested
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .partition(|s| declines.iter().any(|d| d == s));
    (
        granted.join(separator),
        declined.into_iter().map(str::to_string).collect(),
    )
}

/// Client id from the form or from HTTP Basic authentication (confidential clients).
pub(crate) fn client_id(req: &Req, form: &HashMap<String, String>) -> Option<String> {
    if let Some(c) = form.get("client_id").filter(|c| !c.is_empty()) {
        return Some(c.clone());
    }
    let auth = req.header("authorization")?;
    let b64 = auth.strip_prefix("Basic ").or_else(|| auth.strip_prefix("basic "))?;
    let decoded = STANDARD.decode(b64.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let id = text.split(':').next()?.to_string();
    (!id.is_empty()).then_some(id)
}

/// Consumes `code` and checks its bindings; the error is the `error_description`. For
/// TikTok an S256 challenge may also be the lower-case hex of `SHA256(verifier)` (reported
/// for its desktop flow, platform-apis.md §6.1).
pub(crate) fn redeem_code(
    st: &SandboxState,
    network: Network,
    form: &HashMap<String, String>,
    client: &str,
) -> Result<Code, String> {
    let code = form.get("code").map(String::as_str).unwrap_or_default();
    let Some(c) = st.tokens.lock().codes.remove(code) else {
        return Err("Value passed for the authorization code was invalid.".into());
    };
    if c.network != network {
        return Err("Value passed for the authorization code was invalid.".into());
    }
    if Instant::now() >= c.expires {
        return Err("The authorization code has expired.".into());
    }
    if c.client_id != client {
        return Err("The authorization code was issued to another client_id.".into());
    }
    if form.get("redirect_uri").map(String::as_str) != Some(c.redirect_uri.as_str()) {
        return Err("redirect_uri does not match the one used in the authorization request.".into());
    }
    match (&c.challenge, form.get("code_verifier")) {
        (Some((challenge, method)), Some(verifier)) => {
            let computed = if method == "S256" {
                s256_challenge(verifier)
            } else {
                verifier.clone()
            };
            let hex_ok = network == Network::Tiktok
                && method == "S256"
                && hex::encode(Sha256::digest(verifier.as_bytes())) == *challenge;
            if &computed != challenge && !hex_ok {
                return Err("code_verifier does not match the code_challenge.".into());
            }
        }
        (Some(_), None) if matches!(network, Network::X | Network::Tiktok) => {
            return Err("Missing required parameter [code_verifier].".into());
        }
        _ => {}
    }
    Ok(c)
}

/// The owned account of `network`, or the OAuth error saying there is none.
pub(crate) fn owner(st: &SandboxState, network: Network) -> Result<String, Reply> {
    st.owner(network).ok_or_else(|| {
        oauth_error(
            "invalid_request",
            &format!("the sandbox has no owned {} account", network.key()),
        )
    })
}

/// `POST /2/oauth2/token` (X): `authorization_code` with PKCE, and `refresh_token` with
/// rotation. Answers `{"token_type":"bearer","expires_in":7200,"access_token","scope",
/// "refresh_token"?}` (a refresh token only when `offline.access` was granted).
pub(crate) fn x_token(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let Some(client) = client_id(req, &form) else {
        return oauth_error("invalid_request", "Missing required parameter [client_id].");
    };
    let (account, scope) = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            for p in ["code", "redirect_uri", "code_verifier"] {
                if form.get(p).is_none_or(|v| v.is_empty()) {
                    return oauth_error("invalid_request", &format!("Missing required parameter [{p}]."));
                }
            }
            let account = match owner(st, Network::X) {
                Ok(a) => a,
                Err(r) => return r,
            };
            match redeem_code(st, Network::X, &form, &client) {
                Ok(c) => (account, c.scope),
                Err(e) => return oauth_error("invalid_grant", &e),
            }
        }
        Some("refresh_token") => {
            let rt = form.get("refresh_token").map(String::as_str).unwrap_or_default();
            let mut book = st.tokens.lock();
            match book.refresh.remove(rt) {
                Some(r) if r.network == Network::X && !r.revoked && r.client_id == client => (r.account, r.scope),
                Some(r) => {
                    // A wrong client or a revoked token does not consume the token.
                    book.refresh.insert(rt.to_string(), r);
                    return oauth_error("invalid_grant", "Value passed for the token was invalid.");
                }
                None => return oauth_error("invalid_grant", "Value passed for the token was invalid."),
            }
        }
        Some(other) => {
            return oauth_error(
                "unsupported_grant_type",
                &format!("grant_type {other} is not supported"),
            )
        }
        None => return oauth_error("invalid_request", "Missing required parameter [grant_type]."),
    };
    let access = st.tokens.issue_access(Network::X, &account, X_ACCESS_LIFETIME);
    let mut body = json!({
        "token_type": "bearer",
        "expires_in": X_ACCESS_LIFETIME.as_secs(),
        "access_token": access,
        "scope": scope,
    });
    if scope.split_whitespace().any(|s| s == "offline.access") {
        let rt = token(Network::X);
        st.tokens.lock().refresh.insert(
            rt.clone(),
            Refresh {
                network: Network::X,
                account,
                client_id: client,
                scope: scope.clone(),
                revoked: false,
                issued: Instant::now(),
            },
        );
        body["refresh_token"] = json!(rt);
    }
    Reply::json(200, &body).with_header("cache-control", "no-store")
}

/// `POST /2/oauth2/revoke` (X): form `token`, `client_id` → `{"revoked":true}`.
pub(crate) fn x_revoke(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let t = form.get("token").map(String::as_str).unwrap_or_default();
    if t.is_empty() {
        return oauth_error("invalid_request", "Missing required parameter [token].");
    }
    st.tokens.revoke(t);
    Reply::json(200, &json!({ "revoked": true }))
}

fn ig_oauth_error(message: &str) -> Reply {
    Reply::json(
        400,
        &json!({
            "error": "invalid_grant",
            "error_description": message,
            "error_type": "OAuthException",
            "code": 400,
            "error_message": message,
        }),
    )
}

/// `POST /oauth/access_token` (Instagram Login): form `client_id`, `client_secret`,
/// `grant_type=authorization_code`, `redirect_uri`, `code`[, `code_verifier`] →
/// `{"access_token","user_id","permissions":[…]}` (short-lived, 1 h). `user_id` is the
/// owned Instagram account id, as a string. A `code_verifier` is checked when both it and
/// a challenge are present (real Instagram ignores PKCE).
pub(crate) fn ig_token(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let Some(client) = client_id(req, &form) else {
        return ig_oauth_error("Missing required field client_id");
    };
    if form.get("client_secret").is_none_or(|s| s.is_empty()) {
        return ig_oauth_error("Missing required field client_secret");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return ig_oauth_error("Invalid grant_type: must be authorization_code");
    }
    let account = match owner(st, Network::Instagram) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let code = match redeem_code(st, Network::Instagram, &form, &client) {
        Ok(c) => c,
        Err(e) => return ig_oauth_error(&e),
    };
    let permissions: Vec<&str> = code.scope.split([',', ' ']).filter(|s| !s.is_empty()).collect();
    let access = st.tokens.issue_access(Network::Instagram, &account, IG_SHORT_LIFETIME);
    Reply::json(
        200,
        &json!({ "access_token": access, "user_id": account, "permissions": permissions }),
    )
    .with_header("cache-control", "no-store")
}

/// `GET /access_token?grant_type=ig_exchange_token&client_secret&access_token` and
/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token`: a new 60-day
/// token `{"access_token","token_type":"bearer","expires_in":5184000}`; the old token
/// stays valid until it expires. A bad token answers Graph error 190 with HTTP 400.
pub(crate) fn ig_long_lived(st: &SandboxState, req: &Req, grant: &str) -> Reply {
    if req.q("grant_type") != Some(grant) {
        return meta_error(
            400,
            100,
            None,
            "OAuthException",
            &format!("(#100) grant_type must be {grant}"),
        );
    }
    if grant == "ig_exchange_token" && req.q("client_secret").is_none_or(|s| s.is_empty()) {
        return meta_error(400, 100, None, "OAuthException", "(#100) Missing client_secret");
    }
    let bearer = req.access_token().unwrap_or_default();
    let account = match st.tokens.check(Network::Instagram, &bearer) {
        TokenStatus::Valid(a) => a,
        _ => return meta_unparsable_token(),
    };
    let access = st.tokens.issue_access(Network::Instagram, &account, IG_LONG_LIFETIME);
    Reply::json(
        200,
        &json!({"access_token": access, "token_type": "bearer", "expires_in": IG_LONG_LIFETIME.as_secs()}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_example() {
        // RFC 7636 appendix B.
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_consent_screen_grants_what_is_asked_less_what_is_unticked() {
        let (granted, declined) = consent("user.info.basic,user.info.stats,video.list", &["video.list".into()]);
        assert_eq!(granted, "user.info.basic,user.info.stats");
        assert_eq!(declined, ["video.list"]);
        let (granted, declined) = consent("tweet.read users.read offline.access", &[]);
        assert_eq!(granted, "tweet.read users.read offline.access");
        assert!(declined.is_empty());
    }

    #[test]
    fn tokens_are_checked_per_platform() {
        let book = TokenBook::default();
        let t = book.issue_access(Network::X, "1", X_ACCESS_LIFETIME);
        assert!(t.starts_with("sbx_x_"));
        assert_eq!(book.check(Network::X, &t), TokenStatus::Valid("1".into()));
        assert_eq!(book.check(Network::Instagram, &t), TokenStatus::Unknown);
        assert!(book.revoke(&t));
        assert_eq!(book.check(Network::X, &t), TokenStatus::Revoked);
        assert_eq!(book.check(Network::X, "nope"), TokenStatus::Unknown);
    }
}
