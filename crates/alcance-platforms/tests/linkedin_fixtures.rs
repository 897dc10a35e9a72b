//! Recorded LinkedIn exchanges (`../shared/fixtures/linkedin/*.json`, see its FILES.md)
//! decoded through the client's own DTOs and mapping, and checked field by field against
//! the recording. Several are not raw recordings (Airbyte connector output, a pasted token
//! answer): their bodies are still LinkedIn's. Files Alcance does not read are listed with
//! the reason, so a new recording fails the test until it is read or listed. Skips, saying
//! so, when the folder is absent (`ALCANCE_FIXTURES_DIR` moves it; under `CI` a missing
//! folder fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::linkedin_support;

use alcance_core::{Period, Platform};
use alcance_platforms::http::Answer;
use alcance_platforms::linkedin::{decode_network_size, decode_organization, decode_paging, map_error, provider};
use alcance_platforms::oauth::{refresh, OAuthApp, RedirectConfig};
use alcance_platforms::PlatformError;
use chrono::{TimeZone, Utc};
use linkedin_support::common::{fixtures_dir, json_files, read_json};
use linkedin_support::{FakeLinkedIn, Rule};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// Recordings of endpoints Alcance does not call, and why.
const NOT_READ: &[(&str, &str)] = &[(
    "nango__create-comment.json",
    "Alcance only reads: it never comments; comment counts come from socialMetadata commentSummary",
)];

struct Recording {
    file: String,
    doc: Value,
    answer: Answer,
}

fn load_all() -> Option<Vec<Recording>> {
    let Some(dir) = fixtures_dir("linkedin") else {
        eprintln!(
            "skipping: no LinkedIn fixtures folder (../shared/fixtures/linkedin or $ALCANCE_FIXTURES_DIR/linkedin)"
        );
        return None;
    };
    let out: Vec<Recording> = json_files(&dir)
        .iter()
        .map(|path| {
            let doc = read_json(path);
            let res = &doc["response"];
            let body = match res.get("body_text").and_then(Value::as_str) {
                Some(text) => text.as_bytes().to_vec(),
                None => serde_json::to_vec(&res["body"]).expect("re-encode body"),
            };
            let answer = Answer {
                status: res["status"].as_u64().unwrap_or(0) as u16,
                headers: Default::default(),
                body,
                endpoint: doc["request"]["path"].as_str().unwrap_or_default().to_string(),
            };
            Recording {
                file: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                doc,
                answer,
            }
        })
        .collect();
    assert!(!out.is_empty(), "{} holds no .json files", dir.display());
    Some(out)
}

fn check_network_size(r: &Recording) {
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap();
    let metrics = decode_network_size(&r.answer, at).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let body = &r.doc["response"]["body"];
    assert_eq!(metrics.len(), 1, "{}", r.file);
    let m = &metrics[0];
    assert_eq!(m.metric, "followers", "{}", r.file);
    assert_eq!(m.value, body["firstDegreeSize"].as_f64(), "{}: firstDegreeSize", r.file);
    assert_eq!((m.period, m.period_start, m.period_end), (Period::Snapshot, at, at));
    assert_eq!(
        r.doc["request"]["query"]["edgeType"].as_str(),
        Some("COMPANY_FOLLOWED_BY_MEMBER"),
        "the client asks the same edge type"
    );
}

