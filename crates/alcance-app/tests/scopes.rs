//! Permissions per account (issue 13 point 6): the scopes a connection was granted are
//! stored at connect (the token answer's `scope`, Facebook's `/me/permissions`), the
//! accounts view names the metrics a missing scope leaves out, and disconnecting the last
//! Facebook Page of a user removes the app from that user (`DELETE /me/permissions`).
//! The sandbox's consent screen is told to leave scopes unticked (`/__alcance/consent`).

use alcance_app::demo::demo_app;
use alcance_app::testing::{open_workspace, TestWorkspace};
use alcance_app::views::{self, AccountView, ScopeState, SharedVault};
use alcance_app::{AccountId, WorkspaceOptions};
use alcance_collector::RunKind;
use alcance_core::Platform;
use alcance_platforms::facebook::FacebookClient;
use alcance_platforms::oauth::{HeadlessBrowser, TokenSet};
use alcance_platforms::vault::{vault_key, MemoryVault, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints, Http, Recorder};
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use chrono::Utc;
use std::sync::Arc;

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

struct Setup {
    sandbox: Sandbox,
    ws: TestWorkspace,
    vault: Arc<MemoryVault>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start(SandboxConfig::seeded(13)).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let ws = open_workspace(
        Engine::Sqlite,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
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

/// Tells the sandbox's consent screen to leave `scopes` unticked from now on.
async fn decline(s: &Setup, scopes: &[&str]) {
    let url = s.sandbox.base_url().join("__alcance/consent").expect("url");
    let answer = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "decline": scopes }))
        .send()
        .await
        .expect("consent control");
    assert_eq!(answer.status().as_u16(), 200);
}

async fn view(s: &Setup, id: i64) -> AccountView {
    views::accounts(&s.ws, None, Utc::now())
        .await
        .expect("accounts view")
        .into_iter()
        .find(|v| v.id == AccountId(id))
        .expect("the account is listed")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scope_unticked_at_consent_is_stored_and_names_the_metrics_left_out() {
    let s = setup().await;

    // Everything asked is granted: the scopes are stored, nothing is missing.
    let x =
        s.ws.connect(&demo_app(Platform::X), &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("connect X");
    let p = view(&s, x.id).await.permissions;
    assert_eq!(p.state, ScopeState::Reported);
    assert_eq!(p.granted, ["offline.access", "tweet.read", "users.read"]);
    assert!(p.missing.is_empty(), "{p:?}");

    // The user unticks video.list on TikTok's consent screen.
    decline(&s, &["video.list"]).await;
    let tiktok =
        s.ws.connect(&demo_app(Platform::Tiktok), &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("connect TikTok");
    let p = view(&s, tiktok.id).await.permissions;
    assert_eq!(p.state, ScopeState::Reported);
    assert!(p.granted.contains(&"user.info.stats".to_string()), "{p:?}");
    assert!(!p.granted.contains(&"video.list".to_string()), "{p:?}");
    assert_eq!(p.missing.len(), 1, "{p:?}");
    assert_eq!(p.missing[0].scope, "video.list");
    assert!(!p.missing[0].declined, "TikTok does not report declines");
    assert!(p.missing[0].metrics.contains(&"video_views".to_string()), "{p:?}");

    // The sandbox refuses the videos to that grant (`scope_not_authorized`) as TikTok
    // does; the collection keeps the profile instead of failing the account.
    let now = Utc::now();
    let run =
        s.ws.collect(
            CollectWindow {
                since: now - chrono::Duration::days(7),
                until: now,
            },
            now,
            RunKind::Manual,
            &[tiktok.id],
            &|_| {},
        )
        .await
        .expect("run");
    let outcome = &run.accounts[0];
    assert!(outcome.ok, "the account is collected without its videos: {outcome:?}");
    assert_eq!(outcome.posts, 0, "no video without video.list");
    assert!(outcome.metrics > 0, "the profile counts are stored");

    // Facebook reports the unticked permission as declined (GET /me/permissions), and
    // the Page records the user who connected it.
    decline(&s, &["read_insights"]).await;
    let pages =
        s.ws.connect_facebook(&demo_app(Platform::Facebook), &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("connect Facebook");
    let page = view(&s, pages[0].id).await;
    let p = page.permissions;
    assert_eq!(p.state, ScopeState::Reported);
    assert_eq!(p.granted, ["pages_read_engagement", "pages_show_list"]);
    assert_eq!(p.declined, ["read_insights"]);
    assert_eq!(p.missing.len(), 1, "{p:?}");
    assert!(p.missing[0].declined);
    assert!(p.missing[0].metrics.contains(&"reach".to_string()));
    let recorded = s.ws.store().account_scopes().await.expect("scopes");
    assert_eq!(
        recorded[&pages[0].id].connected_by.as_deref(),
        Some(alcance_sandbox::model::FB_USER_ID)
    );
    s.sandbox.shutdown().await;
}

/// Issue 13 point 6, Meta: disconnecting the last Page a Facebook user connected calls
/// `DELETE /me/permissions` with the user token (the sandbox then refuses the user token
/// and the Page token it handed out) and removes both vault entries.
#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_the_last_page_removes_the_app_from_the_facebook_user() {
    let s = setup().await;
    let pages =
        s.ws.connect_facebook(&demo_app(Platform::Facebook), &HeadlessBrowser::new(), TIMEOUT)
            .await
            .expect("connect Facebook");
    let user_key = vault_key(
        Platform::Facebook,
        &format!("user-{}", alcance_sandbox::model::FB_USER_ID),
    );
    let user = TokenSet::from_vault_json(&s.vault.get(&user_key).expect("read").expect("user token stored"))
        .expect("token set");
    let page_key = pages[0].vault_key.clone().expect("page key");
    let page = TokenSet::from_vault_json(&s.vault.get(&page_key).expect("read").expect("page token stored"))
        .expect("token set");
    let client = FacebookClient::new(Http::new().expect("http"), Endpoints::sandbox(&s.sandbox.base_url()));
    client
        .me(&user.access_token, &Recorder::new())
        .await
        .expect("the user token works before");
    assert!(client.permissions(&user.access_token, &Recorder::new()).await.is_ok());

    for row in &pages {
        s.ws.disconnect(AccountId(row.id)).await.expect("disconnect");
    }
    assert!(
        s.vault.get(&user_key).expect("read").is_none(),
        "the user token left the vault"
    );
    assert!(
        s.vault.get(&page_key).expect("read").is_none(),
        "the Page token left the vault"
    );
    let refused = client
        .me(&user.access_token, &Recorder::new())
        .await
        .expect_err("the DELETE reached Meta: the user token is revoked");
    assert!(
        matches!(refused, alcance_platforms::PlatformError::Unauthorized { .. }),
        "{refused:?}"
    );
    assert!(
        client.me(&page.access_token, &Recorder::new()).await.is_err(),
        "the Page token went with the app"
    );
    s.sandbox.shutdown().await;
}
