//! Bluesky's AT Protocol OAuth in the sandbox (platform-apis-more.md §5.2, the atproto
//! OAuth profile): the PDS's protected-resource document, the authorization server's
//! metadata (RFC 8414), PAR (RFC 9126), an auto-approving authorize page, the token
//! endpoint (authorization code with PKCE S256, single-use refresh tokens) and revocation
//! (RFC 7009). Every PAR, token and revocation request must carry a valid **DPoP** proof
//! (RFC 9449): ES256 signature checked against the proof's own key, `htm` / `htu`, a fresh
//! `iat`, an unused `jti`, and the server's current nonce (without it: `400
//! use_dpop_nonce` with a `DPoP-Nonce` header, as the reference server does). Tokens are
//! bound to the key of the PAR: a proof made with another key is refused.
//!
//! Only the localhost development client id (`http://localhost?redirect_uri=…&scope=…`)
//! is accepted, with a redirect on `127.0.0.1` or `[::1]` on any port; hosted
//! client-metadata documents would need fetching, which the sandbox does not do.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use url::Url;

use crate::model::{account_by_id, Network, ACCOUNTS};
use crate::oauth::{random_hex, s256_challenge};
use crate::reply::Reply;
use crate::server::{Req, SandboxState};

/// Where the sandbox's authorization server answers (beside the PDS's `/xrpc/`).
pub(crate) const PAR_PATH: &str = "/bsky/oauth/par";
/// The authorize page.
pub(crate) const AUTHORIZE_PATH: &str = "/bsky/oauth/authorize";
/// The token endpoint.
pub(crate) const TOKEN_PATH: &str = "/bsky/oauth/token";
/// The revocation endpoint.
pub(crate) const REVOKE_PATH: &str = "/bsky/oauth/revoke";

/// Access tokens live 30 minutes (atproto: "less than 30 minutes").
const ACCESS_LIFETIME: Duration = Duration::from_secs(1_800);
/// A PAR request URI and a code live 5 minutes.
const REQUEST_LIFETIME: Duration = Duration::from_secs(300);
/// A proof's `iat` may be this far from now (seconds).
const IAT_SKEW_SECS: i64 = 300;

/// A pushed authorization request, then the code it became.
#[derive(Debug, Clone)]
struct Pending {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    state: String,
    scope: String,
    did: String,
    jkt: String,
    expires: Instant,
}

/// The sandbox's AT Protocol OAuth state: pushed requests, codes, token key bindings,
/// used proof ids, the current nonce.
#[derive(Debug)]
pub(crate) struct AtprotoBook {
    inner: Mutex<Book>,
}

#[derive(Debug)]
struct Book {
    requests: HashMap<String, Pending>,
    codes: HashMap<String, Pending>,
    /// Refresh or access token → the thumbprint of the key it is bound to.
    bound: HashMap<String, String>,
    jtis: HashSet<String>,
    nonce: String,
}

impl Default for AtprotoBook {
    fn default() -> Self {
        AtprotoBook {
            inner: Mutex::new(Book {
                requests: HashMap::new(),
                codes: HashMap::new(),
                bound: HashMap::new(),
                jtis: HashSet::new(),
                nonce: random_hex(),
            }),
        }
    }
}

impl AtprotoBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The OAuth error body `{"error","error_description"}`.
fn error(status: u16, code: &str, description: &str) -> Reply {
    Reply::json(status, &json!({ "error": code, "error_description": description }))
}

/// Answers the OAuth paths; `None` for any other.
pub(crate) fn answer(st: &SandboxState, req: &Req) -> Option<Reply> {
    let get = req.method == axum::http::Method::GET;
    let post = req.method == axum::http::Method::POST;
    Some(match req.path.as_str() {
        "/.well-known/oauth-protected-resource" if get => Reply::json(
            200,
            &json!({
                "resource": req.base,
                "authorization_servers": [req.base],
                "scopes_supported": [],
                "bearer_methods_supported": ["header"],
            }),
        ),
        "/.well-known/oauth-authorization-server" if get => Reply::json(200, &metadata(&req.base)),
        PAR_PATH if post => with_nonce(st, par(st, req)),
        AUTHORIZE_PATH if get => authorize(st, req),
        TOKEN_PATH if post => with_nonce(st, token(st, req)).with_header("cache-control", "no-store"),
        REVOKE_PATH if post => with_nonce(st, revoke(st, req)),
        _ => return None,
    })
}

