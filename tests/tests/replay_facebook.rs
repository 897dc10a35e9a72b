//! Facebook: every recorded exchange in `shared/fixtures/facebook` is replayed by the
//! sandbox (one file per sandbox) and read by the real `FacebookClient` or OAuth code;
//! what Alcance stores from it is saved into a fresh store, read back and compared field
//! by field with values read independently from the fixture JSON.

use alcance_core::{AccountRef, CollectionBatch, Platform};
use alcance_platforms::facebook::FacebookClient;
use alcance_platforms::oauth::{self, OAuthApp, Provider, RedirectConfig};
use alcance_platforms::{Endpoints, Http, PlatformError, Recorder};
use alcance_store::RowFilter;
use alcance_tests::{FixtureStore, ReplayCheck};
use anyhow::{anyhow, ensure};
use chrono::{TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// Which code reads an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// `GET /debug_token`: served and decoded (Alcance stores nothing from it).
    DebugToken,
    /// A Graph error recorded on the placeholder path `/{page-id}` → `meta::error_from_answer`.
    MissingPermissionError,
    /// `GET /me/accounts` → `FacebookClient::pages` (Page tokens, never archived).
    PageTokens,
    /// `GET /oauth/access_token?grant_type=fb_exchange_token` → `oauth::exchange_facebook_long_lived`.
    LongLivedToken,
    /// `GET /{page-id}?fields=…` → `FacebookClient::page` (profile and `page_likes`).
    PageNode,
    /// `GET /{page-id}/videos` → `FacebookClient::videos`.
    Videos,
    /// `GET /{page-id}/posts` → `FacebookClient::posts`, stored.
    Posts,
}

/// Every Facebook exchange file and the code that reads it.
const CLASSIFIED: &[(&str, Read)] = &[
    ("python-facebook__debug-token.json", Read::DebugToken),
    (
        "python-facebook__error-100-missing-permission.json",
        Read::MissingPermissionError,
    ),
    ("python-facebook__me-accounts-page-tokens.json", Read::PageTokens),
    ("python-facebook__oauth-long-lived-token.json", Read::LongLivedToken),
    ("python-facebook__page-node-fields.json", Read::PageNode),
    ("python-facebook__page-videos-p1.json", Read::Videos),
    ("python-facebook__user-posts-p1.json", Read::Posts),
    ("python-facebook__user-posts-p2.json", Read::Posts),
];

fn token() -> SecretString {
    SecretString::from("replay-token".to_string())
}

#[tokio::test]
async fn every_recorded_facebook_exchange_is_read_field_by_field() {
    ReplayCheck {
        platform: "facebook",
        test_file: "tests/tests/replay_facebook.rs",
        classified: CLASSIFIED,
    }
    .run(check_exchange)
    .await;
}

