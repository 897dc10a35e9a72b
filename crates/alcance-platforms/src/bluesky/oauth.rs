//! AT Protocol OAuth for own Bluesky accounts (platform-apis-more.md §5.2; the atproto
//! OAuth profile, atproto.com/specs/oauth): a public native client, **PAR** (every
//! authorization starts with a pushed authorization request), **PKCE S256**, and **DPoP**
//! (RFC 9449: every token request carries a proof signed with a per-session ES256 key; the
//! server's `DPoP-Nonce` is echoed, and a `use_dpop_nonce` answer is retried once with it).
//!
//! The client id is the spec's *localhost* development client,
//! `http://localhost?redirect_uri=…&scope=…`: the authorization server builds the client
//! metadata from those query parameters, so nothing has to be hosted, and the redirect is the
//! usual loopback listener on `http://127.0.0.1:{port}/callback`. A team that hosts a
//! client-metadata document (`application_type: native`, `token_endpoint_auth_method:
//! none`) passes its HTTPS URL as the client id instead ([`Authorization::client_id`]).
//! Bluesky limits public clients' sessions (refresh tokens single-use, the session at most
//! about 7 days, platform-apis-more.md §5.2): after that the account keeps collecting — its
//! reads go to the public AppView without a token — and the token upkeep asks for a new
//! sign-in.
//!
//! Discovery: the PDS's `/.well-known/oauth-protected-resource` names the authorization
//! server, whose `/.well-known/oauth-authorization-server` (RFC 8414) gives the PAR,
//! authorize, token and revocation endpoints. The PDS is `Endpoints::bluesky_pds`'s origin
//! (accounts hosted by Bluesky; resolving a self-hosted PDS from the DID document is not
//! built). When the PDS serves no protected-resource document its origin is taken as the
//! authorization server (inferred: Bluesky's entryway `bsky.social` is both).
//!
//! The DPoP key, the token endpoint and the client id are kept beside the tokens in the
//! vault ([`SessionBinding`] in [`TokenSet::binding`]): the tokens are useless without the
//! key, and the key never leaves the vault. Nothing here logs or records a token, a code,
//! a verifier or the key.

use crate::error::PlatformError;
use crate::oauth::{oauth_error, BrowserOpener, LoopbackListener, TokenSet, DEFAULT_CALLBACK_PATH};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use oauth2::{CsrfToken, PkceCodeChallenge};
use rand::RngCore;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

/// The scope requested: `atproto` (required) and `transition:generic` (the app-password
/// equivalent, enough for reading the account's own session).
pub const SCOPE: &str = "atproto transition:generic";

/// Largest answer read from the authorization server (64 KiB; its answers are small).
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Timeout of one call to the PDS or the authorization server.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest lifetime accepted from `expires_in` (1 day; atproto access tokens live < 30 min).
const MAX_EXPIRES_IN_SECS: i64 = 24 * 3600;

/// An ES256 (ECDSA P-256, SHA-256) key pair for DPoP proofs, made for one session.
pub struct DpopKey {
    pair: EcdsaKeyPair,
    pkcs8: Vec<u8>,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopKey")
            .field("thumbprint", &self.thumbprint())
            .finish()
    }
}

