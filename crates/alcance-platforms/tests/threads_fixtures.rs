//! Every recorded Threads exchange (`../shared/fixtures/threads/*.json`, see its FILES.md)
//! read field by field: API answers through the client's own decoders and the Graph error
//! mapping, token answers through the real token calls against a fake token endpoint on
//! 127.0.0.1 serving the recorded bodies. Skips, saying so, when the folder is absent
//! (fails on CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use alcance_core::{ContentType, Platform};
use alcance_platforms::http::Answer;
use alcance_platforms::oauth::{self, OAuthApp, Provider, RedirectConfig};
use alcance_platforms::threads::{
    decode_media_insights, decode_media_node, decode_profile, decode_threads_page, map_error, MEDIA_METRICS,
};
use alcance_platforms::{Endpoints, PlatformError};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use common::post_metric;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// A recorded exchange's answer, as the client would have received it.
fn answer_of(doc: &Value) -> Answer {
    let res = &doc["response"];
    let mut headers = HeaderMap::new();
    for (k, v) in res["headers"].as_object().into_iter().flatten() {
        if let (Ok(k), Some(Ok(v))) = (HeaderName::try_from(k.as_str()), v.as_str().map(HeaderValue::try_from)) {
            headers.append(k, v);
        }
    }
    Answer {
        status: u16::try_from(res["status"].as_u64().unwrap_or(0)).unwrap_or(0),
        headers,
        body: serde_json::to_vec(&res["body"]).expect("re-encode body"),
        endpoint: doc["request"]["path"].as_str().unwrap_or_default().to_string(),
    }
}

/// The fixture `name`, or `None` (skipped) when the recordings are absent.
fn fixture(name: &str) -> Option<(Value, Answer)> {
    let dir = common::fixtures_dir("threads")?;
    let path = dir.join(name);
    assert!(path.exists(), "{} is listed in FILES.md but absent", path.display());
    let doc = common::read_json(&path);
    let answer = answer_of(&doc);
    Some((doc, answer))
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("date").with_timezone(&Utc)
}

#[test]
fn every_recorded_exchange_has_its_check() {
    let Some(dir) = common::fixtures_dir("threads") else {
        return;
    };
    let names: Vec<String> = common::json_files(&dir)
        .iter()
        .map(|f| {
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            "python-facebook__long-lived-access-token.json",
            "python-facebook__oauth-access-token.json",
            "restfb__error-100-subcode-33.json",
            "restfb__media-container-status-error.json",
            "restfb__media-node.json",
            "threads-post-analysis__me-threads.json",
            "threads-post-analysis__me.json",
            "threads-post-analysis__media-insights.json",
        ],
        "the 8 recordings of FILES.md, each read by a test below"
    );
}

#[test]
fn me_field_by_field() {
    let Some((doc, answer)) = fixture("threads-post-analysis__me.json") else {
        return;
    };
    let body = &doc["response"]["body"];
    let p = decode_profile(&answer).expect("profile");
    assert_eq!(p.external_id, "25293224843697491");
    assert_eq!(p.username.as_deref(), Some("rugby_no_jikan"));
    assert_eq!(p.display_name.as_deref(), body["name"].as_str());
    assert_eq!(p.avatar_url.as_deref(), Some("https://..."));
    // threads_biography is read by nobody: Alcance stores no bio.
    assert!(body["threads_biography"].is_string());
}

#[test]
fn me_threads_field_by_field() {
    let Some((_, answer)) = fixture("threads-post-analysis__me-threads.json") else {
        return;
    };
    let (items, after) = decode_threads_page(&answer).expect("page");
    assert_eq!(items.len(), 1);
    let m = &items[0];
    assert_eq!(m.post.external_id, "18097354066831962");
    assert_eq!(m.post.published_at, Some(utc("2025-11-16T09:00:20Z")));
    assert_eq!(m.post.content_type, ContentType::Text);
    assert_eq!(m.media_type.as_deref(), Some("TEXT_POST"));
    assert_eq!(
        m.post.permalink.as_deref(),
        Some("https://www.threads.com/@rugby_no_jikan/post/DRHI1xwkg9u")
    );
    assert_eq!(m.post.caption.as_deref(), Some("投稿内容..."));
    assert!(!m.repost && !m.quote);
    assert!(m.pictures.is_empty(), "a text post has no picture");
    // The author cut the cursors to "..."; `paging.next` says there is a next page.
    assert_eq!(after.as_deref(), Some("..."));
}

