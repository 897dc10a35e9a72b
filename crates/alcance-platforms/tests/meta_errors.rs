//! Graph error envelope → PlatformError, through a real HTTP exchange with the fake.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_platforms::meta::{self, parse_graph_error};
use alcance_platforms::{Http, PlatformError, Recorder};
use meta_fake::{graph_error, invalid_metric, token, FakeGraph, Reply, TOKEN};
use serde_json::json;
use std::time::Duration;

/// Serves `reply` on `/1/err` and returns what `meta::get` makes of it.
async fn outcome(
    reply: Reply,
    params: &[(&str, &str)],
) -> (Result<alcance_platforms::http::Answer, PlatformError>, Recorder) {
    let fake = FakeGraph::start(move |r| (r.path == "/1/err").then(|| reply.clone())).await;
    let http = Http::new().expect("http");
    let rec = Recorder::new();
    let base = fake.endpoints().graph_facebook;
    let result = meta::get(&http, &base, "/1/err", params, &token(), &rec).await;
    (result, rec)
}

async fn err_of(reply: Reply) -> PlatformError {
    match outcome(reply, &[]).await.0 {
        Ok(a) => panic!("expected an error, got HTTP {}", a.status),
        Err(e) => {
            assert!(!e.to_string().contains(TOKEN), "token leaked: {e}");
            e
        }
    }
}

#[tokio::test]
async fn token_errors_190_and_102_need_reauth() {
    for code in [190, 102] {
        let e = err_of(graph_error(
            400,
            code,
            Some(463),
            "Error validating access token: Session has expired",
        ))
        .await;
        assert!(matches!(e, PlatformError::Unauthorized { .. }), "{code}: {e:?}");
        assert!(e.needs_reauth());
        assert!(e.to_string().contains("Session has expired"));
    }
}

#[tokio::test]
async fn rate_limit_codes_carry_the_buc_wait() {
    let buc = r#"{"17841400455970028":[{"type":"instagram","call_count":100,"total_cputime":72,"total_time":10,"estimated_time_to_regain_access":20}]}"#;
    for code in [4, 17, 32, 613, 80001, 80002, 80008, 80009] {
        let e = err_of(
            graph_error(400, code, None, "(#4) Application request limit reached")
                .header("x-business-use-case-usage", buc),
        )
        .await;
        match e {
            PlatformError::RateLimited { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_secs(20 * 60)), "code {code}")
            }
            other => panic!("code {code}: {other:?}"),
        }
    }
    // Without the BUC header the wait is unknown.
    let e = err_of(graph_error(400, 17, None, "(#17) User request limit reached")).await;
    assert!(
        matches!(e, PlatformError::RateLimited { retry_after: None, .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), "rate_limited");
}

#[tokio::test]
async fn permission_codes_are_forbidden() {
    for code in [10, 200, 210, 299] {
        let e = err_of(graph_error(
            400,
            code,
            None,
            "(#10) Not enough viewers for the media to show insights",
        ))
        .await;
        assert!(matches!(e, PlatformError::Forbidden { .. }), "{code}: {e:?}");
    }
    let e = err_of(graph_error(403, 300, None, "(#300) something else")).await;
    assert!(matches!(e, PlatformError::Api { status: 403, .. }), "{e:?}");
}