impl DpopKey {
    /// A new random key (the OS random source).
    ///
    /// Errors: [`PlatformError::OAuth`] when the system cannot make a key.
    pub fn generate() -> Result<DpopKey, PlatformError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| oauth_error("could not make a DPoP key"))?;
        Self::from_pkcs8(doc.as_ref())
    }

    /// The key from its PKCS#8 document (what [`DpopKey::to_pkcs8_base64`] wrote, decoded).
    ///
    /// Errors: [`PlatformError::OAuth`] when the bytes are not a P-256 PKCS#8 key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<DpopKey, PlatformError> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &SystemRandom::new())
            .map_err(|_| oauth_error("the stored DPoP key is not a P-256 key; sign in to Bluesky again"))?;
        Ok(DpopKey {
            pair,
            pkcs8: pkcs8.to_vec(),
        })
    }

    /// The private key as unpadded base64url PKCS#8, for the vault only.
    pub fn to_pkcs8_base64(&self) -> SecretString {
        SecretString::from(URL_SAFE_NO_PAD.encode(&self.pkcs8))
    }

    /// The public key as a JWK: `{"kty":"EC","crv":"P-256","x","y"}` (base64url coordinates).
    pub fn public_jwk(&self) -> Value {
        let point = self.pair.public_key().as_ref();
        // An uncompressed SEC1 point: 0x04 || X (32 bytes) || Y (32 bytes).
        let (x, y) = point
            .get(1..)
            .unwrap_or_default()
            .split_at(32.min(point.len().saturating_sub(1)));
        json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)})
    }

    /// The RFC 7638 JWK thumbprint (base64url SHA-256 of the canonical public JWK): what a
    /// server binds the tokens to (`cnf.jkt`).
    pub fn thumbprint(&self) -> String {
        jwk_thumbprint(&self.public_jwk())
    }

    /// A DPoP proof JWT (RFC 9449 §4.2) for `method` on `url` (query and fragment left out
    /// of `htu`), with the server's `nonce` when it gave one and, for resource calls, `ath`
    /// (the access token's SHA-256). `iat` is now, UTC seconds; `jti` 128 random bits.
    ///
    /// Errors: [`PlatformError::OAuth`] when signing fails.
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        nonce: Option<&str>,
        access_token: Option<&SecretString>,
    ) -> Result<String, PlatformError> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk()});
        let mut claims = json!({
            "jti": random_token(16),
            "htm": method,
            "htu": htu.as_str(),
            "iat": Utc::now().timestamp(),
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        if let Some(token) = access_token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token.expose_secret().as_bytes())));
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| oauth_error("could not sign a DPoP proof"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

/// The RFC 7638 thumbprint of an EC public JWK (`crv`, `kty`, `x`, `y` in that order):
/// unpadded base64url of its SHA-256. Used by servers (the sandbox) to check a binding.
pub fn jwk_thumbprint(jwk: &Value) -> String {
    let field = |k: &str| jwk.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let canonical = format!(
        r#"{{"crv":"{}","kty":"{}","x":"{}","y":"{}"}}"#,
        field("crv"),
        field("kty"),
        field("x"),
        field("y")
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The spec's localhost development client id for a loopback `redirect_uri`:
/// `http://localhost?redirect_uri=<redirect_uri>&scope=<SCOPE>` (query-encoded). The
/// authorization server accepts any port on `127.0.0.1` for it.
pub fn loopback_client_id(redirect_uri: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPE)
        .finish();
    // The spec's form has no path (`http://localhost?…`, not `http://localhost/?…`).
    format!("http://localhost?{query}")
}

/// The authorization server's endpoints (RFC 8414 metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthServer {
    /// `issuer`: the server's origin; checked against the `iss` it is fetched from.
    pub issuer: String,
    /// `pushed_authorization_request_endpoint` (PAR, RFC 9126).
    pub par_endpoint: Url,
    /// `authorization_endpoint`, opened in the browser with the PAR's `request_uri`.
    pub authorization_endpoint: Url,
    /// `token_endpoint`: code and refresh grants.
    pub token_endpoint: Url,
    /// `revocation_endpoint` (RFC 7009), when the server has one.
    pub revocation_endpoint: Option<Url>,
}

#[derive(Deserialize)]
struct ResourceMetadata {
    #[serde(default)]
    authorization_servers: Vec<String>,
}

#[derive(Deserialize)]
struct ServerMetadata {
    issuer: String,
    pushed_authorization_request_endpoint: Option<String>,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    revocation_endpoint: Option<String>,
    #[serde(default)]
    dpop_signing_alg_values_supported: Vec<String>,
}

/// The tokens' companion in the vault ([`TokenSet::binding`], JSON): what a refresh or a
/// revocation needs besides the refresh token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionBinding {
    /// Always `"atproto_oauth"`.
    pub kind: String,
    /// The DPoP private key, unpadded base64url PKCS#8 (secret).
    pub dpop_key: String,
    /// The authorization server's `issuer`.
    pub issuer: String,
    /// Its token endpoint.
    pub token_endpoint: String,
    /// Its revocation endpoint, when it has one.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// The client id the session was issued to (refreshes must use the same).
    pub client_id: String,
}