fn check_organization(r: &Recording) {
    let org = decode_organization(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let body = &r.doc["response"]["body"];
    let id = body["id"].as_u64().expect("id").to_string();
    assert_eq!(org.id, id, "{}: id", r.file);
    assert_eq!(org.urn, format!("urn:li:organization:{id}"));
    assert_eq!(
        org.name.as_deref(),
        body["localizedName"].as_str(),
        "{}: localizedName",
        r.file
    );
    assert_eq!(
        org.vanity_name.as_deref(),
        body["vanityName"].as_str(),
        "{}: vanityName",
        r.file
    );
    assert!(r.answer.endpoint.ends_with(&format!("/organizations/{id}")));
    let p = org.profile();
    assert_eq!(p.external_id, id);
    assert_eq!(p.username.as_deref(), body["vanityName"].as_str());
    assert_eq!(p.display_name.as_deref(), body["localizedName"].as_str());
}

fn check_paging(r: &Recording) {
    let info = decode_paging(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let body = &r.doc["response"]["body"];
    assert_eq!(info.start, body["paging"]["start"].as_i64(), "{}: start", r.file);
    assert_eq!(info.count, body["paging"]["count"].as_i64(), "{}: count", r.file);
    assert_eq!(info.total, body["paging"]["total"].as_i64(), "{}: total", r.file);
    assert_eq!(
        info.elements,
        body["elements"].as_array().expect("elements").len(),
        "{}: elements",
        r.file
    );
    let q = &r.doc["request"]["query"];
    assert_eq!(info.start.map(|s| s.to_string()).as_deref(), q["start"].as_str());
    assert_eq!(info.count.map(|s| s.to_string()).as_deref(), q["count"].as_str());
}

fn check_error(r: &Recording) {
    let body = &r.doc["response"]["body"];
    match map_error(&r.answer) {
        PlatformError::Api {
            endpoint,
            status,
            code,
            message,
        } => {
            assert_eq!(Some(u64::from(status)), body["status"].as_u64(), "{}: status", r.file);
            assert_eq!(
                code.as_deref(),
                body["errorDetails"]["inputErrors"][0]["code"].as_str(),
                "{}: the input error's code",
                r.file
            );
            assert_eq!(Some(message.as_str()), body["message"].as_str(), "{}: message", r.file);
            assert_eq!(Some(endpoint.as_str()), r.doc["request"]["path"].as_str());
        }
        other => panic!("{}: unexpected mapping {other:?}", r.file),
    }
}

/// A recorded LinkedIn token answer served by a fake token endpoint and read by the
/// refresh Alcance runs: every field lands in the token set, and the client authenticated
/// in the form body (never HTTP Basic).
async fn check_token_answer(r: &Recording) {
    let body = r.doc["response"]["body"].clone();
    let fake = FakeLinkedIn::start(vec![Rule::get("/oauth/v2/accessToken", body.clone()).post()]).await;
    let app = OAuthApp {
        platform: Platform::Linkedin,
        client_id: "fixture-client".into(),
        client_secret: Some(SecretString::from("fixture-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    };
    let before = Utc::now();
    let set = refresh(
        &app,
        &provider(&fake.endpoints()),
        &SecretString::from("AQX-old-refresh".to_string()),
    )
    .await
    .unwrap_or_else(|e| panic!("{}: {e}", r.file));
    assert_eq!(Some(set.access_token.expose_secret()), body["access_token"].as_str());
    assert_eq!(set.scope.as_deref(), body["scope"].as_str(), "{}: scope", r.file);
    assert!(body.get("refresh_token").is_none());
    assert_eq!(
        set.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some("AQX-old-refresh"),
        "an answer without refresh_token keeps the one used"
    );
    let lives = body["expires_in"].as_i64().expect("expires_in");
    let expires = set.expires_at.expect("expires_at");
    assert!(
        expires >= before + chrono::Duration::seconds(lives - 5)
            && expires <= Utc::now() + chrono::Duration::seconds(lives)
    );
    let seen = fake.seen_on("/oauth/v2/accessToken");
    assert_eq!(seen.len(), 1);
    let form = &seen[0].form;
    for pair in [
        ("grant_type", "refresh_token"),
        ("client_id", "fixture-client"),
        ("client_secret", "fixture-secret"),
        ("refresh_token", "AQX-old-refresh"),
    ] {
        assert!(form.contains(&(pair.0.into(), pair.1.into())), "{pair:?} in {form:?}");
    }
    assert!(
        seen[0].authorization.is_none(),
        "no HTTP Basic: {:?}",
        seen[0].authorization
    );
}

#[tokio::test]
async fn every_recorded_linkedin_exchange_is_read_field_by_field() {
    let Some(recordings) = load_all() else { return };
    let mut read = 0;
    for r in &recordings {
        if let Some((_, why)) = NOT_READ.iter().find(|(f, _)| *f == r.file) {
            eprintln!("{}: not read by Alcance: {why}", r.file);
            read += 1;
            continue;
        }
        let path = r.doc["request"]["path"].as_str().unwrap_or_default();
        if r.answer.status >= 400 {
            check_error(r);
        } else if path.starts_with("/rest/networkSizes/") {
            check_network_size(r);
        } else if path.starts_with("/rest/organizations/") {
            check_organization(r);
        } else if path.starts_with("/rest/reactions/") {
            check_paging(r);
        } else if path == "/oauth/v2/accessToken" {
            check_token_answer(r).await;
        } else {
            panic!("{}: no reader for {path}; read it or list it in NOT_READ", r.file);
        }
        read += 1;
    }
    assert_eq!(read, recordings.len(), "every recording was read");
}
