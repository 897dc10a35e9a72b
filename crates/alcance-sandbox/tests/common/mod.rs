//! Helpers shared by the sandbox's integration tests: start a sandbox, run the OAuth
//! flows, set the clock. Everything talks to 127.0.0.1 only.
#![allow(dead_code)]

use alcance_sandbox::oauth::s256_challenge;
use alcance_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Client, Response};
use serde_json::{json, Value};
use url::Url;

pub const X_OWNED: &str = "1580000000000000001";
pub const X_TRACKED: &str = "1580000000000000002";
pub const IG_OWNED: &str = "17841400000000001";
pub const IG_TRACKED: &str = "17841400000000002";
pub const REDIRECT: &str = "http://127.0.0.1:8719/callback";
pub const VERIFIER: &str = "test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG";

pub async fn start(seed: u64) -> Sandbox {
    Sandbox::start(SandboxConfig::seeded(seed))
        .await
        .expect("sandbox starts")
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn url(sb: &Sandbox, path: &str) -> String {
    format!("{}{}", sb.base_url().as_str().trim_end_matches('/'), path)
}

pub async fn json_of(r: Response) -> Value {
    let text = r.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

pub async fn set_clock(c: &Client, sb: &Sandbox, now: &str) {
    let r = c
        .post(url(sb, "/__alcance/clock"))
        .json(&json!({ "now": now }))
        .send()
        .await
        .expect("clock");
    assert_eq!(r.status(), 200);
}

/// Runs X's authorize redirect and returns the code.
pub async fn x_code(c: &Client, sb: &Sandbox, verifier: &str, scope: &str) -> String {
    let challenge = s256_challenge(verifier);
    let r = c
        .get(url(sb, "/i/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "client-1"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "st4te"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 302);
    let loc = r.headers()["location"].to_str().expect("location").to_string();
    let loc = Url::parse(&loc).expect("location url");
    assert!(loc.as_str().starts_with(REDIRECT));
    let q: Vec<(String, String)> = loc.query_pairs().into_owned().collect();
    assert!(q.contains(&("state".into(), "st4te".into())));
    q.into_iter().find(|(k, _)| k == "code").map(|(_, v)| v).expect("code")
}

/// A full X OAuth flow; returns the token answer.
pub async fn x_login(c: &Client, sb: &Sandbox) -> Value {
    let code = x_code(c, sb, VERIFIER, "tweet.read users.read offline.access").await;
    let r = c
        .post(url(sb, "/2/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", "client-1"),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), 200);
    json_of(r).await
}

pub async fn x_token(c: &Client, sb: &Sandbox) -> String {
    x_login(c, sb).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// A full Instagram Login flow (code, short-lived token, long-lived exchange).
pub async fn ig_token(c: &Client, sb: &Sandbox) -> String {
    let r = c
        .get(url(sb, "/oauth/authorize"))
        .query(&[
            ("client_id", "ig-app"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "instagram_business_basic,instagram_business_manage_insights"),
            ("state", "s"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 302);
    let loc = Url::parse(r.headers()["location"].to_str().expect("loc")).expect("url");
    let code = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let r = c
        .post(url(sb, "/oauth/access_token"))
        .form(&[
            ("client_id", "ig-app"),
            ("client_secret", "shh"),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), 200);
    let short = json_of(r).await;
    assert_eq!(short["user_id"], IG_OWNED);
    let r = c
        .get(url(sb, "/access_token"))
        .query(&[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", "shh"),
            ("access_token", short["access_token"].as_str().expect("short")),
        ])
        .send()
        .await
        .expect("exchange");
    assert_eq!(r.status(), 200);
    let long = json_of(r).await;
    assert_eq!(long["expires_in"], 5_184_000);
    long["access_token"].as_str().expect("long").to_string()
}

/// GET with an X bearer token.
pub async fn x_get(c: &Client, sb: &Sandbox, token: &str, path_and_query: &str) -> Response {
    c.get(url(sb, path_and_query))
        .bearer_auth(token)
        .send()
        .await
        .expect("x request")
}

/// GET a Graph path (`/v25.0` prefixed) with `access_token`.
pub async fn ig_get(c: &Client, sb: &Sandbox, token: &str, path: &str, query: &[(&str, &str)]) -> Response {
    let mut q: Vec<(&str, &str)> = query.to_vec();
    q.push(("access_token", token));
    c.get(url(sb, &format!("/v25.0{path}")))
        .query(&q)
        .send()
        .await
        .expect("graph request")
}

/// [`ig_get`], then the answer's body as JSON (whatever the status).
pub async fn ig_json(c: &Client, sb: &Sandbox, token: &str, path: &str, query: &[(&str, &str)]) -> Value {
    json_of(ig_get(c, sb, token, path, query).await).await
}