#[test]
fn media_insights_field_by_field() {
    let Some((_, answer)) = fixture("threads-post-analysis__media-insights.json") else {
        return;
    };
    let r = decode_media_insights(&answer, "18097354066831962", &MEDIA_METRICS).expect("insights");
    let m = &r.post_metrics;
    let id = "18097354066831962";
    assert_eq!(post_metric(m, id, "views"), Some(Some(1450.0)));
    assert_eq!(post_metric(m, id, "likes"), Some(Some(106.0)));
    assert_eq!(post_metric(m, id, "replies"), Some(Some(1.0)));
    assert_eq!(post_metric(m, id, "reposts"), Some(Some(0.0)));
    assert_eq!(post_metric(m, id, "quotes"), Some(Some(0.0)));
    // Asked and not in the recording (the author asked without it): no data, not 0.
    assert_eq!(post_metric(m, id, "shares"), Some(None));
    assert_eq!(m.len(), 6);
    assert!(r.gaps.is_empty(), "{:?}", r.gaps);
}

#[test]
fn media_node_field_by_field() {
    let Some((_, answer)) = fixture("restfb__media-node.json") else {
        return;
    };
    let m = decode_media_node(&answer).expect("node");
    assert_eq!(m.post.external_id, "1234567");
    assert_eq!(m.post.content_type, ContentType::Text);
    assert_eq!(m.post.published_at, Some(utc("2023-10-17T05:42:03Z")));
    assert_eq!(
        m.post.permalink.as_deref(),
        Some("https://www.threads.net/@threadsapitestuser/post/abcdefg")
    );
    assert_eq!(m.post.caption.as_deref(), Some("Today Is Monday"));
    assert!(m.pictures.is_empty(), "a text post has no picture");
}

/// No recording has a Threads picture: a `/me/threads` page written from the Threads
/// media reference (`media_url` on pictures, `thumbnail_url` "only for Threads media with
/// video"), with the odd cases a lenient reader must survive.
#[test]
fn each_post_gives_its_picture_url_and_odd_ones_none() {
    use alcance_core::MediaKind::{Image, Thumbnail};
    let body = serde_json::json!({"data": [
        {"id": "t1", "media_type": "IMAGE", "timestamp": "2026-11-20T10:00:00+0000",
         "media_url": "https://scontent-gru2-1.cdninstagram.com/v/t51.2885-15/t1.jpg?stp=dst-jpg&oe=6740A1B2"},
        {"id": "t2", "media_type": "VIDEO", "timestamp": "2026-11-20T10:00:00+0000",
         "media_url": "https://scontent-gru2-1.cdninstagram.com/o1/v/t16/t2.mp4",
         "thumbnail_url": "https://scontent-gru2-1.cdninstagram.com/v/t51.2885-15/t2-thumb.jpg"},
        {"id": "t3", "media_type": "CAROUSEL_ALBUM", "timestamp": "2026-11-20T10:00:00+0000",
         "media_url": "https://scontent-gru2-1.cdninstagram.com/v/t51.2885-15/t3-cover.jpg"},
        {"id": "t4", "media_type": "TEXT_POST", "timestamp": "2026-11-20T10:00:00+0000",
         "media_url": "https://scontent-gru2-1.cdninstagram.com/v/t4.jpg"},
        {"id": "t5", "media_type": "VIDEO", "timestamp": "2026-11-20T10:00:00+0000",
         "media_url": "https://scontent-gru2-1.cdninstagram.com/o1/v/t16/t5.mp4"},
        {"id": "t6", "media_type": "IMAGE", "timestamp": "2026-11-20T10:00:00+0000",
         "media_url": "javascript:alert(1)"},
        {"id": "t7", "media_type": "AUDIO", "timestamp": "2026-11-20T10:00:00+0000",
         "media_url": "https://scontent-gru2-1.cdninstagram.com/v/t7.m4a"},
        {"id": "t8", "media_type": "IMAGE", "timestamp": "2026-11-20T10:00:00+0000", "media_url": ["?"]},
        {"id": "t9", "media_type": "REPOST_FACADE", "timestamp": "2026-11-20T10:00:00+0000"}
    ]});
    let answer = Answer {
        status: 200,
        headers: HeaderMap::new(),
        body: serde_json::to_vec(&body).expect("body"),
        endpoint: "/me/threads".to_string(),
    };
    let (items, after) = decode_threads_page(&answer).expect("a lenient page");
    assert_eq!(items.len(), 9, "every post is read, with or without a picture");
    assert_eq!(after, None);
    let pictures: Vec<(&str, alcance_core::MediaKind, &str)> = items
        .iter()
        .flat_map(|i| &i.pictures)
        .map(|m| (m.post_external_id.as_str(), m.kind, m.url.as_str()))
        .collect();
    assert_eq!(
        pictures,
        vec![
            (
                "t1",
                Image,
                "https://scontent-gru2-1.cdninstagram.com/v/t51.2885-15/t1.jpg?stp=dst-jpg&oe=6740A1B2"
            ),
            (
                "t2",
                Thumbnail,
                "https://scontent-gru2-1.cdninstagram.com/v/t51.2885-15/t2-thumb.jpg"
            ),
            (
                "t3",
                Image,
                "https://scontent-gru2-1.cdninstagram.com/v/t51.2885-15/t3-cover.jpg"
            ),
        ]
    );
}

