//! Recorded TikTok exchanges (`../shared/fixtures/tiktok/*.json`, see its README): every
//! file is served by the fake at its recorded path and read through the client, and the
//! values are checked field by field against the recording. Skips with a message when the
//! folder is absent (override with `ALCANCE_FIXTURES_DIR`). Nothing is copied from it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tiktok_support;

use alcance_platforms::tiktok::{parse_business_token, parse_business_token_info, BusinessToken};
use axum::http::Method;
use chrono::{TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tiktok_support::common::{fixtures_dir, json_files, read_json};
use tiktok_support::{FakeTikTok, Rule};

struct Recording {
    file: String,
    method: Method,
    path: String,
    status: u16,
    body: Value,
}

fn load_all() -> Option<Vec<Recording>> {
    let Some(dir) = fixtures_dir("tiktok") else {
        eprintln!("skipping: no TikTok fixtures folder (../shared/fixtures/tiktok or $ALCANCE_FIXTURES_DIR/tiktok)");
        return None;
    };
    let out: Vec<Recording> = json_files(&dir)
        .iter()
        .map(|path| {
            let v = read_json(path);
            let method = match v["request"]["method"].as_str() {
                Some("POST") => Method::POST,
                _ => Method::GET,
            };
            Recording {
                file: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                method,
                path: v["request"]["path"].as_str().unwrap_or("/").to_string(),
                status: v["response"]["status"].as_u64().unwrap_or(200) as u16,
                body: v["response"]["body"].clone(),
            }
        })
        .collect();
    assert!(!out.is_empty(), "{} holds no .json files", dir.display());
    Some(out)
}

fn s(v: &Value) -> Option<&str> {
    v.as_str()
}

fn check_token(file: &str, token: &BusinessToken, body: &Value) {
    let data = &body["data"];
    assert_eq!(
        Some(token.access_token.expose_secret()),
        s(&data["access_token"]),
        "{file}: access_token"
    );
    assert_eq!(
        token.refresh_token.as_ref().map(|t| t.expose_secret()),
        s(&data["refresh_token"]),
        "{file}: refresh_token"
    );
    assert_eq!(token.expires_in, data["expires_in"].as_u64(), "{file}: expires_in");
    assert_eq!(
        token.refresh_token_expires_in,
        data["refresh_token_expires_in"].as_u64(),
        "{file}: refresh_token_expires_in"
    );
    assert_eq!(token.open_id.as_deref(), s(&data["open_id"]), "{file}: open_id");
    assert_eq!(
        token.token_type.as_deref(),
        s(&data["token_type"]),
        "{file}: token_type"
    );
    assert_eq!(
        token.request_id.as_deref(),
        s(&body["request_id"]),
        "{file}: request_id"
    );
    let scope: Vec<&str> = s(&data["scope"]).unwrap_or_default().split(',').collect();
    assert_eq!(token.scope, scope, "{file}: scope");
    assert!(!token.scope.is_empty(), "{file}: scope is empty");
    let received = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).single().expect("time");
    let set = token.to_token_set(received);
    let lives = data["expires_in"].as_i64().expect("expires_in is a number");
    assert_eq!(
        set.expires_at,
        Some(received + chrono::Duration::seconds(lives)),
        "{file}"
    );
    assert_eq!(set.user_id.as_deref(), s(&data["open_id"]), "{file}");
    assert!(
        !format!("{token:?}").contains(token.access_token.expose_secret()),
        "{file}: Debug leaks"
    );
}