fn metadata(base: &str) -> Value {
    json!({
        "issuer": base,
        "pushed_authorization_request_endpoint": format!("{base}{PAR_PATH}"),
        "require_pushed_authorization_requests": true,
        "authorization_endpoint": format!("{base}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{base}{TOKEN_PATH}"),
        "revocation_endpoint": format!("{base}{REVOKE_PATH}"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["atproto", "transition:generic"],
        "authorization_response_iss_parameter_supported": true,
        "client_id_metadata_document_supported": true,
    })
}

fn with_nonce(st: &SandboxState, reply: Reply) -> Reply {
    let nonce = st.atproto.lock().nonce.clone();
    reply.with_header("dpop-nonce", nonce)
}

/// Checks the request's DPoP proof → the key's RFC 7638 thumbprint, or the error reply.
fn check_dpop(st: &SandboxState, req: &Req) -> Result<String, Reply> {
    let bad = |why: &str| error(400, "invalid_dpop_proof", why);
    let Some(proof) = req.header("dpop") else {
        return Err(bad("DPoP proof required"));
    };
    let parts: Vec<&str> = proof.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return Err(bad("DPoP proof is not a JWT"));
    };
    let decode = |p: &str| -> Option<Value> { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok() };
    let (Some(header), Some(claims)) = (decode(h), decode(c)) else {
        return Err(bad("DPoP proof is not a JWT"));
    };
    if header["typ"] != "dpop+jwt" || header["alg"] != "ES256" {
        return Err(bad("DPoP proof must be a dpop+jwt signed with ES256"));
    }
    let jwk = &header["jwk"];
    let coord = |k: &str| jwk[k].as_str().and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
    let (Some(x), Some(y)) = (coord("x"), coord("y")) else {
        return Err(bad("DPoP proof has no EC public key"));
    };
    if jwk["kty"] != "EC" || jwk["crv"] != "P-256" || x.len() != 32 || y.len() != 32 {
        return Err(bad("DPoP proof has no P-256 public key"));
    }
    let point = [&[4u8][..], &x, &y].concat();
    let signature = URL_SAFE_NO_PAD.decode(s).unwrap_or_default();
    if UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
        .verify(format!("{h}.{c}").as_bytes(), &signature)
        .is_err()
    {
        return Err(bad("DPoP proof signature is invalid"));
    }
    let htu = format!("{}{}", req.base, req.raw_path);
    if claims["htm"] != req.method.as_str() || claims["htu"].as_str() != Some(htu.as_str()) {
        return Err(bad("DPoP proof htm or htu does not match the request"));
    }
    let iat = claims["iat"].as_i64().unwrap_or_default();
    if (chrono::Utc::now().timestamp() - iat).abs() > IAT_SKEW_SECS {
        return Err(bad("DPoP proof iat is too far from now"));
    }
    let jti = claims["jti"].as_str().unwrap_or_default();
    let mut book = st.atproto.lock();
    if claims["nonce"].as_str() != Some(book.nonce.as_str()) {
        return Err(error(
            400,
            "use_dpop_nonce",
            "Authorization server requires nonce in DPoP proof",
        ));
    }
    if jti.is_empty() || !book.jtis.insert(jti.to_string()) {
        return Err(bad("DPoP proof jti is missing or was used before"));
    }
    drop(book);
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap_or_default(),
        jwk["y"].as_str().unwrap_or_default()
    );
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}

/// The redirect URIs and scope a localhost client id declares, or why it is refused.
fn localhost_client(client_id: &str) -> Result<(Vec<String>, String), String> {
    let rest = client_id
        .strip_prefix("http://localhost?")
        .ok_or("only the localhost development client id (http://localhost?…) is accepted by the sandbox")?;
    let mut redirects = Vec::new();
    let mut scope = "atproto".to_string();
    for (k, v) in url::form_urlencoded::parse(rest.as_bytes()) {
        match k.as_ref() {
            "redirect_uri" => redirects.push(v.into_owned()),
            "scope" => scope = v.into_owned(),
            _ => {}
        }
    }
    if redirects.is_empty() {
        redirects = vec!["http://127.0.0.1/".into(), "http://[::1]/".into()];
    }
    Ok((redirects, scope))
}