impl SessionBinding {
    /// Reads a binding stored by [`authorize`].
    ///
    /// Errors: [`PlatformError::OAuth`] when the text is not such a JSON object.
    pub fn parse(text: &SecretString) -> Result<SessionBinding, PlatformError> {
        let b: SessionBinding = serde_json::from_str(text.expose_secret())
            .map_err(|_| oauth_error("the stored Bluesky OAuth session is not readable; sign in to Bluesky again"))?;
        if b.kind != "atproto_oauth" {
            return Err(oauth_error(format!("unknown Bluesky session kind {:?}", b.kind)));
        }
        Ok(b)
    }

    fn to_secret(&self) -> SecretString {
        SecretString::from(serde_json::to_string(self).unwrap_or_default())
    }

    fn key(&self) -> Result<DpopKey, PlatformError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(&self.dpop_key)
            .map_err(|_| oauth_error("the stored DPoP key is not base64url; sign in to Bluesky again"))?;
        DpopKey::from_pkcs8(&bytes)
    }
}

/// The token endpoint's answer (atproto: `token_type` `DPoP`, `sub` the account's DID).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    token_type: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    sub: Option<String>,
}

/// A client for one authorization server that remembers its latest `DPoP-Nonce`.
struct DpopClient {
    http: reqwest::Client,
    key: DpopKey,
    nonce: Mutex<Option<String>>,
}

impl DpopClient {
    fn new(key: DpopKey) -> Result<DpopClient, PlatformError> {
        Ok(DpopClient {
            http: http_client()?,
            key,
            nonce: Mutex::new(None),
        })
    }

    fn nonce(&self) -> Option<String> {
        self.nonce.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// POSTs `form` to `url` with a DPoP proof; on `use_dpop_nonce` retries once with the
    /// nonce the server sent. Returns the status and the JSON body (`Value::Null` when empty
    /// or not JSON). `what` names the endpoint in errors.
    async fn post(&self, what: &str, url: &Url, form: &[(&str, &str)]) -> Result<(u16, Value), PlatformError> {
        for attempt in 0..2 {
            let proof = self.key.proof("POST", url, self.nonce().as_deref(), None)?;
            let response = self
                .http
                .post(url.clone())
                .header("DPoP", proof)
                .header("Accept", "application/json")
                .form(form)
                .send()
                .await
                .map_err(|e| PlatformError::Transport {
                    message: format!("{what}: {}", e.without_url()),
                })?;
            let status = response.status().as_u16();
            if let Some(n) = response.headers().get("dpop-nonce").and_then(|v| v.to_str().ok()) {
                if let Ok(mut slot) = self.nonce.lock() {
                    *slot = Some(n.to_string());
                }
            }
            let body = read_json(response, what).await?;
            let asks_nonce = body.get("error").and_then(Value::as_str) == Some("use_dpop_nonce");
            if asks_nonce && attempt == 0 && (status == 400 || status == 401) {
                continue;
            }
            return Ok((status, body));
        }
        Err(oauth_error(format!(
            "{what} kept asking for a new DPoP nonce; try again"
        )))
    }
}

fn http_client() -> Result<reqwest::Client, PlatformError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(CALL_TIMEOUT)
        .user_agent(concat!("Alcance/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| PlatformError::Transport {
            message: format!("Bluesky OAuth client: {e}"),
        })
}

