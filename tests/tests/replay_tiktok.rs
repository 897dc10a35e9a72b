//! TikTok: every recorded exchange in `shared/fixtures/tiktok` is replayed by the sandbox
//! (one file per sandbox) and read by the real API for Business client
//! (`alcance_platforms::tiktok::TikTokBusinessClient`). The recordings are token answers:
//! the parsed fields are compared with the fixture JSON, the tokens are never stored, and
//! the same answer archived through `Http::send` into a store keeps no token.

use alcance_core::{AccountRef, CollectionBatch, Platform};
use alcance_platforms::tiktok::TikTokBusinessClient;
use alcance_platforms::{Http, Recorder};
use alcance_tests::{FixtureStore, ReplayCheck};
use anyhow::{anyhow, ensure};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// Which client call reads an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `POST tt_user/oauth2/token/` → `exchange_code`.
    ExchangeCode,
    /// `POST tt_user/oauth2/refresh_token/` → `refresh`.
    Refresh,
    /// `POST tt_user/token_info/get/` → `token_info`.
    TokenInfo,
}

/// Every TikTok exchange file and the client call that reads it.
const CLASSIFIED: &[(&str, Read)] = &[
    ("python-tiktok__tt-user-oauth2-refresh-token.json", Read::Refresh),
    ("python-tiktok__tt-user-oauth2-token.json", Read::ExchangeCode),
    ("python-tiktok__tt-user-token-info.json", Read::TokenInfo),
];

#[tokio::test]
async fn every_recorded_tiktok_exchange_is_read_field_by_field() {
    ReplayCheck {
        platform: "tiktok",
        test_file: "tests/tests/replay_tiktok.rs",
        classified: CLASSIFIED,
    }
    .run(check_exchange)
    .await;
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn split(v: &Value) -> Vec<String> {
    v.as_str()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

async fn check_exchange(exchange: &Value, endpoints: &alcance_platforms::Endpoints, read: Read) -> anyhow::Result<()> {
    let body = exchange
        .pointer("/response/body")
        .ok_or_else(|| anyhow!("no response.body"))?;
    let data = &body["data"];
    ensure!(body["code"].as_i64() == Some(0), "the recording is not a code 0 answer");
    let client = TikTokBusinessClient::new(Http::new()?, endpoints.clone());
    let request_id = body["request_id"].as_str().map(str::to_string);
    match read {
        Read::ExchangeCode | Read::Refresh => {
            let token = if read == Read::ExchangeCode {
                client
                    .exchange_code(
                        "app-id",
                        &secret("app-secret"),
                        &secret("auth-code"),
                        "http://127.0.0.1/cb",
                    )
                    .await?
            } else {
                client
                    .refresh("app-id", &secret("app-secret"), &secret("old-refresh"))
                    .await?
            };
            ensure!(
                Some(token.access_token.expose_secret()) == data["access_token"].as_str(),
                "access_token differs from the recording"
            );
            ensure!(
                token.refresh_token.as_ref().map(|t| t.expose_secret()) == data["refresh_token"].as_str(),
                "refresh_token differs from the recording"
            );
            ensure!(
                token.expires_in == data["expires_in"].as_u64(),
                "expires_in {:?}",
                token.expires_in
            );
            ensure!(
                token.refresh_token_expires_in == data["refresh_token_expires_in"].as_u64(),
                "refresh_token_expires_in {:?}",
                token.refresh_token_expires_in
            );
            ensure!(
                token.open_id.as_deref() == data["open_id"].as_str(),
                "open_id {:?}",
                token.open_id
            );
            ensure!(token.scope == split(&data["scope"]), "scope {:?}", token.scope);
            ensure!(token.token_type.as_deref() == data["token_type"].as_str(), "token_type");
            ensure!(token.request_id == request_id, "request_id {:?}", token.request_id);
            let at = alcance_tests::fixture_collected_at();
            let set = token.to_token_set(at);
            let secs = data["expires_in"].as_i64().ok_or_else(|| anyhow!("no expires_in"))?;
            ensure!(
                set.expires_at == Some(at + chrono::Duration::seconds(secs)),
                "expires_at {:?}",
                set.expires_at
            );
            ensure!(
                set.user_id.as_deref() == data["open_id"].as_str(),
                "user_id {:?}",
                set.user_id
            );
            for printed in [format!("{token:?}"), format!("{set:?}")] {
                for t in [&data["access_token"], &data["refresh_token"]] {
                    let t = t.as_str().unwrap_or_default();
                    ensure!(
                        !t.is_empty() && !printed.contains(t),
                        "Debug output shows a token: {printed}"
                    );
                }
            }
        }
        Read::TokenInfo => {
            let info = client.token_info("app-id", &secret("access-token")).await?;
            ensure!(
                info.app_id.as_deref() == data["app_id"].as_str(),
                "app_id {:?}",
                info.app_id
            );
            ensure!(
                info.creator_id.as_deref() == data["creator_id"].as_str(),
                "creator_id {:?}",
                info.creator_id
            );
            ensure!(info.scope == split(&data["scope"]), "scope {:?}", info.scope);
            ensure!(info.request_id == request_id, "request_id {:?}", info.request_id);
        }
    }
    check_archive(exchange, endpoints, body).await
}

/// The client does not archive token requests; the same recorded answer sent through
/// `Http::send` and saved into a store must keep no token value.
async fn check_archive(exchange: &Value, endpoints: &alcance_platforms::Endpoints, body: &Value) -> anyhow::Result<()> {
    let path = exchange
        .pointer("/request/path")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("no request.path"))?;
    let origin = endpoints.tiktok_business.origin().ascii_serialization();
    let http = Http::new()?;
    let rec = Recorder::new();
    let request_body = exchange.pointer("/request/body").cloned().unwrap_or(Value::Null);
    let answer = http
        .send(http.client().post(format!("{origin}{path}")).json(&request_body), &rec)
        .await?;
    ensure!(answer.status == 200, "HTTP {}", answer.status);
    let raw = rec.take();
    ensure!(raw.len() == 1, "{} exchanges archived, expected 1", raw.len());
    let fs = FixtureStore::open().await?;
    let account = AccountRef {
        platform: Platform::Tiktok,
        external_id: "replay-tiktok".to_string(),
        username: None,
        owned: true,
    };
    fs.save(&account, &CollectionBatch::default(), &raw).await?;
    let archived: Value = serde_json::from_slice(&fs.store.raw_body(1).await?)?;
    for key in ["access_token", "refresh_token"] {
        if body["data"].get(key).is_some() {
            ensure!(
                archived["data"][key] == "REDACTED",
                "the archived {key} is {:?}, not REDACTED",
                archived["data"][key]
            );
        }
    }
    for key in ["open_id", "scope", "expires_in", "creator_id", "app_id"] {
        ensure!(archived["data"][key] == body["data"][key], "the archived {key} changed");
    }
    Ok(())
}
