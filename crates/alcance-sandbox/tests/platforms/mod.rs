//! Helpers for the Facebook, WhatsApp and TikTok tests: the sandbox's Facebook Login, page
//! tokens, the WhatsApp system-user token and TikTok's Login Kit, all on 127.0.0.1.
#![allow(dead_code)]

use alcance_sandbox::oauth::s256_challenge;
use alcance_sandbox::Sandbox;
use reqwest::{Client, Response};
use serde_json::{json, Value};
use url::Url;

use crate::common::{json_of, url, REDIRECT, VERIFIER};

pub const FB_PAGE: &str = "104000000000001";
pub const FB_TRACKED: &str = "104000000000002";
pub const WABA: &str = "105000000000001";
pub const WA_PHONE: &str = "106000000000001";
pub const TT_OPEN_ID: &str = "tt_alcance_br";
pub const TT_REDIRECT: &str = "http://127.0.0.1:8720/callback/";

/// The `code` (or `error`) from an authorize redirect's query.
pub fn redirect_param(r: &Response, name: &str) -> Option<String> {
    assert_eq!(r.status(), 302, "authorize answers a redirect");
    let loc = Url::parse(r.headers()["location"].to_str().expect("location")).expect("url");
    loc.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Facebook Login: dialog (with PKCE when `verifier` is given), then the code exchange.
/// Returns the exchange's status and body.
pub async fn fb_exchange(c: &Client, sb: &Sandbox, verifier: Option<&str>, secret: Option<&str>) -> (u16, Value) {
    let challenge = verifier.map(s256_challenge);
    let mut q = vec![
        ("client_id", "fb-app"),
        ("redirect_uri", REDIRECT),
        ("state", "fbstate"),
        ("response_type", "code"),
        ("scope", "pages_show_list,pages_read_engagement,read_insights"),
    ];
    if let Some(ch) = challenge.as_deref() {
        q.push(("code_challenge", ch));
        q.push(("code_challenge_method", "S256"));
    }
    let r = c
        .get(url(sb, "/v25.0/dialog/oauth"))
        .query(&q)
        .send()
        .await
        .expect("dialog");
    assert_eq!(redirect_param(&r, "state").as_deref(), Some("fbstate"));
    let code = redirect_param(&r, "code").expect("code");
    let mut q = vec![
        ("client_id", "fb-app"),
        ("redirect_uri", REDIRECT),
        ("code", code.as_str()),
    ];
    if let Some(s) = secret {
        q.push(("client_secret", s));
    }
    if let Some(v) = verifier {
        q.push(("code_verifier", v));
    }
    let r = c
        .get(url(sb, "/v25.0/oauth/access_token"))
        .query(&q)
        .send()
        .await
        .expect("exchange");
    let status = r.status().as_u16();
    (status, json_of(r).await)
}

/// A long-lived Facebook user token (dialog, code exchange, `fb_exchange_token`).
pub async fn fb_user_token(c: &Client, sb: &Sandbox) -> String {
    let (status, short) = fb_exchange(c, sb, None, Some("app-secret")).await;
    assert_eq!(status, 200, "{short}");
    assert_eq!(short["token_type"], "bearer");
    assert_eq!(short["expires_in"], 5_183_944);
    let r = c
        .get(url(sb, "/v25.0/oauth/access_token"))
        .query(&[
            ("grant_type", "fb_exchange_token"),
            ("client_id", "fb-app"),
            ("client_secret", "app-secret"),
            ("fb_exchange_token", short["access_token"].as_str().expect("short")),
        ])
        .send()
        .await
        .expect("long-lived");
    assert_eq!(r.status(), 200);
    let long = json_of(r).await;
    assert_eq!(long["expires_in"], 5_184_000);
    long["access_token"].as_str().expect("long").to_string()
}

/// The owned Page's token from `/me/accounts`.
pub async fn fb_page_token(c: &Client, sb: &Sandbox) -> String {
    let user = fb_user_token(c, sb).await;
    let accounts = json_of(
        fb_get(
            c,
            sb,
            &user,
            "/me/accounts",
            &[
                (
                    "fields",
                    "id,name,access_token,tasks,category,instagram_business_account",
                ),
                ("limit", "100"),
            ],
        )
        .await,
    )
    .await;
    let page = &accounts["data"][0];
    assert_eq!(page["id"], FB_PAGE);
    assert!(page["tasks"].as_array().expect("tasks").contains(&json!("ANALYZE")));
    page["access_token"].as_str().expect("page token").to_string()
}

/// GET a Graph path under `/v25.0` with `access_token`.
pub async fn fb_get(c: &Client, sb: &Sandbox, token: &str, path: &str, query: &[(&str, &str)]) -> Response {
    let mut q: Vec<(&str, &str)> = query.to_vec();
    q.push(("access_token", token));
    c.get(url(sb, &format!("/v25.0{path}")))
        .query(&q)
        .send()
        .await
        .expect("graph request")
}

/// The WhatsApp system-user token from the control endpoint.
pub async fn wa_token(c: &Client, sb: &Sandbox) -> String {
    let r = c
        .get(url(sb, "/__alcance/whatsapp-token"))
        .send()
        .await
        .expect("wa token");
    assert_eq!(r.status(), 200);
    let body = json_of(r).await;
    assert_eq!(body["waba_id"], WABA);
    assert_eq!(body["phone_number_ids"], json!([WA_PHONE]));
    body["access_token"].as_str().expect("token").to_string()
}

/// TikTok authorize with `challenge` (S256); returns the code.
pub async fn tt_code(c: &Client, sb: &Sandbox, challenge: &str) -> String {
    let r = c
        .get(url(sb, "/v2/auth/authorize/"))
        .query(&[
            ("client_key", "tt-key"),
            ("response_type", "code"),
            ("scope", "user.info.basic,user.info.profile,user.info.stats,video.list"),
            ("redirect_uri", TT_REDIRECT),
            ("state", "ttstate"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(redirect_param(&r, "state").as_deref(), Some("ttstate"));
    redirect_param(&r, "code").expect("code")
}

/// POST the TikTok token endpoint; returns status and body.
pub async fn tt_post_token(c: &Client, sb: &Sandbox, form: &[(&str, &str)]) -> (u16, Value) {
    let r = c
        .post(url(sb, "/v2/oauth/token/"))
        .form(form)
        .send()
        .await
        .expect("token");
    let status = r.status().as_u16();
    (status, json_of(r).await)
}

/// A full TikTok login; returns the token answer.
pub async fn tt_login(c: &Client, sb: &Sandbox) -> Value {
    let code = tt_code(c, sb, &s256_challenge(VERIFIER)).await;
    let (status, body) = tt_post_token(
        c,
        sb,
        &[
            ("client_key", "tt-key"),
            ("client_secret", "tt-secret"),
            ("code", code.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", TT_REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn tt_token(c: &Client, sb: &Sandbox) -> String {
    tt_login(c, sb).await["access_token"]
        .as_str()
        .expect("access")
        .to_string()
}

/// A Display API call: GET `user/info` or POST `video/list` / `video/query` with `body`.
pub async fn tt_display(
    c: &Client,
    sb: &Sandbox,
    token: &str,
    path: &str,
    fields: &str,
    body: Option<Value>,
) -> Response {
    let u = url(sb, path);
    let rb = match body {
        Some(b) => c.post(u).json(&b),
        None => c.get(u),
    };
    rb.query(&[("fields", fields)])
        .bearer_auth(token)
        .send()
        .await
        .expect("display request")
}

/// A Business API GET with the `Access-Token` header.
pub async fn tt_business(c: &Client, sb: &Sandbox, token: &str, path: &str, query: &[(&str, &str)]) -> Response {
    c.get(url(sb, &format!("/open_api/v1.3{path}")))
        .query(query)
        .header("Access-Token", token)
        .send()
        .await
        .expect("business request")
}
