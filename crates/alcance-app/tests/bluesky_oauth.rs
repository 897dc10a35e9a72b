//! Bluesky's AT Protocol OAuth against the seeded sandbox through the app: signing in with
//! PAR + PKCE + DPoP stores DPoP-bound tokens and their key in the vault (nothing in the
//! store), token upkeep renews the session at the token endpoint with a fresh proof and
//! stores the rotated refresh token, a spent refresh token or another key is refused, and
//! disconnecting revokes the session before the vault entry goes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::testing::{open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::{AccountId, WorkspaceOptions};
use alcance_collector::{RunKind, RunSummary};
use alcance_core::{AccountStatus, ConnectionKind, Platform};
use alcance_platforms::bluesky::oauth::{self, DpopKey, SessionBinding};
use alcance_platforms::oauth::{HeadlessBrowser, TokenSet};
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
    ws: TestWorkspace,
    vault: Arc<MemoryVault>,
    key: String,
    dir: tempfile::TempDir,
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
            endpoints,
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await
    .expect("sqlite workspace");
    let row = ws
        .connect_bluesky_oauth(
            "@alcance.bsky.social",
            None,
            0,
            &HeadlessBrowser::new(),
            std::time::Duration::from_secs(20),
        )
        .await
        .expect("sign in with AT Protocol OAuth");
    assert_eq!(row.account.platform, Platform::Bluesky);
    assert_eq!(row.account.external_id, DID, "stored by its DID");
    assert_eq!(row.account.username.as_deref(), Some("alcance.bsky.social"));
    assert_eq!(row.status, AccountStatus::Active);
    let views = alcance_app::views::accounts(&ws, None, Utc::now())
        .await
        .expect("accounts view");
    assert_eq!(
        views.iter().find(|v| v.id.get() == row.id).map(|v| v.connection),
        Some(ConnectionKind::Oauth),
        "signed in with OAuth, not an app password"
    );
    let key = row.vault_key.clone().expect("vault key");
    Setup {
        sandbox,
        ws,
        vault,
        key,
        dir,
    }
}

fn stored(s: &Setup) -> TokenSet {
    TokenSet::from_vault_json(&s.vault.get(&s.key).expect("get").expect("entry")).expect("token set")
}

fn binding(set: &TokenSet) -> SessionBinding {
    SessionBinding::parse(set.binding.as_ref().expect("bound session")).expect("binding")
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

/// Every file under `dir` as bytes, concatenated (the SQLite database and its WAL).
fn workspace_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in walk(dir) {
        all.extend(std::fs::read(entry).unwrap_or_default());
    }
    all
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_stores_bound_tokens_that_renew_rotate_and_revoke() {
    let s = setup().await;
    let first = stored(&s);
    assert_eq!(first.user_id.as_deref(), Some(DID));
    assert_eq!(first.scope.as_deref(), Some(oauth::SCOPE));
    assert!(first.refresh_token.is_some());
    let expires_in = first.expires_at.expect("expiry") - Utc::now();
    assert!(
        expires_in > Duration::minutes(25) && expires_in <= Duration::minutes(30),
        "{expires_in}"
    );
    let b = binding(&first);
    assert_eq!(b.issuer, s.sandbox.base_url().as_str().trim_end_matches('/'));
    assert!(b
        .client_id
        .starts_with("http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
    assert!(b.revocation_endpoint.is_some());

    // Collecting works (public reads) and the store holds no token and no key.
    let run = collect(&s).await;
    assert!(run.accounts.iter().all(|a| a.ok), "{run:?}");
    let bytes = workspace_bytes(s.dir.path());
    for secret in [
        first.access_token.expose_secret(),
        first.refresh_token.as_ref().expect("refresh").expose_secret(),
        b.dpop_key.as_str(),
    ] {
        assert!(!contains(&bytes, secret), "a secret reached the workspace files");
    }

    // Due: renewed at the token endpoint with a proof from the same key; the refresh token
    // rotates and the new one is stored before use.
    s.vault
        .put(
            &s.key,
            &TokenSet {
                expires_at: Some(Utc::now() + Duration::minutes(1)),
                ..first.clone()
            }
            .to_vault_json(),
        )
        .expect("put");
    let run = collect(&s).await;
    assert!(run.accounts.iter().all(|a| a.ok), "{run:?}");
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.code == "token_renewed" && e.message.contains("Bluesky")),
        "{events:?}"
    );
    let renewed = stored(&s);
    assert_ne!(renewed.access_token.expose_secret(), first.access_token.expose_secret());
    assert_ne!(
        renewed.refresh_token.as_ref().map(|t| t.expose_secret().to_string()),
        first.refresh_token.as_ref().map(|t| t.expose_secret().to_string()),
        "the refresh token rotates"
    );
    assert_eq!(binding(&renewed), b, "the same key and endpoints stay bound");

    // The spent refresh token is refused.
    match oauth::refresh(&first).await {
        Err(PlatformError::OAuth { message }) => assert!(message.contains("invalid_grant"), "{message}"),
        other => panic!("a spent refresh token must be refused: {other:?}"),
    }
    // A proof made with another key is refused even with the live refresh token.
    let other_key = DpopKey::generate().expect("key");
    let stolen = TokenSet {
        binding: Some(SecretString::from(
            serde_json::to_string(&SessionBinding {
                dpop_key: other_key.to_pkcs8_base64().expose_secret().to_string(),
                ..b.clone()
            })
            .expect("json"),
        )),
        ..renewed.clone()
    };
    match oauth::refresh(&stolen).await {
        Err(PlatformError::OAuth { message }) => assert!(message.contains("another DPoP key"), "{message}"),
        other => panic!("another key must be refused: {other:?}"),
    }

    // Disconnecting revokes the session, then removes the vault entry.
    let accounts = s.ws.store().list_accounts().await.expect("accounts");
    let id = accounts
        .iter()
        .find(|a| a.account.external_id == DID)
        .expect("account")
        .id;
    let row = s.ws.disconnect(AccountId(id)).await.expect("disconnect");
    assert_eq!(row.status, AccountStatus::Disconnected);
    assert!(s.vault.get(&s.key).expect("get").is_none(), "the vault entry is gone");
    assert!(
        oauth::refresh(&renewed).await.is_err(),
        "the revoked session cannot be renewed"
    );
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_handle_is_refused_before_any_sign_in() {
    let sandbox = Sandbox::start(SandboxConfig::seeded(12)).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = open_workspace(
        Engine::Sqlite,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    .expect("workspace");
    let err = ws
        .connect_bluesky_oauth(
            "nobody-here.bsky.social",
            None,
            0,
            &HeadlessBrowser::new(),
            std::time::Duration::from_secs(5),
        )
        .await
        .expect_err("unknown handle");
    assert!(format!("{err:#}").contains("resolving the Bluesky handle"), "{err:#}");
    assert!(ws.store().list_accounts().await.expect("accounts").is_empty());
    sandbox.shutdown().await;
}