#[tokio::test]
async fn code_100_splits_by_message_and_subcode() {
    let (res, _) = outcome(invalid_metric(), &[("metric", "impressions,reach")]).await;
    match res {
        Err(PlatformError::MetricRemoved { metric, message }) => {
            assert_eq!(metric, "impressions,reach");
            assert!(message.contains("valid insights metric"));
        }
        other => panic!("{other:?}"),
    }
    let e = err_of(graph_error(
        400,
        100,
        None,
        "(#100) metric[0] must be one of the following values: reach, follower_count",
    ))
    .await;
    assert!(matches!(e, PlatformError::MetricRemoved { .. }), "{e:?}");

    let e = err_of(graph_error(
        400,
        100,
        Some(33),
        "Unsupported get request. Object with ID '1' does not exist",
    ))
    .await;
    assert!(matches!(e, PlatformError::NotFound { .. }), "{e:?}");

    let e = err_of(graph_error(400, 100, Some(2108006), "Invalid parameter")).await;
    match &e {
        PlatformError::Api {
            status, code, endpoint, ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(code.as_deref(), Some("meta_100_2108006"));
            assert_eq!(endpoint, "/v25.0/1/err");
        }
        other => panic!("{other:?}"),
    }
    let e = err_of(graph_error(500, 1, None, "An unknown error occurred")).await;
    match e {
        PlatformError::Api { status, code, .. } => {
            assert_eq!(status, 500);
            assert_eq!(code.as_deref(), Some("meta_1"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn html_pages_and_truncated_json_are_decode_errors() {
    let html =
        format!("<html><body><h1>502 Bad Gateway</h1><p>GET /v25.0/1/err?access_token={TOKEN}</p></body></html>");
    let e = err_of(Reply::raw(502, "text/html", &html)).await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("502"), "{e}");

    let e = err_of(Reply::raw(
        400,
        "application/json",
        r#"{"error":{"message":"(#100) The val"#,
    ))
    .await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");

    // A 200 with a truncated body passes `check` (2xx) but fails when read.
    let (res, _) = outcome(Reply::raw(200, "application/json", r#"{"data":[{"name":"reach","#), &[]).await;
    let answer = res.expect("2xx answers pass");
    let decoded: Result<serde_json::Value, _> = answer.json();
    assert!(matches!(decoded, Err(PlatformError::Decode { .. })));
}

#[tokio::test]
async fn bodies_without_the_envelope_map_by_status() {
    let e = err_of(Reply::raw(503, "text/plain", "")).await;
    assert!(
        matches!(
            e,
            PlatformError::Api {
                status: 503,
                code: None,
                ..
            }
        ),
        "{e:?}"
    );
    let e = err_of(Reply::status(429, json!({"message": "slow down"}))).await;
    assert!(matches!(e, PlatformError::RateLimited { .. }), "{e:?}");
    let e = err_of(Reply::status(401, json!({"message": "no"}))).await;
    assert!(e.needs_reauth(), "{e:?}");
    let e = err_of(Reply::status(404, json!({"message": "no such path"}))).await;
    assert!(matches!(e, PlatformError::NotFound { .. }), "{e:?}");
}

#[tokio::test]
async fn an_error_envelope_with_http_200_is_still_an_error() {
    let e = err_of(graph_error(200, 190, None, "Invalid OAuth access token.")).await;
    assert!(e.needs_reauth(), "{e:?}");
}

#[tokio::test]
async fn the_token_is_sent_but_never_archived_or_echoed() {
    let echo = Reply::status(
        400,
        json!({"error": {"message": format!("Malformed access token {TOKEN}"), "type": "OAuthException", "code": 190}}),
    );
    let (res, rec) = outcome(echo, &[("fields", "id")]).await;
    let e = res.expect_err("190");
    assert!(!e.to_string().contains(TOKEN), "{e}");
    assert!(e.to_string().contains("REDACTED"), "{e}");
    let archived = rec.take();
    assert_eq!(archived.len(), 1);
    assert!(archived[0].url.contains("access_token=REDACTED"), "{}", archived[0].url);
    assert!(archived[0].url.contains("fields=id"), "{}", archived[0].url);
    assert!(!archived[0].url.contains(TOKEN));
    assert_eq!(archived[0].status, 400);
}

#[tokio::test]
async fn paths_that_are_not_object_ids_are_refused_without_a_request() {
    let fake = FakeGraph::start(|_| None).await;
    let http = Http::new().expect("http");
    let rec = Recorder::new();
    let base = fake.endpoints().graph_facebook;
    for bad in ["/1?x=2", "/../me", "/1//insights", "me"] {
        let e = meta::get(&http, &base, bad, &[], &token(), &rec).await.expect_err(bad);
        assert!(matches!(e, PlatformError::NotFound { .. }), "{bad}: {e:?}");
    }
    assert!(fake.requests().is_empty());
    assert!(rec.is_empty());
}

#[test]
fn the_envelope_is_read_field_by_field() {
    let body = br#"{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,
        "error_subcode":2108006,"is_transient":false,"error_user_title":"Media posted before business account conversion",
        "error_user_msg":"The media was posted before the most recent time...","fbtrace_id":"AVul-nTRBqOlFGJxWKQv1g-"}}"#;
    let e = parse_graph_error(body).expect("envelope");
    assert_eq!(e.code, Some(100));
    assert_eq!(e.error_subcode, Some(2108006));
    assert_eq!(e.error_type.as_deref(), Some("OAuthException"));
    assert_eq!(e.is_transient, Some(false));
    assert_eq!(e.fbtrace_id.as_deref(), Some("AVul-nTRBqOlFGJxWKQv1g-"));
    assert_eq!(e.machine_code(), "meta_100_2108006");
    assert!(e
        .full_message()
        .contains("Media posted before business account conversion"));
    assert!(parse_graph_error(b"<html>").is_none());
    assert!(parse_graph_error(br#"{"data":[]}"#).is_none());
}