/// Reads a JSON body of at most [`MAX_ANSWER_BYTES`]; an empty body is `Value::Null`.
async fn read_json(mut response: reqwest::Response, what: &str) -> Result<Value, PlatformError> {
    let status = response.status().as_u16();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| PlatformError::Transport {
        message: format!("{what}: {}", e.without_url()),
    })? {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(oauth_error(format!(
                "{what} answered more than {MAX_ANSWER_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(v),
        Err(_) if (200..300).contains(&status) => Err(PlatformError::Decode {
            endpoint: what.to_string(),
            message: "the answer is not JSON".into(),
        }),
        Err(_) => Ok(Value::Null),
    }
}

/// `"<what> answered HTTP <status>: <error> (<error_description>)"` as an OAuth error.
fn refused(what: &str, status: u16, body: &Value) -> PlatformError {
    let error = body.get("error").and_then(Value::as_str).unwrap_or("no error code");
    let description = body
        .get("error_description")
        .or_else(|| body.get("message"))
        .and_then(Value::as_str)
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    oauth_error(format!("{what} answered HTTP {status}: {error}{description}"))
}

async fn get_json(http: &reqwest::Client, what: &str, url: &Url) -> Result<(u16, Value), PlatformError> {
    let response = http
        .get(url.clone())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| PlatformError::Transport {
            message: format!("{what}: {}", e.without_url()),
        })?;
    let status = response.status().as_u16();
    Ok((status, read_json(response, what).await?))
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn parse_url(what: &str, s: &str) -> Result<Url, PlatformError> {
    Url::parse(s).map_err(|_| oauth_error(format!("{what} is not a URL")))
}

/// Finds the authorization server of the PDS at `pds` (any URL on the PDS; its origin is
/// used) and reads its metadata.
///
/// Errors: [`PlatformError::Transport`] when a server cannot be reached;
/// [`PlatformError::OAuth`] when the metadata is missing, malformed, names another issuer,
/// has no PAR endpoint or does not sign DPoP with ES256.
pub async fn discover(pds: &Url) -> Result<AuthServer, PlatformError> {
    let http = http_client()?;
    let pds_origin = origin(pds);
    let resource = parse_url("the PDS", &format!("{pds_origin}/.well-known/oauth-protected-resource"))?;
    let (status, body) = get_json(&http, "oauth-protected-resource", &resource).await?;
    let issuer = if (200..300).contains(&status) {
        let meta: ResourceMetadata = serde_json::from_value(body)
            .map_err(|_| oauth_error("the PDS's oauth-protected-resource document is malformed"))?;
        meta.authorization_servers
            .into_iter()
            .next()
            .ok_or_else(|| oauth_error("the PDS names no authorization server"))?
    } else {
        // Inferred: an entryway that is its own authorization server may not serve it.
        pds_origin
    };
    let issuer_url = parse_url("the authorization server", &issuer)?;
    let meta_url = parse_url(
        "the authorization server",
        &format!("{}/.well-known/oauth-authorization-server", origin(&issuer_url)),
    )?;
    let (status, body) = get_json(&http, "oauth-authorization-server", &meta_url).await?;
    if !(200..300).contains(&status) {
        return Err(refused("oauth-authorization-server", status, &body));
    }
    let meta: ServerMetadata =
        serde_json::from_value(body).map_err(|_| oauth_error("the authorization server's metadata is malformed"))?;
    if meta.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(oauth_error(format!(
            "the authorization server's metadata names issuer {} instead of {issuer}",
            meta.issuer
        )));
    }
    if !meta.dpop_signing_alg_values_supported.iter().any(|a| a == "ES256") {
        return Err(oauth_error(
            "the authorization server does not accept ES256 DPoP proofs",
        ));
    }
    let par = meta
        .pushed_authorization_request_endpoint
        .ok_or_else(|| oauth_error("the authorization server has no PAR endpoint"))?;
    Ok(AuthServer {
        issuer: meta.issuer,
        par_endpoint: parse_url("the PAR endpoint", &par)?,
        authorization_endpoint: parse_url("the authorization endpoint", &meta.authorization_endpoint)?,
        token_endpoint: parse_url("the token endpoint", &meta.token_endpoint)?,
        revocation_endpoint: meta
            .revocation_endpoint
            .map(|r| parse_url("the revocation endpoint", &r))
            .transpose()?,
    })
}

/// One sign-in: who and with which client.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// The account's DID (resolved from the handle beforehand); the token answer's `sub`
    /// must be it.
    pub did: String,
    /// The handle, sent as `login_hint` so the sign-in page is pre-filled.
    pub handle: String,
    /// A hosted client-metadata URL; `None` uses [`loopback_client_id`].
    pub client_id: Option<String>,
    /// The loopback port; `0` picks a free one.
    pub port: u16,
}