async fn check_exchange(exchange: &Value, endpoints: &Endpoints, read: Read) -> anyhow::Result<()> {
    let body = &exchange["response"]["body"];
    let client = FacebookClient::new(Http::new()?, endpoints.clone());
    let rec = Recorder::new();
    match read {
        Read::PageNode => check_page_node(&client, body, &rec).await,
        Read::MissingPermissionError => {
            // The recording kept the path placeholder `/{page-id}`, which the client refuses
            // to call; the recorded answer is fetched as is and mapped by the Graph layer.
            let url = endpoints.graph_facebook.join("%7Bpage-id%7D")?;
            let http = Http::new()?;
            let answer = http.send(http.client().get(url), &rec).await?;
            let err = alcance_platforms::meta::error_from_answer(&answer, None);
            let code = body["error"]["code"].as_i64().unwrap_or_default();
            ensure!(code == 100, "recorded code {code}");
            // Code 100 without subcode 33 on an object: a clear platform error that names
            // Meta's code, never a panic or a silent empty result.
            ensure!(
                matches!(err, PlatformError::Api { status: 400, ref code, .. } if code.as_deref() == Some("meta_100"))
                    || matches!(err, PlatformError::NotFound { .. }),
                "unexpected mapping: {err:?}"
            );
            ensure!(err.to_string().contains("(#100)"), "the message is kept: {err}");
            Ok(())
        }
        Read::PageTokens => {
            let pages = client.pages(&token(), &rec).await?;
            let recorded = body["data"].as_array().ok_or_else(|| anyhow!("data"))?;
            ensure!(
                pages.len() == recorded.len(),
                "{} pages, recorded {}",
                pages.len(),
                recorded.len()
            );
            for (page, want) in pages.iter().zip(recorded) {
                ensure!(Some(page.id.as_str()) == want["id"].as_str(), "id");
                ensure!(page.name.as_deref() == want["name"].as_str(), "name");
                ensure!(
                    page.token.expose_secret() == want["access_token"].as_str().unwrap_or_default(),
                    "page token"
                );
                let tasks: Vec<&str> = want["tasks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                ensure!(page.tasks == tasks, "tasks {:?} vs {:?}", page.tasks, tasks);
                ensure!(page.can_analyze == tasks.contains(&"ANALYZE"), "ANALYZE");
            }
            // The archived answer never keeps a page token.
            let store = FixtureStore::open().await?;
            let account = AccountRef {
                platform: Platform::Facebook,
                external_id: "me".into(),
                username: None,
                owned: true,
            };
            store.save(&account, &CollectionBatch::default(), &rec.take()).await?;
            for text in archived_bodies(&store).await? {
                ensure!(
                    text.contains("2121008874780932"),
                    "the archived answer is the recorded one"
                );
                ensure!(
                    !text.contains("\"access_token\":\"access_token\""),
                    "page token archived: {text}"
                );
            }
            Ok(())
        }
        Read::LongLivedToken => {
            let app = OAuthApp {
                platform: Platform::Facebook,
                client_id: "app-id".into(),
                client_secret: Some(SecretString::from("app-secret".to_string())),
                scopes: Vec::new(),
                redirect: RedirectConfig::default(),
            };
            let provider = Provider::facebook_login(endpoints);
            let set = oauth::exchange_facebook_long_lived(&app, &provider, &token()).await?;
            ensure!(
                set.access_token.expose_secret() == body["access_token"].as_str().unwrap_or_default(),
                "token"
            );
            let expires_in = body["expires_in"].as_i64().unwrap_or_default();
            let expires_at = set.expires_at.ok_or_else(|| anyhow!("no expiry"))?;
            let left = (expires_at - Utc::now()).num_seconds();
            ensure!(
                (expires_in - 120..=expires_in).contains(&left),
                "expires in {left} s, recorded {expires_in}"
            );
            Ok(())
        }
        Read::DebugToken => {
            // Alcance stores nothing from debug_token; it reads token health. The answer is
            // served and decodes to the recorded validity and expiry.
            let url = endpoints.graph_facebook.join("debug_token")?;
            let answer = Http::new()?
                .send(
                    Http::new()?
                        .client()
                        .get(url)
                        .query(&[("input_token", "x"), ("access_token", "y")]),
                    &rec,
                )
                .await?;
            ensure!(answer.status == 200, "status {}", answer.status);
            let v: Value = answer.json()?;
            ensure!(v["data"]["is_valid"] == body["data"]["is_valid"], "is_valid");
            ensure!(v["data"]["expires_at"] == body["data"]["expires_at"], "expires_at");
            ensure!(
                rec.take()
                    .iter()
                    .all(|x| !x.url.contains("input_token=x") && !x.url.contains("access_token=y")),
                "a token reached the archive URL"
            );
            Ok(())
        }
        Read::Videos => {
            let since = Utc
                .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
                .single()
                .ok_or_else(|| anyhow!("date"))?;
            let listing = client.videos(&token(), "19292868552", since, &rec).await?;
            let recorded = body["data"].as_array().ok_or_else(|| anyhow!("data"))?;
            let ids: Vec<&str> = listing.items.iter().map(|v| v.post.external_id.as_str()).collect();
            for want in recorded {
                let id = want["id"].as_str().ok_or_else(|| anyhow!("id"))?;
                let got = listing
                    .items
                    .iter()
                    .find(|v| v.post.external_id == id)
                    .ok_or_else(|| anyhow!("video {id} missing from {ids:?}"))?;
                let published = want["created_time"]
                    .as_str()
                    .and_then(alcance_core::time::parse_platform_time);
                ensure!(got.post.published_at == published, "{id}: published_at");
                if let Some(len) = want["length"].as_f64() {
                    ensure!(
                        got.length_seconds == Some(len),
                        "{id}: length {:?} vs {len}",
                        got.length_seconds
                    );
                }
            }
            Ok(())
        }
        Read::Posts => {
            let since = Utc
                .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
                .single()
                .ok_or_else(|| anyhow!("date"))?;
            let listing = client.posts(&token(), "4", since, &rec).await?;
            let recorded = body["data"].as_array().ok_or_else(|| anyhow!("data"))?;
            let store = FixtureStore::open().await?;
            let account = AccountRef {
                platform: Platform::Facebook,
                external_id: "4".into(),
                username: None,
                owned: false,
            };
            let batch = CollectionBatch {
                posts: listing.items.iter().map(|p| p.post.clone()).collect(),
                ..Default::default()
            };
            let id = store.save(&account, &batch, &rec.take()).await?;
            let stored = store
                .store
                .posts(&RowFilter {
                    account_ids: vec![id],
                    ..RowFilter::default()
                })
                .await?;
            for want in recorded {
                let pid = want["id"].as_str().ok_or_else(|| anyhow!("id"))?;
                let got = stored
                    .iter()
                    .find(|p| p.external_id == pid)
                    .ok_or_else(|| anyhow!("post {pid} not stored"))?;
                ensure!(got.caption.as_deref() == want["message"].as_str(), "{pid}: caption");
                let published = want["created_time"]
                    .as_str()
                    .and_then(alcance_core::time::parse_platform_time);
                ensure!(
                    got.published_at == published,
                    "{pid}: published_at {:?} vs {published:?}",
                    got.published_at
                );
            }
            Ok(())
        }
    }
}

async fn check_page_node(client: &FacebookClient, body: &Value, rec: &Recorder) -> anyhow::Result<()> {
    let id = body["id"].as_str().ok_or_else(|| anyhow!("id"))?;
    let (profile, metrics) = client.page(&token(), id, rec).await?;
    ensure!(profile.external_id == id, "id");
    ensure!(profile.username.as_deref() == body["username"].as_str(), "username");
    ensure!(profile.display_name.as_deref() == body["name"].as_str(), "name");
    let store = FixtureStore::open().await?;
    let account = AccountRef {
        platform: Platform::Facebook,
        external_id: id.into(),
        username: profile.username.clone(),
        owned: false,
    };
    let batch = CollectionBatch {
        profile: Some(profile),
        account_metrics: metrics,
        ..Default::default()
    };
    let account_id = store.save(&account, &batch, &rec.take()).await?;
    let rows = store
        .store
        .account_metric_rows(&RowFilter {
            account_ids: vec![account_id],
            ..RowFilter::default()
        })
        .await?;
    let fan_count = body["fan_count"].as_f64().ok_or_else(|| anyhow!("fan_count"))?;
    let got: Vec<Option<f64>> = rows
        .iter()
        .filter(|r| r.metric_type == "page_likes")
        .map(|r| r.value)
        .collect();
    ensure!(
        got == vec![Some(fan_count)],
        "page_likes {got:?}, recorded fan_count {fan_count}"
    );
    Ok(())
}

/// Every archived body of a fresh store (ids count up from 1).
async fn archived_bodies(store: &FixtureStore) -> anyhow::Result<Vec<String>> {
    let n = store.store.table_counts().await?.raw_responses;
    ensure!(n > 0, "nothing archived");
    let mut out = Vec::new();
    for id in 1..=n {
        out.push(String::from_utf8_lossy(&store.store.raw_body(id).await?).into_owned());
    }
    Ok(out)
}
