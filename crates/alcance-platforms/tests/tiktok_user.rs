//! TikTok Display API `GET /v2/user/info/`: values, and how every kind of failure is
//! mapped (error.code with HTTP 200, 401, 429, 500, HTML, truncated JSON, OAuth shape).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tiktok_support;

use alcance_core::{Period, Profile};
use alcance_platforms::tiktok::{map_display_error, DEFAULT_RETRY_AFTER, USER_FIELDS};
use alcance_platforms::{PlatformClient, PlatformError, Recorder};
use axum::http::Method;
use serde_json::json;
use std::time::Duration;
use tiktok_support::{display_error, ok, token, FakeTikTok, Rule, TOKEN};

const PATH: &str = "/v2/user/info/";

fn user() -> serde_json::Value {
    ok(json!({"user": {
        "open_id": "tt_alcance_br",
        "union_id": "u-8812",
        "avatar_url": "https://p16-sign.tiktokcdn.com/avatar.jpeg",
        "display_name": "Alcance Brasil",
        "username": "alcance.br",
        "bio_description": "Métricas locais",
        "profile_deep_link": "https://vm.tiktok.com/ZMabc/",
        "is_verified": false,
        "follower_count": 15230,
        "following_count": 87,
        "likes_count": 402311,
        "video_count": 143
    }}))
}

fn value_of(metrics: &[alcance_core::AccountMetric], key: &str) -> Option<f64> {
    let found: Vec<_> = metrics.iter().filter(|m| m.metric == key).collect();
    assert_eq!(found.len(), 1, "{key} emitted {} times", found.len());
    found[0].value
}

#[tokio::test]
async fn user_info_reads_profile_and_snapshots() {
    let fake = FakeTikTok::start(vec![Rule::get(PATH, user()).with_query("fields", USER_FIELDS)]).await;
    let rec = Recorder::new();
    let (profile, metrics) = fake.client().user_info(&token(), &rec).await.expect("user info");
    assert_eq!(
        profile,
        Profile {
            external_id: "tt_alcance_br".into(),
            username: Some("alcance.br".into()),
            display_name: Some("Alcance Brasil".into()),
            avatar_url: Some("https://p16-sign.tiktokcdn.com/avatar.jpeg".into()),
        }
    );
    assert_eq!(metrics.len(), 4);
    assert_eq!(value_of(&metrics, "followers"), Some(15230.0));
    assert_eq!(value_of(&metrics, "following"), Some(87.0));
    assert_eq!(value_of(&metrics, "total_likes_received"), Some(402311.0));
    assert_eq!(value_of(&metrics, "media_count"), Some(143.0));
    assert!(metrics
        .iter()
        .all(|m| m.period == Period::Snapshot && m.period_start == m.period_end));

    let seen = fake.seen_on(PATH);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let archived = rec.take();
    assert_eq!(archived.len(), 1);
    assert!(!archived[0].url.contains(TOKEN), "{}", archived[0].url);
    assert_eq!(archived[0].status, 200);
}

#[tokio::test]
async fn missing_counts_are_none_and_whoami_is_the_profile() {
    let body = ok(json!({"user": {"open_id": "tt_x", "display_name": "X", "follower_count": "12"}}));
    let fake = FakeTikTok::start(vec![Rule::get(PATH, body)]).await;
    let (profile, metrics) = fake
        .client()
        .user_info(&token(), &Recorder::new())
        .await
        .expect("user info");
    assert_eq!(profile.username, None);
    assert_eq!(value_of(&metrics, "followers"), Some(12.0));
    assert_eq!(value_of(&metrics, "following"), None);
    assert_eq!(value_of(&metrics, "total_likes_received"), None);
    let who = fake.client().whoami(&token(), &Recorder::new()).await.expect("whoami");
    assert_eq!(who.external_id, "tt_x");
}

async fn user_error(rule: Rule) -> PlatformError {
    let fake = FakeTikTok::start(vec![rule]).await;
    let e = fake
        .client()
        .user_info(&token(), &Recorder::new())
        .await
        .expect_err("must fail");
    assert!(!format!("{e:?}").contains(TOKEN), "token leaked: {e:?}");
    e
}