/// Signs in to Bluesky in the browser: discovery on the PDS at `pds`, a PAR with PKCE S256
/// and DPoP, the browser on the authorization page, the loopback redirect (its `state`
/// checked), and the code exchanged for DPoP-bound tokens whose `sub` must be
/// `auth.did`. Returns the tokens with their [`SessionBinding`] in [`TokenSet::binding`]
/// and the DID in [`TokenSet::user_id`].
///
/// Errors: [`PlatformError::OAuth`] for a refused PAR or code, consent denied, a wrong
/// `state`, the timeout, a token answer that is not DPoP or is for another account;
/// [`PlatformError::Transport`] when a server cannot be reached.
pub async fn authorize(
    pds: &Url,
    auth: &Authorization,
    browser: &dyn BrowserOpener,
    timeout: Duration,
) -> Result<TokenSet, PlatformError> {
    let server = discover(pds).await?;
    let listener = LoopbackListener::bind(auth.port, DEFAULT_CALLBACK_PATH).await?;
    let redirect_uri = listener.redirect_uri();
    let client_id = auth
        .client_id
        .clone()
        .unwrap_or_else(|| loopback_client_id(&redirect_uri));
    let client = DpopClient::new(DpopKey::generate()?)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = CsrfToken::new_random();
    let (status, body) = client
        .post(
            "the PAR endpoint",
            &server.par_endpoint,
            &[
                ("client_id", &client_id),
                ("response_type", "code"),
                ("redirect_uri", &redirect_uri),
                ("scope", SCOPE),
                ("state", state.secret()),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("login_hint", &auth.handle),
            ],
        )
        .await?;
    if !(200..300).contains(&status) {
        return Err(refused("the PAR endpoint", status, &body));
    }
    let request_uri = body
        .get("request_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| oauth_error("the PAR endpoint answered without a request_uri"))?;
    let mut page = server.authorization_endpoint.clone();
    page.query_pairs_mut()
        .append_pair("client_id", &client_id)
        .append_pair("request_uri", request_uri);
    browser.open(&page)?;
    let code = listener.wait_for_code(state.secret(), timeout).await?;
    let (status, body) = client
        .post(
            "the token endpoint",
            &server.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", code.expose_secret()),
                ("redirect_uri", &redirect_uri),
                ("code_verifier", verifier.secret()),
                ("client_id", &client_id),
            ],
        )
        .await?;
    if !(200..300).contains(&status) {
        return Err(refused("the token endpoint", status, &body));
    }
    let binding = SessionBinding {
        kind: "atproto_oauth".into(),
        dpop_key: client.key.to_pkcs8_base64().expose_secret().to_string(),
        issuer: server.issuer.clone(),
        token_endpoint: server.token_endpoint.to_string(),
        revocation_endpoint: server.revocation_endpoint.as_ref().map(Url::to_string),
        client_id,
    };
    token_set(body, &auth.did, &binding, None, Utc::now())
}

/// Checks a token answer and makes the vault's [`TokenSet`]: `token_type` must be DPoP and
/// `sub` the expected DID (the spec's defence against a server speaking for another
/// account). `old_refresh` is kept when the answer carries none.
fn token_set(
    body: Value,
    did: &str,
    binding: &SessionBinding,
    old_refresh: Option<&SecretString>,
    now: DateTime<Utc>,
) -> Result<TokenSet, PlatformError> {
    let answer: TokenAnswer = serde_json::from_value(body)
        .map_err(|_| oauth_error("the token endpoint's answer has no access_token or token_type"))?;
    if !answer.token_type.eq_ignore_ascii_case("DPoP") {
        return Err(oauth_error(format!(
            "the token endpoint issued a {} token, not a DPoP-bound one",
            answer.token_type
        )));
    }
    match answer.sub.as_deref() {
        Some(sub) if sub == did => {}
        Some(_) => return Err(oauth_error(format!("the tokens are for another account than {did}"))),
        None => return Err(oauth_error("the token endpoint's answer names no account (sub)")),
    }
    let expires_in = answer.expires_in.unwrap_or(0).clamp(0, MAX_EXPIRES_IN_SECS);
    Ok(TokenSet {
        access_token: SecretString::from(answer.access_token),
        refresh_token: answer
            .refresh_token
            .map(SecretString::from)
            .or_else(|| old_refresh.cloned()),
        expires_at: (expires_in > 0).then(|| now + chrono::Duration::seconds(expires_in)),
        scope: answer.scope,
        user_id: Some(did.to_string()),
        binding: Some(binding.to_secret()),
    })
}

