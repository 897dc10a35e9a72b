//! X error answers (platform-apis.md §1.8), rate-limit headers (§1.7), and secrets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::x_support;

use alcance_platforms::http::Answer;
use alcance_platforms::x::{map_error, rate_limit, RateLimit};
use alcance_platforms::{PlatformError, Recorder};
use chrono::{TimeZone, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;
use std::time::Duration;
use x_support::{token, FakeX, Rule, TOKEN};

const PROBLEM: &str = "application/problem+json";

async fn me_error(rule: Rule) -> PlatformError {
    let fake = FakeX::start(vec![rule]).await;
    let rec = Recorder::new();
    let err = fake.client().me(&token(), &rec).await.expect_err("an error answer");
    assert!(!err.to_string().contains(TOKEN), "token in error: {err}");
    assert!(!format!("{err:?}").contains(TOKEN), "token in error: {err:?}");
    for ex in rec.take() {
        assert!(!ex.url.contains(TOKEN), "token in archived url {}", ex.url);
    }
    err
}

fn problem(status: u16, body: serde_json::Value) -> Rule {
    Rule::raw("/2/users/me", status, PROBLEM, &body.to_string())
}

#[tokio::test]
async fn unauthorized_401() {
    let err = me_error(problem(
        401,
        json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
    ))
    .await;
    assert!(
        matches!(err, PlatformError::Unauthorized { ref message } if message == "Unauthorized"),
        "{err:?}"
    );
    assert!(err.needs_reauth());
}

#[tokio::test]
async fn client_forbidden_403() {
    let err = me_error(problem(403, json!({
        "client_id": "29436123",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.",
        "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
        "title": "Client Forbidden",
        "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden"
    })))
    .await;
    assert!(
        matches!(err, PlatformError::Forbidden { ref message } if message.contains("attached to a Project")),
        "{err:?}"
    );
    assert!(!err.needs_reauth());
}

#[tokio::test]
async fn too_many_requests_429_waits_until_the_reset() {
    let reset = Utc::now().timestamp() + 120;
    let err = me_error(
        problem(
            429,
            json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
        )
        .header("x-rate-limit-limit", "75")
        .header("x-rate-limit-remaining", "0")
        .header("x-rate-limit-reset", &reset.to_string()),
    )
    .await;
    match err {
        PlatformError::RateLimited {
            retry_after: Some(wait),
            ref message,
        } => {
            assert!(
                wait >= Duration::from_secs(110) && wait <= Duration::from_secs(121),
                "{wait:?}"
            );
            assert_eq!(message, "Too Many Requests");
        }
        other => panic!("expected RateLimited with retry_after, got {other:?}"),
    }
}

#[tokio::test]
async fn a_past_reset_still_waits_one_second_and_retry_after_is_a_fallback() {
    let past = (Utc::now().timestamp() - 30).to_string();
    let err = me_error(problem(429, json!({"title": "Too Many Requests"})).header("x-rate-limit-reset", &past)).await;
    assert!(
        matches!(err, PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(1)),
        "{err:?}"
    );

    let err = me_error(problem(429, json!({"title": "Too Many Requests"})).header("retry-after", "17")).await;
    assert!(
        matches!(err, PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(17)),
        "{err:?}"
    );

    let err = me_error(problem(429, json!({"title": "Too Many Requests"}))).await;
    assert!(
        matches!(err, PlatformError::RateLimited { retry_after: None, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn usage_capped_on_either_host() {
    for host in ["api.twitter.com", "api.x.com"] {
        let err = me_error(problem(
            429,
            json!({
                "title": "UsageCapExceeded",
                "detail": "Usage cap exceeded: Monthly product cap",
                "type": format!("https://{host}/2/problems/usage-capped"),
                "period": "Monthly",
                "scope": "Product"
            }),
        ))
        .await;
        assert!(
            matches!(err, PlatformError::UsageCapped { ref message } if message == "Usage cap exceeded: Monthly product cap"),
            "{host}: {err:?}"
        );
    }
}

#[tokio::test]
async fn v1_code_88_is_rate_limited() {
    let err = me_error(
        Rule::json(
            "/2/users/me",
            420,
            json!({"errors": [{"code": 88, "message": "Rate limit exceeded"}]}),
        )
        .header("x-rate-limit-reset", &(Utc::now().timestamp() + 60).to_string()),
    )
    .await;
    assert!(
        matches!(err, PlatformError::RateLimited { retry_after: Some(d), ref message } if d <= Duration::from_secs(61) && message == "Rate limit exceeded"),
        "{err:?}"
    );
}

#[tokio::test]
async fn not_found_404() {
    let err = me_error(problem(
        404,
        json!({"title": "Not Found Error", "detail": "no such user",
        "type": "https://api.x.com/2/problems/resource-not-found"}),
    ))
    .await;
    assert!(
        matches!(err, PlatformError::NotFound { ref message } if message == "no such user"),
        "{err:?}"
    );
}

#[tokio::test]
async fn server_error_500_and_invalid_request_400() {
    let err = me_error(problem(
        500,
        json!({"title": "Internal Server Error", "detail": "Something went wrong.",
        "type": "about:blank", "status": 500}),
    ))
    .await;
    assert!(
        matches!(err, PlatformError::Api { status: 500, code: None, ref endpoint, ref message } if endpoint == "/2/users/me" && message == "Something went wrong."),
        "{err:?}"
    );
    assert_eq!(err.code(), "http_500");

    let err = me_error(problem(400, json!({
        "errors": [{"parameters": {"user.fields": ["nope"]}, "message": "The `user.fields` query parameter value [nope] is not one of [...]"}],
        "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.x.com/2/problems/invalid-request"
    })))
    .await;
    assert!(
        matches!(err, PlatformError::Api { status: 400, code: Some(ref c), ref message, .. } if c == "invalid-request" && message.starts_with("One or more parameters")),
        "{err:?}"
    );
}

#[tokio::test]
async fn html_bodies() {
    let html = "<!DOCTYPE html><html><head><title>Over capacity</title></head><body>X is over capacity.</body></html>";
    let err = me_error(Rule::raw("/2/users/me", 502, "text/html", html)).await;
    assert!(
        matches!(err, PlatformError::Api { status: 502, ref message, .. } if message.contains("Over capacity")),
        "{err:?}"
    );
    let err = me_error(Rule::raw("/2/users/me", 200, "text/html", html)).await;
    assert!(
        matches!(err, PlatformError::Decode { ref endpoint, ref message } if endpoint == "/2/users/me" && message.contains("<!DOCTYPE")),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_json() {
    let err = me_error(Rule::raw(
        "/2/users/me",
        200,
        "application/json",
        r#"{"data":{"id":"2244994945","username":"TwitterDev","public_metrics":{"followers_"#,
    ))
    .await;
    assert!(
        matches!(err, PlatformError::Decode { ref endpoint, .. } if endpoint == "/2/users/me"),
        "{err:?}"
    );
    assert!(err.to_string().contains("/2/users/me"), "{err}");

    let err = me_error(Rule::raw(
        "/2/users/me",
        500,
        "application/json",
        r#"{"title":"Internal"#,
    ))
    .await;
    assert!(matches!(err, PlatformError::Api { status: 500, .. }), "{err:?}");
}

fn answer_with(headers: &[(&'static str, &str)]) -> Answer {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(*k, HeaderValue::from_str(v).expect("header value"));
    }
    Answer {
        status: 200,
        headers: map,
        body: b"{}".to_vec(),
        endpoint: "/2/users/me".into(),
    }
}

#[test]
fn rate_limit_headers_are_parsed() {
    let a = answer_with(&[
        ("x-rate-limit-limit", "1500"),
        ("x-rate-limit-remaining", "1498"),
        ("x-rate-limit-reset", "1665183228"),
    ]);
    assert_eq!(
        rate_limit(&a),
        Some(RateLimit {
            limit: 1500,
            remaining: 1498,
            reset: Utc.with_ymd_and_hms(2022, 10, 7, 22, 53, 48).unwrap(),
        })
    );
    // a proxy's headers are not X's; a partial or garbled set gives None
    assert_eq!(
        rate_limit(&answer_with(&[
            ("x-ratelimit-limit", "10"),
            ("x-ratelimit-remaining", "9")
        ])),
        None
    );
    assert_eq!(
        rate_limit(&answer_with(&[
            ("x-rate-limit-limit", "75"),
            ("x-rate-limit-remaining", "74")
        ])),
        None
    );
    assert_eq!(
        rate_limit(&answer_with(&[
            ("x-rate-limit-limit", "75"),
            ("x-rate-limit-remaining", "many"),
            ("x-rate-limit-reset", "1641543656")
        ])),
        None
    );
}

#[test]
fn map_error_reads_answers_directly() {
    let mut a = answer_with(&[]);
    a.status = 503;
    a.body = Vec::new();
    let err = map_error(&a);
    assert!(
        matches!(err, PlatformError::Api { status: 503, ref message, .. } if message.contains("empty body")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_token_never_reaches_urls_or_errors_of_a_whole_collection() {
    use alcance_core::{AccountRef, Platform};
    use alcance_platforms::{CollectCtx, CollectWindow, PlatformClient};
    let fake = FakeX::start(vec![
        Rule::json(
            "/2/users/me",
            200,
            json!({"data": {"id": "1", "username": "me", "public_metrics": {"followers_count": 1}}}),
        ),
        Rule::raw(
            "/2/users/1/tweets",
            500,
            PROBLEM,
            &json!({"title": "Internal Server Error", "detail": "Something went wrong.", "type": "about:blank"})
                .to_string(),
        ),
    ])
    .await;
    let ctx = CollectCtx {
        account: AccountRef {
            platform: Platform::X,
            external_id: "1".into(),
            username: None,
            owned: true,
        },
        token: token(),
        window: CollectWindow {
            since: Utc::now() - chrono::Duration::days(7),
            until: Utc::now(),
        },
        recorder: Recorder::new(),
    };
    let batch = fake
        .client()
        .collect(&ctx)
        .await
        .expect("profile read, timeline failed softly");
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].code, "http_500");
    for w in &batch.warnings {
        assert!(!w.message.contains(TOKEN), "{}", w.message);
    }
    let exchanges = ctx.recorder.take();
    assert_eq!(exchanges.len(), 2);
    for ex in exchanges {
        assert!(!ex.url.contains(TOKEN), "{}", ex.url);
        assert!(!String::from_utf8_lossy(&ex.body).contains(TOKEN));
    }
    for s in fake.seen() {
        assert_eq!(s.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        assert!(s.query.iter().all(|(_, v)| !v.contains(TOKEN)));
    }
}