#[tokio::test]
async fn error_code_with_http_200_is_an_error() {
    let e = user_error(Rule::get(
        PATH,
        display_error(
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
        ),
    ))
    .await;
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
    assert!(e.needs_reauth());
    assert!(e.to_string().contains("log_id 20261121093000FFFFFF"), "{e}");

    let e = user_error(Rule::get(
        PATH,
        display_error("scope_not_authorized", "user.info.stats"),
    ))
    .await;
    assert!(matches!(e, PlatformError::Forbidden { .. }), "{e:?}");

    let e = user_error(Rule::get(PATH, display_error("invalid_params", "fields is invalid"))).await;
    assert!(
        matches!(&e, PlatformError::Api { status: 400, code: Some(c), .. } if c == "invalid_params"),
        "{e:?}"
    );
}

#[tokio::test]
async fn http_statuses_map_to_the_variant_a_caller_acts_on() {
    let e = user_error(Rule::get(PATH, display_error("access_token_invalid", "expired")).status(401)).await;
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");

    let e = user_error(
        Rule::get(
            PATH,
            display_error("rate_limit_exceeded", "The API rate limit was exceeded."),
        )
        .status(429),
    )
    .await;
    match e {
        PlatformError::RateLimited { retry_after, .. } => assert_eq!(retry_after, Some(DEFAULT_RETRY_AFTER)),
        other => panic!("{other:?}"),
    }
    assert_eq!(DEFAULT_RETRY_AFTER, Duration::from_secs(60));

    let e = user_error(
        Rule::get(PATH, display_error("rate_limit_exceeded", "slow down"))
            .status(429)
            .header("retry-after", "17"),
    )
    .await;
    assert!(
        matches!(e, PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(17)),
        "{e:?}"
    );

    let e = user_error(Rule::get(PATH, display_error("internal_error", "try later")).status(500)).await;
    assert!(
        matches!(&e, PlatformError::Api { status: 500, code: Some(c), .. } if c == "internal_error"),
        "{e:?}"
    );
    assert_eq!(e.code(), "http_500");

    // An unknown code on a 401 still means the token is bad.
    let e = user_error(Rule::get(PATH, display_error("token_revoked_new_code", "revoked")).status(401)).await;
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
}

#[tokio::test]
async fn unreadable_answers_are_decode_errors_on_success_and_status_errors_otherwise() {
    let e = user_error(Rule::raw(
        Method::GET,
        PATH,
        200,
        "text/html",
        "<html><body>Service Unavailable</body></html>",
    ))
    .await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains(PATH), "{e}");

    let truncated = &user().to_string()[..60];
    let e = user_error(Rule::raw(Method::GET, PATH, 200, "application/json", truncated)).await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");

    let e = user_error(Rule::get(PATH, json!({"error": {"code": "ok", "message": ""}}))).await;
    assert!(matches!(e, PlatformError::Decode { .. }), "no data: {e:?}");

    let e = user_error(Rule::get(PATH, ok(json!({"user": {"display_name": "no id"}})))).await;
    assert!(matches!(e, PlatformError::Decode { .. }), "no open_id: {e:?}");

    let e = user_error(Rule::raw(
        Method::GET,
        PATH,
        502,
        "text/html",
        "<html>Bad Gateway</html>",
    ))
    .await;
    assert!(matches!(e, PlatformError::Api { status: 502, .. }), "{e:?}");

    let e = user_error(Rule::raw(Method::GET, PATH, 200, "application/json", "")).await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
}

#[tokio::test]
async fn oauth_shaped_errors() {
    let body =
        json!({"error": "invalid_grant", "error_description": "Refresh token is invalid or expired.", "log_id": "L1"});
    let e = user_error(Rule::get(PATH, body.clone()).status(401)).await;
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
    let e = user_error(Rule::get(PATH, body).status(400)).await;
    assert!(
        matches!(&e, PlatformError::OAuth { message } if message.contains("invalid_grant")),
        "{e:?}"
    );
}

#[tokio::test]
async fn map_display_error_is_none_for_success() {
    let answer = alcance_platforms::http::Answer {
        status: 200,
        headers: Default::default(),
        body: user().to_string().into_bytes(),
        endpoint: PATH.into(),
    };
    assert!(map_display_error(&answer).is_none());
    let bad = alcance_platforms::http::Answer {
        body: display_error("access_token_invalid", "x").to_string().into_bytes(),
        ..answer
    };
    assert!(matches!(
        map_display_error(&bad),
        Some(PlatformError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn the_catch_all_fails_loudly() {
    let fake = FakeTikTok::start(Vec::new()).await;
    let e = fake
        .client()
        .user_info(&token(), &Recorder::new())
        .await
        .expect_err("no rule");
    assert!(matches!(e, PlatformError::Api { status: 500, .. }), "{e:?}");
}