/// Renews an OAuth session: `grant_type=refresh_token` on the stored token endpoint with a
/// proof from the stored key. atproto refresh tokens are single-use: the answer's new one
/// must be stored before anything else (`alcance_app::tokens` does).
///
/// Errors: [`PlatformError::OAuth`] when the set has no binding or refresh token, or the
/// server refuses (`invalid_grant`: revoked, used or expired: sign in again);
/// [`PlatformError::Transport`] when it cannot be reached.
pub async fn refresh(set: &TokenSet) -> Result<TokenSet, PlatformError> {
    let binding_text = set
        .binding
        .as_ref()
        .ok_or_else(|| oauth_error("the Bluesky session is not an OAuth session"))?;
    let binding = SessionBinding::parse(binding_text)?;
    let refresh = set
        .refresh_token
        .as_ref()
        .ok_or_else(|| oauth_error("the Bluesky OAuth session has no refresh token; sign in again"))?;
    let did = set
        .user_id
        .clone()
        .ok_or_else(|| oauth_error("the Bluesky OAuth session names no account"))?;
    let client = DpopClient::new(binding.key()?)?;
    let endpoint = parse_url("the token endpoint", &binding.token_endpoint)?;
    let (status, body) = client
        .post(
            "the token endpoint",
            &endpoint,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose_secret()),
                ("client_id", &binding.client_id),
            ],
        )
        .await?;
    if !(200..300).contains(&status) {
        return Err(refused("the token endpoint", status, &body));
    }
    token_set(body, &did, &binding, None, Utc::now())
}