#[test]
fn a_publishing_container_is_not_read_as_a_post() {
    let Some((doc, answer)) = fixture("restfb__media-container-status-error.json") else {
        return;
    };
    assert_eq!(doc["response"]["body"]["status"], "ERROR");
    assert_eq!(doc["response"]["body"]["error_message"], "FAILED_DOWNLOADING_VIDEO");
    match decode_media_node(&answer) {
        Err(PlatformError::Decode { endpoint, message }) => {
            assert_eq!(endpoint, "/17889615691921648");
            assert!(message.contains("not a Threads post"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_missing_object_is_not_found_naming_it() {
    let Some((_, answer)) = fixture("restfb__error-100-subcode-33.json") else {
        return;
    };
    match map_error(&answer) {
        PlatformError::NotFound { message } => {
            assert!(message.contains("Object with ID '1234567' does not exist"), "{message}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    // Every decoder refuses it the same way.
    assert!(matches!(decode_profile(&answer), Err(PlatformError::NotFound { .. })));
    assert!(matches!(
        decode_threads_page(&answer),
        Err(PlatformError::NotFound { .. })
    ));
}

/// Serves the two recorded token answers where Threads' token calls go, and keeps what
/// each call sent.
async fn token_fake(code_body: Value, long_body: Value) -> (Endpoints, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
    let long_again = long_body.clone();
    let app = Router::new()
        .route(
            "/threads/oauth/access_token",
            post(move |body: String| {
                s1.lock().unwrap().push(format!("POST code {body}"));
                let b = code_body.clone();
                async move { axum::Json(b) }
            }),
        )
        .route(
            "/access_token",
            get(move |uri: axum::http::Uri| {
                s2.lock()
                    .unwrap()
                    .push(format!("GET exchange {}", uri.query().unwrap_or_default()));
                let b = long_body.clone();
                async move { axum::Json(b) }
            }),
        )
        .route(
            "/refresh_access_token",
            get(move |uri: axum::http::Uri| {
                s3.lock()
                    .unwrap()
                    .push(format!("GET refresh {}", uri.query().unwrap_or_default()));
                let b = long_again.clone();
                async move { axum::Json(b) }
            }),
        );
    let base = common::serve_local(app).await;
    (Endpoints::sandbox(&base), seen)
}

#[tokio::test]
async fn token_answers_field_by_field_through_the_real_calls() {
    let (Some((code_doc, _)), Some((long_doc, _))) = (
        fixture("python-facebook__oauth-access-token.json"),
        fixture("python-facebook__long-lived-access-token.json"),
    ) else {
        return;
    };
    let code_body = code_doc["response"]["body"].clone();
    let long_body = long_doc["response"]["body"].clone();
    let (endpoints, seen) = token_fake(code_body, long_body.clone()).await;
    let app = OAuthApp {
        platform: Platform::Threads,
        client_id: "threads-app-id".into(),
        client_secret: Some(SecretString::from("threads-app-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::default(),
    };
    let before = Utc::now();
    let set = oauth::exchange_threads_code(
        &endpoints,
        &app,
        &SecretString::from("the-code".to_string()),
        "https://alcance.example/threads/",
    )
    .await
    .expect("code → long-lived");
    assert_eq!(set.access_token.expose_secret(), "THQVJ...");
    assert_eq!(set.refresh_token.as_ref().map(|t| t.expose_secret()), Some("THQVJ..."));
    assert_eq!(
        set.user_id.as_deref(),
        Some("12345678"),
        "the code answer's numeric user_id"
    );
    let expires = set.expires_at.expect("expires_in read");
    let lifetime = expires - before;
    assert!(
        (lifetime - Duration::seconds(5_183_944)).num_seconds().abs() < 60,
        "expires_in 5183944 s: {lifetime}"
    );
    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].starts_with("POST code ") && calls[0].contains("grant_type=authorization_code"));
    assert!(calls[0].contains("redirect_uri=https%3A%2F%2Falcance.example%2Fthreads%2F"));
    assert!(calls[0].contains("client_secret=threads-app-secret") && calls[0].contains("code=the-code"));
    assert!(calls[1].contains("grant_type=th_exchange_token") && calls[1].contains("access_token=THQVJ..."));

    // The refresh the token upkeep runs, with the recorded body pyfacebook also serves there.
    let renewed = oauth::refresh(&app, &Provider::threads(&endpoints), &set.access_token)
        .await
        .expect("refresh");
    assert_eq!(
        renewed.access_token.expose_secret(),
        long_body["access_token"].as_str().unwrap()
    );
    assert!(renewed.expires_at.is_some());
    let calls = seen.lock().unwrap().clone();
    assert!(calls[2].contains("grant_type=th_refresh_token"), "{calls:?}");

    // An HTTP redirect URI is refused before any call: Threads accepts only HTTPS.
    let err = oauth::exchange_threads_code(
        &endpoints,
        &app,
        &SecretString::from("c".to_string()),
        "http://127.0.0.1:8719/callback",
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("HTTPS"), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 3);
}