#[tokio::test]
async fn recorded_business_token_answers_parse_field_by_field() {
    let Some(recordings) = load_all() else { return };
    let fake = FakeTikTok::start(
        recordings
            .iter()
            .map(|r| Rule::json(r.method.clone(), &r.path, r.status, r.body.clone()))
            .collect(),
    )
    .await;
    let client = fake.business();
    let secret = SecretString::from("fixture-secret".to_string());
    let mut checked = 0;
    for r in &recordings {
        let body = r.body.to_string().into_bytes();
        let kind = r.path.trim_end_matches('/').rsplit('/').take(2).collect::<Vec<_>>();
        match kind.as_slice() {
            ["token", "oauth2"] => {
                let parsed = parse_business_token(&body).unwrap_or_else(|e| panic!("{}: {e}", r.file));
                check_token(&r.file, &parsed, &r.body);
                let served = client
                    .exchange_code(
                        "{app-id}",
                        &secret,
                        &SecretString::from("fixture-code".to_string()),
                        "http://127.0.0.1:8720/callback/",
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e}", r.file));
                check_token(&r.file, &served, &r.body);
                checked += 1;
            }
            ["refresh_token", "oauth2"] => {
                let parsed = parse_business_token(&body).unwrap_or_else(|e| panic!("{}: {e}", r.file));
                check_token(&r.file, &parsed, &r.body);
                let served = client
                    .refresh("{app-id}", &secret, &SecretString::from("rft.old".to_string()))
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e}", r.file));
                check_token(&r.file, &served, &r.body);
                checked += 1;
            }
            ["get", "token_info"] => {
                let data = &r.body["data"];
                let parsed = parse_business_token_info(&body).unwrap_or_else(|e| panic!("{}: {e}", r.file));
                let served = client
                    .token_info("{app-id}", &SecretString::from("act.fixture".to_string()))
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e}", r.file));
                for info in [&parsed, &served] {
                    assert_eq!(info.app_id.as_deref(), s(&data["app_id"]), "{}: app_id", r.file);
                    assert_eq!(
                        info.creator_id.as_deref(),
                        s(&data["creator_id"]),
                        "{}: creator_id",
                        r.file
                    );
                    let scope: Vec<&str> = s(&data["scope"]).unwrap_or_default().split(',').collect();
                    assert_eq!(info.scope, scope, "{}: scope", r.file);
                    assert_eq!(info.request_id.as_deref(), s(&r.body["request_id"]), "{}", r.file);
                }
                checked += 1;
            }
            _ => {
                // Display or Business data recordings: read through the decoders and make
                // sure they are understood (no panic, a clear answer either way).
                let answer = alcance_platforms::http::Answer {
                    status: r.status,
                    headers: Default::default(),
                    body: body.clone(),
                    endpoint: r.path.clone(),
                };
                let understood = if r.path.contains("/v2/user/info") {
                    alcance_platforms::tiktok::decode_user(&answer).map(|_| ())
                } else if r.path.contains("/v2/video/") {
                    alcance_platforms::tiktok::decode_video_page(&answer).map(|_| ())
                } else if r.path.contains("business/video/list") {
                    alcance_platforms::tiktok::decode_business_video_page(&answer).map(|_| ())
                } else if r.path.contains("business/get") {
                    alcance_platforms::tiktok::decode_business_account(&answer, "recorded").map(|_| ())
                } else {
                    eprintln!("{}: no reader for {} {}", r.file, r.method, r.path);
                    continue;
                };
                if r.status < 300 {
                    understood.unwrap_or_else(|e| panic!("{}: {e}", r.file));
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, recordings.len(), "every recording was read");
}

#[tokio::test]
async fn the_recorded_refresh_answer_carries_its_own_lifetimes() {
    let Some(recordings) = load_all() else { return };
    let Some(refresh) = recordings
        .iter()
        .find(|r| r.path.ends_with("/tt_user/oauth2/refresh_token/"))
    else {
        eprintln!("skipping: no recorded refresh_token answer");
        return;
    };
    let Some(token) = recordings.iter().find(|r| r.path.ends_with("/tt_user/oauth2/token/")) else {
        eprintln!("skipping: no recorded token answer");
        return;
    };
    let a = parse_business_token(refresh.body.to_string().as_bytes()).expect("refresh");
    let b = parse_business_token(token.body.to_string().as_bytes()).expect("token");
    // The recordings differ in the refresh lifetime: the parser must not normalise it.
    assert_eq!(
        a.refresh_token_expires_in,
        refresh.body["data"]["refresh_token_expires_in"].as_u64()
    );
    assert_eq!(
        b.refresh_token_expires_in,
        token.body["data"]["refresh_token_expires_in"].as_u64()
    );
    assert_ne!(a.refresh_token_expires_in, b.refresh_token_expires_in);
    assert_ne!(a.request_id, b.request_id);
}