/// Revokes the session's refresh token (and with it the session) at the revocation
/// endpoint (RFC 7009, with a DPoP proof). `Ok(false)` when the server has no revocation
/// endpoint; the caller deletes the vault entry either way.
///
/// Errors: [`PlatformError::OAuth`] when the set is not an OAuth session or the server
/// refuses; [`PlatformError::Transport`] when it cannot be reached.
pub async fn revoke(set: &TokenSet) -> Result<bool, PlatformError> {
    let binding_text = set
        .binding
        .as_ref()
        .ok_or_else(|| oauth_error("the Bluesky session is not an OAuth session"))?;
    let binding = SessionBinding::parse(binding_text)?;
    let Some(endpoint) = binding.revocation_endpoint.as_deref() else {
        return Ok(false);
    };
    let endpoint = parse_url("the revocation endpoint", endpoint)?;
    let token = set.refresh_token.as_ref().unwrap_or(&set.access_token);
    let client = DpopClient::new(binding.key()?)?;
    let (status, body) = client
        .post(
            "the revocation endpoint",
            &endpoint,
            &[("token", token.expose_secret()), ("client_id", &binding.client_id)],
        )
        .await?;
    if !(200..300).contains(&status) {
        return Err(refused("the revocation endpoint", status, &body));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    fn decode_part(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
    }

    #[test]
    fn a_proof_verifies_with_its_own_jwk_and_carries_the_claims() {
        let key = DpopKey::generate().expect("key");
        let url = Url::parse("https://bsky.social/oauth/token?x=1#f").expect("url");
        let token = SecretString::from("at-123".to_string());
        let jwt = key.proof("POST", &url, Some("n0"), Some(&token)).expect("proof");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode_part(parts[0]);
        let claims = decode_part(parts[1]);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://bsky.social/oauth/token");
        assert_eq!(claims["nonce"], "n0");
        assert_eq!(
            claims["ath"],
            URL_SAFE_NO_PAD.encode(Sha256::digest(b"at-123")).as_str()
        );
        // The signature checks out against the public key in the header.
        let jwk = &header["jwk"];
        let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().expect("x")).expect("x");
        let y = URL_SAFE_NO_PAD.decode(jwk["y"].as_str().expect("y")).expect("y");
        assert_eq!((x.len(), y.len()), (32, 32));
        let point = [&[4u8][..], &x, &y].concat();
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("sig");
        let input = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
            .verify(input.as_bytes(), &signature)
            .expect("valid signature");
        // A changed claim does not verify.
        let forged = format!("{}.{}", parts[0], URL_SAFE_NO_PAD.encode(b"{\"htm\":\"GET\"}"));
        assert!(UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
            .verify(forged.as_bytes(), &signature)
            .is_err());
        assert_eq!(jwk_thumbprint(jwk), key.thumbprint());
    }

    #[test]
    fn a_key_survives_the_vault_round_trip() {
        let key = DpopKey::generate().expect("key");
        let stored = key.to_pkcs8_base64();
        let bytes = URL_SAFE_NO_PAD.decode(stored.expose_secret()).expect("b64");
        let back = DpopKey::from_pkcs8(&bytes).expect("key");
        assert_eq!(back.public_jwk(), key.public_jwk());
        assert!(DpopKey::from_pkcs8(b"not a key").is_err());
    }

    #[test]
    fn the_thumbprint_hashes_the_rfc_7638_canonical_form() {
        // Members in lexicographic order, no whitespace, whatever order the JWK came in
        // and whatever extra members it carries (RFC 7638 §3.2, §3.3).
        let jwk = json!({
            "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
            "kid": "ignored",
            "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "kty": "EC",
            "crv": "P-256"
        });
        let canonical = r#"{"crv":"P-256","kty":"EC","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"}"#;
        assert_eq!(
            jwk_thumbprint(&jwk),
            URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
        );
        assert_eq!(jwk_thumbprint(&jwk).len(), 43, "256 bits, unpadded base64url");
    }

    #[test]
    fn the_localhost_client_id_carries_the_redirect_and_scope() {
        let id = loopback_client_id("http://127.0.0.1:49152/callback");
        assert_eq!(
            id,
            "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A49152%2Fcallback&scope=atproto+transition%3Ageneric"
        );
    }

    #[test]
    fn token_answers_must_be_dpop_and_for_the_account() {
        let binding = SessionBinding {
            kind: "atproto_oauth".into(),
            dpop_key: "k".into(),
            issuer: "https://bsky.social".into(),
            token_endpoint: "https://bsky.social/oauth/token".into(),
            revocation_endpoint: None,
            client_id: "c".into(),
        };
        let now = Utc::now();
        let ok = json!({"access_token": "a", "token_type": "DPoP", "refresh_token": "r", "expires_in": 1800, "scope": "atproto", "sub": "did:plc:me"});
        let set = token_set(ok.clone(), "did:plc:me", &binding, None, now).expect("set");
        assert_eq!(set.expires_at, Some(now + chrono::Duration::seconds(1800)));
        assert_eq!(set.user_id.as_deref(), Some("did:plc:me"));
        let back = SessionBinding::parse(set.binding.as_ref().expect("binding")).expect("parse");
        assert_eq!(back, binding);
        let bearer = json!({"access_token": "a", "token_type": "Bearer", "sub": "did:plc:me"});
        assert!(token_set(bearer, "did:plc:me", &binding, None, now)
            .expect_err("bearer")
            .to_string()
            .contains("not a DPoP-bound"));
        assert!(token_set(ok, "did:plc:other", &binding, None, now)
            .expect_err("sub")
            .to_string()
            .contains("another account"));
        let no_sub = json!({"access_token": "a", "token_type": "DPoP"});
        assert!(token_set(no_sub, "did:plc:me", &binding, None, now).is_err());
        assert!(SessionBinding::parse(&SecretString::from("{}".to_string())).is_err());
    }
}