/// A loopback redirect matches a declared one on any port (RFC 8252 §7.3).
fn redirect_allowed(declared: &[String], asked: &str) -> bool {
    let Ok(asked) = Url::parse(asked) else {
        return false;
    };
    let loopback = matches!(asked.host_str(), Some("127.0.0.1" | "[::1]"));
    loopback
        && declared
            .iter()
            .filter_map(|d| Url::parse(d).ok())
            .any(|d| d.scheme() == asked.scheme() && d.host_str() == asked.host_str() && d.path() == asked.path())
}

/// The owned Bluesky account a `login_hint` (handle or DID; none: the owner) names.
fn hinted_account(st: &SandboxState, hint: Option<&str>) -> Option<String> {
    let owned = st.owner(Network::Bluesky)?;
    let handle = account_by_id(Network::Bluesky, &owned).map(|i| ACCOUNTS[i].username);
    match hint.map(|h| h.trim_start_matches('@')) {
        None | Some("") => Some(owned),
        Some(h) if h == owned || Some(h) == handle => Some(owned),
        Some(_) => None,
    }
}

/// `POST /bsky/oauth/par`: checks the client, redirect, PKCE, scope and proof; answers
/// `201 {"request_uri","expires_in"}`.
fn par(st: &SandboxState, req: &Req) -> Reply {
    let jkt = match check_dpop(st, req) {
        Ok(j) => j,
        Err(reply) => return reply,
    };
    let form = req.form();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let client_id = get("client_id");
    let (declared, client_scope) = match localhost_client(client_id) {
        Ok(c) => c,
        Err(why) => return error(400, "invalid_client", &why),
    };
    if get("response_type") != "code" {
        return error(400, "unsupported_response_type", "response_type must be code");
    }
    if !redirect_allowed(&declared, get("redirect_uri")) {
        return error(
            400,
            "invalid_redirect_uri",
            "redirect_uri is not one of the client's loopback redirects",
        );
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        return error(
            400,
            "invalid_request",
            "PKCE with code_challenge_method S256 is required",
        );
    }
    let scope = get("scope");
    let allowed: HashSet<&str> = client_scope.split(' ').collect();
    if !scope.split(' ').any(|s| s == "atproto") || !scope.split(' ').all(|s| allowed.contains(s)) {
        return error(
            400,
            "invalid_scope",
            "scope must include atproto and stay within the client's scope",
        );
    }
    if get("state").is_empty() {
        return error(400, "invalid_request", "state is required");
    }
    let Some(did) = hinted_account(st, form.get("login_hint").map(String::as_str)) else {
        return error(400, "invalid_request", "login_hint names no account of this server");
    };
    let request_uri = format!("urn:ietf:params:oauth:request_uri:req-{}", random_hex());
    st.atproto.lock().requests.insert(
        request_uri.clone(),
        Pending {
            client_id: client_id.to_string(),
            redirect_uri: get("redirect_uri").to_string(),
            challenge: get("code_challenge").to_string(),
            state: get("state").to_string(),
            scope: scope.to_string(),
            did,
            jkt,
            expires: Instant::now() + REQUEST_LIFETIME,
        },
    );
    Reply::json(
        201,
        &json!({ "request_uri": request_uri, "expires_in": REQUEST_LIFETIME.as_secs() - 1 }),
    )
}

/// `GET /bsky/oauth/authorize?client_id&request_uri`: approves at once and redirects to
/// the client with `code`, `state` and `iss`.
fn authorize(st: &SandboxState, req: &Req) -> Reply {
    let request_uri = req.q("request_uri").unwrap_or_default();
    let Some(p) = st.atproto.lock().requests.remove(request_uri) else {
        return error(400, "invalid_request", "unknown or used request_uri");
    };
    if Instant::now() >= p.expires || req.q("client_id") != Some(p.client_id.as_str()) {
        return error(
            400,
            "invalid_request",
            "the request_uri expired or belongs to another client",
        );
    }
    let Ok(mut to) = Url::parse(&p.redirect_uri) else {
        return error(400, "invalid_request", "the stored redirect_uri is not a URL");
    };
    let code = format!("cod-{}{}", random_hex(), random_hex());
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &p.state)
        .append_pair("iss", &req.base);
    st.atproto.lock().codes.insert(
        code,
        Pending {
            expires: Instant::now() + REQUEST_LIFETIME,
            ..p
        },
    );
    Reply::redirect(to.as_str())
}

