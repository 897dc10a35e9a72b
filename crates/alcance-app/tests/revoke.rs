//! Disconnecting ends the grant at the platform (issue 14: "token refresh and revocation";
//! issue 13 point 6): X's, YouTube's and Reddit's refresh tokens and TikTok's access token
//! are revoked at their revocation endpoints when
//! the account is disconnected, and a LinkedIn member who administers two pages connects
//! both as accounts sharing one token, which is revoked only when the last of them goes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::demo_app;
use alcance_app::testing::{open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::{AccountId, WorkspaceOptions};
use alcance_core::{AccountStatus, ConnectionKind, Platform};
use alcance_platforms::oauth::{self, HeadlessBrowser, TokenSet};
use alcance_platforms::registry;
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::Endpoints;
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::sync::Arc;

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

struct Setup {
    sandbox: Sandbox,
    ws: TestWorkspace,
    vault: Arc<MemoryVault>,
    _dir: tempfile::TempDir,
}

async fn setup(endpoints: impl FnOnce(Endpoints) -> Endpoints) -> Setup {
    let sandbox = Sandbox::start(SandboxConfig::seeded(11)).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let ws = open_workspace(
        Engine::Sqlite,
        dir.path(),
        WorkspaceOptions {
            endpoints: endpoints(Endpoints::sandbox(&sandbox.base_url())),
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await
    .expect("sqlite workspace");
    Setup {
        sandbox,
        ws,
        vault,
        _dir: dir,
    }
}

fn stored(s: &Setup, key: &str) -> Option<TokenSet> {
    let json = s.vault.get(key).expect("vault read")?;
    Some(TokenSet::from_vault_json(&json).expect("token set"))
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_revokes_youtube_and_reddit_refresh_tokens() {
    let s = setup(|e| e).await;
    for platform in [Platform::Youtube, Platform::Reddit] {
        let app = demo_app(platform);
        let provider = registry::get(platform)
            .provider(&Endpoints::sandbox(&s.sandbox.base_url()))
            .expect("provider");
        let row =
            s.ws.connect(&app, &HeadlessBrowser::new(), TIMEOUT)
                .await
                .unwrap_or_else(|e| panic!("connect {platform}: {e:#}"));
        let key = row.vault_key.clone().expect("vault key");
        let set = stored(&s, &key).expect("tokens stored");
        let refresh = set.refresh_token.clone().expect("a refresh token");
        // Valid before: neither platform rotates its refresh tokens, so this use is harmless.
        oauth::refresh(&app, &provider, &refresh)
            .await
            .unwrap_or_else(|e| panic!("{platform} refresh before disconnect: {e}"));

        let after = s.ws.disconnect(AccountId(row.id)).await.expect("disconnect");
        assert_eq!(after.status, AccountStatus::Disconnected);
        assert!(stored(&s, &key).is_none(), "{platform}: the vault entry is gone");
        let refused = oauth::refresh(&app, &provider, &refresh)
            .await
            .expect_err("the grant was revoked at the platform");
        assert!(
            !format!("{refused}").contains(refresh.expose_secret()),
            "no token in the error"
        );
    }
    s.sandbox.shutdown().await;
}

/// `GET {path}` on the sandbox with `token`'s access token: the HTTP status (200 while the
/// sandbox honours the token, an error status once it is revoked).
async fn status_with(s: &Setup, path: &str, token: &TokenSet) -> u16 {
    let url = s.sandbox.base_url().join(path).expect("url");
    reqwest::Client::new()
        .get(url)
        .bearer_auth(token.access_token.expose_secret())
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// TikTok's `GET /v2/user/info/` (Display API).
const TIKTOK_USER_INFO: &str = "v2/user/info/?fields=open_id,display_name";

/// Issue 13 point 6: X (`POST /2/oauth2/revoke`, the refresh token with the public client's
/// id) and TikTok (`POST /v2/oauth/revoke/`, the access token with the client key and
/// secret) end the grant when the last account using it is disconnected.
#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_revokes_x_and_tiktok_grants() {
    let s = setup(|e| e).await;
    let endpoints = Endpoints::sandbox(&s.sandbox.base_url());

    // TikTok: the access token reads the profile before, and is refused after.
    let tiktok =
        s.ws.connect(&demo_app(Platform::Tiktok), &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("connect TikTok");
    let key = tiktok.vault_key.clone().expect("key");
    let set = stored(&s, &key).expect("stored");
    assert_eq!(status_with(&s, TIKTOK_USER_INFO, &set).await, 200);
    s.ws.disconnect(AccountId(tiktok.id)).await.expect("disconnect");
    assert!(stored(&s, &key).is_none());
    assert_ne!(status_with(&s, TIKTOK_USER_INFO, &set).await, 200, "revoked at TikTok");

    // X rotates refresh tokens, so a use before would spend it: the control is a second
    // grant of the same app, whose refresh token still works.
    let app = demo_app(Platform::X);
    let provider = registry::get(Platform::X).provider(&endpoints).expect("provider");
    let x =
        s.ws.connect(&app, &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("connect X");
    let key = x.vault_key.clone().expect("key");
    let refresh = stored(&s, &key).expect("stored").refresh_token.expect("offline.access");
    s.ws.disconnect(AccountId(x.id)).await.expect("disconnect");
    let refused = oauth::refresh(&app, &provider, &refresh)
        .await
        .expect_err("the X grant was revoked");
    assert!(
        !format!("{refused}").contains(refresh.expose_secret()),
        "no token in the error"
    );
    let again =
        s.ws.connect(&app, &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("reconnect X");
    let fresh = stored(&s, again.vault_key.as_deref().expect("key"))
        .expect("stored")
        .refresh_token
        .expect("offline.access");
    oauth::refresh(&app, &provider, &fresh)
        .await
        .expect("a grant that was not revoked still refreshes");
    s.sandbox.shutdown().await;
}

/// A LinkedIn REST API whose member administers two pages (the sandbox's OAuth and
/// revocation stay the sandbox's): `107000001` (readable) and `107000002` (its read refused,
/// so it is named by its id).
async fn two_page_linkedin() -> url::Url {
    async fn acls() -> Json<Value> {
        Json(json!({"paging": {"start": 0, "count": 100}, "elements": [
            {"organization": "urn:li:organization:107000001", "role": "ADMINISTRATOR", "state": "APPROVED"},
            {"organization": "urn:li:organization:107000002", "role": "ADMINISTRATOR", "state": "APPROVED"}
        ]}))
    }
    async fn organization(Path(id): Path<String>) -> (axum::http::StatusCode, Json<Value>) {
        if id == "107000001" {
            let page = json!({"id": 107000001, "localizedName": "Alcance Brasil", "vanityName": "alcance-brasil"});
            (axum::http::StatusCode::OK, Json(page))
        } else {
            let denied = json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"});
            (axum::http::StatusCode::FORBIDDEN, Json(denied))
        }
    }
    async fn userinfo() -> Json<Value> {
        Json(json!({"sub": "aLc4nc3Mb1", "name": "Marina Souza"}))
    }
    let router = Router::new()
        .route("/rest/organizationAcls", get(acls))
        .route("/rest/organizations/{id}", get(organization))
        .route("/v2/userinfo", get(userinfo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    url::Url::parse(&format!("http://{addr}/")).expect("url")
}

/// LinkedIn's OIDC `GET /v2/userinfo` on the sandbox.
const LINKEDIN_USERINFO: &str = "linkedin/v2/userinfo";

#[tokio::test(flavor = "multi_thread")]
async fn every_administered_linkedin_page_connects_and_the_token_goes_with_the_last() {
    let fake = two_page_linkedin().await;
    let s = setup(|mut e| {
        e.linkedin_api = fake.join("rest").expect("rest");
        e.linkedin_userinfo = fake.join("v2/userinfo").expect("userinfo");
        e
    })
    .await;
    let rows =
        s.ws.connect_accounts(&demo_app(Platform::Linkedin), &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("connect LinkedIn");
    let ids: Vec<&str> = rows.iter().map(|r| r.account.external_id.as_str()).collect();
    assert_eq!(ids, ["107000001", "107000002"], "one account per administered page");
    assert!(rows
        .iter()
        .all(|r| r.account.owned && r.status == AccountStatus::Active));
    assert_eq!(rows[0].display_name.as_deref(), Some("Alcance Brasil"));
    let key = rows[0].vault_key.clone().expect("key");
    assert_eq!(
        rows[1].vault_key.as_deref(),
        Some(key.as_str()),
        "one token, one vault entry"
    );
    let views = alcance_app::views::accounts(&s.ws, None, Utc::now())
        .await
        .expect("view");
    assert!(views.iter().all(|v| v.connection == ConnectionKind::Oauth));
    let token = stored(&s, &key).expect("stored");
    assert_eq!(status_with(&s, LINKEDIN_USERINFO, &token).await, 200);

    // The first page goes: the second still collects with the token.
    s.ws.disconnect(AccountId(rows[0].id)).await.expect("disconnect one");
    assert!(stored(&s, &key).is_some(), "the other page still uses the token");
    assert_eq!(status_with(&s, LINKEDIN_USERINFO, &token).await, 200, "not revoked yet");

    // The last one goes: the token is revoked at LinkedIn and leaves the vault.
    s.ws.disconnect(AccountId(rows[1].id))
        .await
        .expect("disconnect the last");
    assert!(stored(&s, &key).is_none());
    assert_eq!(
        status_with(&s, LINKEDIN_USERINFO, &token).await,
        401,
        "revoked at the platform"
    );
    s.sandbox.shutdown().await;
}
