//! Bluesky against the seeded sandbox through the app: connecting with an app password
//! keeps only the session tokens (in the vault), token upkeep renews the session with
//! `refreshSession` and stores the rotated refresh token before use, a refused refresh marks
//! the account `needs_reauth`, and a public profile is followed by handle.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::DEMO_APP_PASSWORD;
use alcance_app::testing::{open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::{AccountId, WorkspaceOptions};
use alcance_collector::{RunKind, RunSummary};
use alcance_core::{AccountStatus, ConnectionKind, EventLevel, Platform};
use alcance_platforms::bluesky::refresh_session;
use alcance_platforms::oauth::TokenSet;
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints, PlatformError};
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

const DID: &str = "did:plc:alcancebrdemoaccount2345";

struct Setup {
    sandbox: Sandbox,
    endpoints: Endpoints,
    ws: TestWorkspace,
    vault: Arc<MemoryVault>,
    key: String,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start(SandboxConfig::seeded(12)).await.expect("sandbox");
    let endpoints = Endpoints::sandbox(&sandbox.base_url());
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let ws = open_workspace(
        Engine::Sqlite,
        dir.path(),
        WorkspaceOptions {
            endpoints: endpoints.clone(),
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await
    .expect("sqlite workspace");
    let row = ws
        .connect_bluesky(
            "@alcance.bsky.social",
            SecretString::from(DEMO_APP_PASSWORD.to_string()),
        )
        .await
        .expect("connect with an app password");
    assert_eq!(row.account.external_id, DID, "stored by its DID");
    assert_eq!(row.account.username.as_deref(), Some("alcance.bsky.social"));
    assert_eq!(row.status, AccountStatus::Active);
    let key = row.vault_key.clone().expect("vault key");
    Setup {
        sandbox,
        endpoints,
        ws,
        vault,
        key,
        _dir: dir,
    }
}

fn stored(s: &Setup) -> TokenSet {
    TokenSet::from_vault_json(&s.vault.get(&s.key).expect("get").expect("entry")).expect("token set")
}

fn expire_soon(s: &Setup, set: TokenSet) {
    let set = TokenSet {
        expires_at: Some(Utc::now() + Duration::minutes(1)),
        ..set
    };
    s.vault.put(&s.key, &set.to_vault_json()).expect("put");
}

async fn collect(s: &Setup) -> RunSummary {
    let now = Utc::now();
    s.ws.collect(
        CollectWindow {
            since: now - Duration::days(7),
            until: now,
        },
        now,
        RunKind::Manual,
        &[],
        &|_| {},
    )
    .await
    .expect("run")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_session_is_renewed_rotated_and_a_refused_refresh_needs_reauth() {
    let s = setup().await;
    let first = stored(&s);
    assert_eq!(first.user_id.as_deref(), Some(DID));
    assert!(first.refresh_token.is_some() && first.expires_at.is_some());
    // The app password is not kept anywhere in the vault entry.
    let json = s.vault.get(&s.key).expect("get").expect("entry");
    assert!(!json.expose_secret().contains(DEMO_APP_PASSWORD));

    // Due: renewed with refreshSession, the rotated refresh token stored.
    expire_soon(&s, first.clone());
    let run = collect(&s).await;
    assert!(run.accounts.iter().all(|a| a.ok), "{run:?}");
    let renewed = stored(&s);
    let old_refresh = first.refresh_token.clone().expect("refresh");
    assert_ne!(renewed.access_token.expose_secret(), first.access_token.expose_secret());
    assert_ne!(
        renewed.refresh_token.as_ref().map(|t| t.expose_secret().to_string()),
        Some(old_refresh.expose_secret().to_string())
    );
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    assert!(events
        .iter()
        .any(|e| e.code == "token_renewed" && e.message.contains("Bluesky")));
    // The old refresh token is spent.
    assert!(matches!(
        refresh_session(&s.endpoints, &first).await,
        Err(PlatformError::Unauthorized { .. })
    ));

    // A refresh token Bluesky refuses: the account needs re-authorization, no secret in the
    // message, no request made for it.
    expire_soon(
        &s,
        TokenSet {
            refresh_token: Some(old_refresh.clone()),
            ..renewed
        },
    );
    let run = collect(&s).await;
    let outcome = run
        .accounts
        .iter()
        .find(|a| a.account.platform == Platform::Bluesky)
        .expect("in run");
    assert!(!outcome.ok && outcome.needs_reauth, "{outcome:?}");
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    let refused = events
        .iter()
        .find(|e| e.code == "refresh_refused")
        .expect("refused event");
    assert_eq!(refused.level, EventLevel::Error);
    assert!(refused.message.contains("new app password"), "{}", refused.message);
    assert!(!refused.message.contains(old_refresh.expose_secret()));
    let row = s.ws.account(AccountId(outcome.account_id)).await.expect("row");
    assert_eq!(row.status, AccountStatus::NeedsReauth);
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_public_profile_is_followed_by_handle_and_collected() {
    let s = setup().await;
    let owner =
        s.ws.store()
            .list_accounts()
            .await
            .expect("accounts")
            .into_iter()
            .find(|a| a.account.owned)
            .expect("owner");
    let tracked =
        s.ws.track_by_username(Platform::Bluesky, "@concorrente", AccountId(owner.id))
            .await
            .expect("follow by handle");
    assert_eq!(tracked.account.external_id, "did:plc:concorrentepublicoperfil");
    assert_eq!(tracked.account.username.as_deref(), Some("concorrente.bsky.social"));
    assert!(!tracked.account.owned);
    // Following one's own account is refused; an unknown handle names the handle.
    let own =
        s.ws.track_by_username(Platform::Bluesky, "alcance.bsky.social", AccountId(owner.id))
            .await;
    assert!(own.is_err());
    let unknown =
        s.ws.track_by_username(Platform::Bluesky, "ninguem.bsky.social", AccountId(owner.id))
            .await
            .expect_err("unknown handle");
    assert!(format!("{unknown:#}").contains("@ninguem.bsky.social"), "{unknown:#}");
    // The accounts screen: the owner signed in with an app password, the other is followed.
    let views = alcance_app::views::accounts(&s.ws, None, Utc::now())
        .await
        .expect("accounts view");
    let kind = |id: i64| views.iter().find(|v| v.id.get() == id).map(|v| v.connection);
    assert_eq!(kind(owner.id), Some(ConnectionKind::AppPassword));
    assert_eq!(kind(tracked.id), Some(ConnectionKind::Tracked));
    let run = collect(&s).await;
    let t = run
        .accounts
        .iter()
        .find(|a| a.account_id == tracked.id)
        .expect("tracked profile in the run");
    assert!(t.ok && t.metrics > 0, "{t:?}");
    s.sandbox.shutdown().await;
}