/// Issues a DPoP-bound access token and a single-use refresh token for `did`.
fn issue(st: &SandboxState, did: &str, client_id: &str, scope: &str, jkt: &str) -> Reply {
    let access = st.tokens.issue_access(Network::Bluesky, did, ACCESS_LIFETIME);
    let refresh = st.tokens.issue_refresh(Network::Bluesky, did, client_id, scope);
    {
        let mut book = st.atproto.lock();
        book.bound.insert(access.clone(), jkt.to_string());
        book.bound.insert(refresh.clone(), jkt.to_string());
    }
    Reply::json(
        200,
        &json!({
            "access_token": access,
            "token_type": "DPoP",
            "refresh_token": refresh,
            "expires_in": ACCESS_LIFETIME.as_secs(),
            "scope": scope,
            "sub": did,
        }),
    )
}

/// `POST /bsky/oauth/token`: `authorization_code` (PKCE S256, same client, redirect and
/// key as the PAR) and `refresh_token` (single-use, same client and key).
fn token(st: &SandboxState, req: &Req) -> Reply {
    let jkt = match check_dpop(st, req) {
        Ok(j) => j,
        Err(reply) => return reply,
    };
    let form = req.form();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    match get("grant_type") {
        "authorization_code" => {
            let Some(p) = st.atproto.lock().codes.remove(get("code")) else {
                return error(400, "invalid_grant", "Invalid code");
            };
            if Instant::now() >= p.expires {
                return error(400, "invalid_grant", "Code expired");
            }
            if get("client_id") != p.client_id || get("redirect_uri") != p.redirect_uri {
                return error(
                    400,
                    "invalid_grant",
                    "client_id or redirect_uri does not match the authorization",
                );
            }
            if s256_challenge(get("code_verifier")) != p.challenge {
                return error(400, "invalid_grant", "code_verifier does not match the code_challenge");
            }
            if jkt != p.jkt {
                return error(400, "invalid_dpop_key_binding", "DPoP key does not match the PAR's");
            }
            issue(st, &p.did, &p.client_id, &p.scope, &jkt)
        }
        "refresh_token" => {
            let rt = get("refresh_token");
            let bound = st.atproto.lock().bound.get(rt).cloned();
            if bound.as_deref() != Some(jkt.as_str()) {
                return error(
                    400,
                    "invalid_grant",
                    "refresh token unknown or bound to another DPoP key",
                );
            }
            match st.tokens.take_refresh(Network::Bluesky, rt, get("client_id")) {
                Some((did, scope)) => {
                    st.atproto.lock().bound.remove(rt);
                    issue(st, &did, get("client_id"), &scope, &jkt)
                }
                None => error(400, "invalid_grant", "refresh token revoked, used or of another client"),
            }
        }
        other => error(
            400,
            "unsupported_grant_type",
            &format!("unsupported grant_type {other:?}"),
        ),
    }
}

/// `POST /bsky/oauth/revoke {token, client_id}`: revokes the token (200 whether or not it
/// was known, RFC 7009 §2.2).
fn revoke(st: &SandboxState, req: &Req) -> Reply {
    if let Err(reply) = check_dpop(st, req) {
        return reply;
    }
    let form = req.form();
    if let Some(t) = form.get("token") {
        st.tokens.revoke(t);
        st.atproto.lock().bound.remove(t);
    }
    Reply::json(200, &json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_clients_declare_loopback_redirects_on_any_port() {
        let (declared, scope) = localhost_client(
            "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A4000%2Fcallback&scope=atproto+transition%3Ageneric",
        )
        .expect("client");
        assert_eq!(scope, "atproto transition:generic");
        assert!(redirect_allowed(&declared, "http://127.0.0.1:55123/callback"));
        assert!(!redirect_allowed(&declared, "http://127.0.0.1:55123/other"));
        assert!(!redirect_allowed(&declared, "http://localhost:55123/callback"));
        assert!(!redirect_allowed(&declared, "https://evil.example/callback"));
        assert!(localhost_client("https://app.example/client-metadata.json").is_err());
        let (defaults, scope) = localhost_client("http://localhost?").expect("bare");
        assert_eq!(scope, "atproto");
        assert!(redirect_allowed(&defaults, "http://127.0.0.1:9/"));
    }
}
