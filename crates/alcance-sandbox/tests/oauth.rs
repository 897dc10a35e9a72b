//! OAuth endpoints: PKCE, one-shot codes, redirect checks, refresh rotation, Instagram
//! Login.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use alcance_sandbox::oauth::s256_challenge;
use common::*;
use serde_json::Value;

async fn exchange(c: &reqwest::Client, sb: &alcance_sandbox::Sandbox, form: &[(&str, &str)]) -> (u16, Value) {
    let r = c
        .post(url(sb, "/2/oauth2/token"))
        .form(form)
        .send()
        .await
        .expect("token");
    let status = r.status().as_u16();
    (status, json_of(r).await)
}

#[tokio::test]
async fn pkce_verifier_is_checked_and_codes_are_one_shot() {
    let sb = start(31).await;
    let c = client();

    // Wrong verifier: invalid_grant, and the code is used up.
    let code = x_code(&c, &sb, VERIFIER, "tweet.read users.read").await;
    let wrong = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        (
            "code_verifier",
            "some-other-verifier-that-does-not-hash-to-the-challenge",
        ),
        ("client_id", "client-1"),
    ];
    let (status, body) = exchange(&c, &sb, &wrong).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].as_str().expect("d").contains("code_verifier"));
    let right = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", "client-1"),
    ];
    assert_eq!(exchange(&c, &sb, &right).await.0, 400, "a code is one-shot");

    // Redirect URI and client must match the authorize request.
    let code = x_code(&c, &sb, VERIFIER, "tweet.read").await;
    let (status, body) = exchange(
        &c,
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1:9999/callback"),
            ("code_verifier", VERIFIER),
            ("client_id", "client-1"),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let code = x_code(&c, &sb, VERIFIER, "tweet.read").await;
    let (status, _) = exchange(
        &c,
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", "someone-else"),
        ],
    )
    .await;
    assert_eq!(status, 400);

    // The right verifier works; no offline.access → no refresh token.
    let code = x_code(&c, &sb, VERIFIER, "tweet.read users.read").await;
    let (status, body) = exchange(
        &c,
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", "client-1"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 7200);
    assert_eq!(body["scope"], "tweet.read users.read");
    assert!(body["access_token"].as_str().expect("t").starts_with("sbx_x_"));
    assert!(body.get("refresh_token").is_none());

    // Authorize without a challenge redirects back with an error.
    let r = c
        .get(url(&sb, "/i/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "client-1"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 302);
    let loc = r.headers()["location"].to_str().expect("loc").to_string();
    assert!(
        loc.contains("error=invalid_request") && loc.contains("state=s"),
        "{loc}"
    );
    assert_eq!(s256_challenge("a").len(), 43);
    sb.shutdown().await;
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let sb = start(32).await;
    let c = client();
    let first = x_login(&c, &sb).await;
    let rt1 = first["refresh_token"].as_str().expect("refresh").to_string();
    let (status, second) = exchange(
        &c,
        &sb,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt1.as_str()),
            ("client_id", "client-1"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let rt2 = second["refresh_token"].as_str().expect("rotated").to_string();
    assert_ne!(rt1, rt2);
    assert_ne!(first["access_token"], second["access_token"]);
    let token = second["access_token"].as_str().expect("t");
    assert_eq!(x_get(&c, &sb, token, "/2/users/me").await.status(), 200);
    // The old refresh token is spent.
    let (status, body) = exchange(
        &c,
        &sb,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt1.as_str()),
            ("client_id", "client-1"),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    // Unknown grant type.
    let (status, body) = exchange(&c, &sb, &[("grant_type", "password"), ("client_id", "client-1")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    sb.shutdown().await;
}

#[tokio::test]
async fn instagram_login_checks_a_verifier_when_one_was_bound() {
    let sb = start(33).await;
    let c = client();
    // The common helper runs the plain flow (no PKCE) and the long-lived exchange.
    let token = ig_token(&c, &sb).await;
    assert!(token.starts_with("sbx_instagram_"));

    let challenge = s256_challenge(VERIFIER);
    let r = c
        .get(url(&sb, "/oauth/authorize"))
        .query(&[
            ("client_id", "ig-app"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "instagram_business_basic"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    let loc = url::Url::parse(r.headers()["location"].to_str().expect("l")).expect("u");
    let code = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let r = c
        .post(url(&sb, "/oauth/access_token"))
        .form(&[
            ("client_id", "ig-app"),
            ("client_secret", "shh"),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", code.as_str()),
            ("code_verifier", "wrong-verifier-wrong-verifier-wrong-verifier-wrong"),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), 400);
    assert_eq!(json_of(r).await["error"], "invalid_grant");

    // A bad token cannot be exchanged for a long-lived one.
    let r = c
        .get(url(&sb, "/access_token"))
        .query(&[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", "shh"),
            ("access_token", "nope"),
        ])
        .send()
        .await
        .expect("exchange");
    assert_eq!(r.status(), 400);
    assert_eq!(json_of(r).await["error"]["code"], 190);
    sb.shutdown().await;
}
