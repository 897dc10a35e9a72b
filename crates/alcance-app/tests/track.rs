//! Following a public profile by its handle against the seeded sandbox: X resolves the
//! handle with `users/by/username`, Instagram with business discovery, both with the owned
//! account's token; the profile is stored once (tracking it again gives the same account),
//! collects with the owner's token, and bad handles, unknown handles, platforms whose API
//! cannot follow profiles and unusable owners are refused with a message saying why.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::demo_app;
use alcance_app::testing::{both_engines, open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::{AccountId, AppError, Workspace, WorkspaceOptions};
use alcance_collector::RunKind;
use alcance_core::Platform;
use alcance_platforms::oauth::{HeadlessBrowser, TokenSet};
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints, PlatformError};
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use alcance_store::{AccountRow, RowFilter, StoreError};
use chrono::{Duration, Utc};
use secrecy::ExposeSecret;
use std::sync::Arc;

struct Setup {
    sandbox: Sandbox,
    ws: TestWorkspace,
    vault: Arc<MemoryVault>,
    x: AccountRow,
    ig: AccountRow,
    _dir: tempfile::TempDir,
}

/// The seeded sandbox with X (`alcance_br`) and Instagram (`alcance.br`) connected through
/// OAuth; nothing tracked yet.
/// `None` when the engine is skipped (see `alcance_store::testing`).
async fn setup(engine: Engine) -> Option<Setup> {
    let sandbox = Sandbox::start(SandboxConfig::seeded(23))
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let vault = Arc::new(MemoryVault::new());
    let ws = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await?;
    let browser = HeadlessBrowser::new();
    let timeout = std::time::Duration::from_secs(30);
    let x = ws
        .connect(&demo_app(Platform::X), &browser, timeout)
        .await
        .unwrap_or_else(|e| panic!("connect X: {e:#}"));
    let ig = ws
        .connect(&demo_app(Platform::Instagram), &browser, timeout)
        .await
        .unwrap_or_else(|e| panic!("connect Instagram: {e:#}"));
    assert!(x.account.owned && ig.account.owned);
    Some(Setup {
        sandbox,
        ws,
        vault,
        x,
        ig,
        _dir: dir,
    })
}

async fn accounts(s: &Setup) -> Vec<AccountRow> {
    s.ws.store()
        .list_accounts()
        .await
        .unwrap_or_else(|e| panic!("accounts: {e}"))
}

async fn track(s: &Setup, platform: Platform, handle: &str, owner: i64) -> AccountRow {
    s.ws.track_by_username(platform, handle, AccountId(owner))
        .await
        .unwrap_or_else(|e| panic!("tracking {handle:?} on {platform}: {e:#}"))
}

async fn refused(s: &Setup, platform: Platform, handle: &str, owner: i64) -> AppError {
    match s.ws.track_by_username(platform, handle, AccountId(owner)).await {
        Ok(row) => panic!("tracking {handle:?} on {platform} should fail, got account {}", row.id),
        Err(e) => e,
    }
}

fn stored(vault: &MemoryVault, key: &str) -> TokenSet {
    let json = vault
        .get(key)
        .unwrap_or_else(|e| panic!("vault: {e}"))
        .unwrap_or_else(|| panic!("no vault entry {key}"));
    TokenSet::from_vault_json(&json).unwrap_or_else(|e| panic!("token set: {e}"))
}

async fn follows_x_and_instagram_profiles_by_handle_once_and_collects_them(engine: Engine) {
    let Some(s) = setup(engine).await else { return };

    // X, by handle without '@', then again with '@' and blanks: one account.
    let ana_x = track(&s, Platform::X, "ana_influencer", s.x.id).await;
    assert_eq!(ana_x.account.platform, Platform::X);
    assert_eq!(ana_x.account.external_id, "1580000000000000002");
    assert_eq!(ana_x.account.username.as_deref(), Some("ana_influencer"));
    assert!(!ana_x.account.owned);
    assert_eq!(ana_x.status, "active");
    assert_eq!(ana_x.vault_key, s.x.vault_key, "collects with the owner's token");
    assert!(
        ana_x.display_name.as_deref().is_some_and(|n| !n.trim().is_empty()),
        "the lookup's display name is kept: {:?}",
        ana_x.display_name
    );
    let again = track(&s, Platform::X, "  @ana_influencer ", s.x.id).await;
    assert_eq!(again.id, ana_x.id);

    // Instagram, through business discovery with the owner's token, with and without '@'.
    let ana_ig = track(&s, Platform::Instagram, "@ana.influencer", s.ig.id).await;
    assert_eq!(ana_ig.account.platform, Platform::Instagram);
    assert_eq!(ana_ig.account.external_id, "17841400000000002");
    assert_eq!(ana_ig.account.username.as_deref(), Some("ana.influencer"));
    assert!(!ana_ig.account.owned);
    assert_eq!(ana_ig.vault_key, s.ig.vault_key);
    let again = track(&s, Platform::Instagram, "ana.influencer", s.ig.id).await;
    assert_eq!(again.id, ana_ig.id);

    let all = accounts(&s).await;
    assert_eq!(all.len(), 4, "two owned, two tracked, no duplicate: {all:?}");

    // Both collect with their owner's token and get follower snapshots.
    let now = Utc::now();
    let summary =
        s.ws.collect(
            CollectWindow {
                since: now - Duration::days(7),
                until: now,
            },
            now,
            RunKind::Manual,
            &[ana_x.id, ana_ig.id],
            &|_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("collect: {e:#}"));
    assert_eq!(summary.accounts.len(), 2, "{summary:?}");
    assert!(summary.accounts.iter().all(|a| a.ok), "{summary:?}");
    for tracked in [&ana_x, &ana_ig] {
        let rows =
            s.ws.store()
                .account_metric_rows(&RowFilter {
                    account_ids: vec![tracked.id],
                    metrics: vec!["followers".into()],
                    ..RowFilter::default()
                })
                .await
                .unwrap_or_else(|e| panic!("rows: {e}"));
        assert!(!rows.is_empty(), "no followers rows for {:?}", tracked.account);
        assert!(rows
            .iter()
            .all(|r| r.user_id == tracked.account.external_id && r.value.is_some_and(|v| v > 0.0)));
    }

    // A disconnected profile followed again is active again, still the same account.
    let x_before = stored(&s.vault, s.x.vault_key.as_deref().unwrap_or_default());
    s.ws.disconnect(AccountId(ana_x.id))
        .await
        .unwrap_or_else(|e| panic!("disconnect: {e:#}"));
    let resumed = track(&s, Platform::X, "ana_influencer", s.x.id).await;
    assert_eq!((resumed.id, resumed.status.as_str()), (ana_x.id, "active"));
    // The owner's token stayed (it is the owner's, not the profile's).
    let x_after = stored(&s.vault, s.x.vault_key.as_deref().unwrap_or_default());
    assert_eq!(
        x_after.access_token.expose_secret(),
        x_before.access_token.expose_secret()
    );
}

async fn refuses_unknown_illegal_and_unfollowable_handles(engine: Engine) {
    let Some(s) = setup(engine).await else { return };

    // Unknown handles: the error names the handle and carries the platform's NotFound.
    for (platform, owner, handle) in [
        (Platform::X, s.x.id, "nobody_here_42"),
        (Platform::Instagram, s.ig.id, "no.such.account"),
    ] {
        let e = refused(&s, platform, handle, owner).await;
        let message = e.message();
        assert!(message.contains(&format!("@{handle}")), "{message}");
        assert!(
            e.causes()
                .any(|c| matches!(c.downcast_ref::<PlatformError>(), Some(PlatformError::NotFound { .. }))),
            "{message}"
        );
        if platform == Platform::Instagram {
            assert!(message.contains("Business or Creator"), "{message}");
        }
    }

    // Platforms whose API cannot follow profiles the user does not manage.
    for platform in [Platform::Tiktok, Platform::Facebook, Platform::Whatsapp] {
        let e = refused(&s, platform, "ana.influencer", s.x.id).await;
        let message = e.message();
        assert!(
            message.contains("does not allow following profiles you do not manage"),
            "{message}"
        );
        assert!(message.contains(platform.label()), "{message}");
    }
    let facebook = refused(&s, Platform::Facebook, "anainfluencer", s.x.id).await.message();
    assert!(facebook.contains("Page Public Content Access"), "{facebook}");

    // Illegal handles, refused before any call.
    let long_x = "a".repeat(16);
    let long_ig = "a".repeat(31);
    for (platform, owner, handle) in [
        (Platform::X, s.x.id, ""),
        (Platform::X, s.x.id, "  @ "),
        (Platform::X, s.x.id, "ana influencer"),
        (Platform::X, s.x.id, "ana.influencer"),
        (Platform::X, s.x.id, "@@ana"),
        (Platform::X, s.x.id, long_x.as_str()),
        (Platform::Instagram, s.ig.id, "ana-influencer"),
        (Platform::Instagram, s.ig.id, "ana/../me"),
        (Platform::Instagram, s.ig.id, long_ig.as_str()),
    ] {
        let e = refused(&s, platform, handle, owner).await;
        assert!(
            e.causes().all(|c| c.downcast_ref::<PlatformError>().is_none()),
            "{handle:?}: no platform call expected: {e:#}"
        );
        assert!(Workspace::track_handle(platform, handle).is_err(), "{handle:?}");
    }
    // The longest legal handles pass the check.
    assert_eq!(
        Workspace::track_handle(Platform::X, &format!("@{}", "a".repeat(15))).ok(),
        Some("a".repeat(15))
    );
    assert_eq!(
        Workspace::track_handle(Platform::Instagram, &"a.b_".repeat(7)).ok(),
        Some("a.b_".repeat(7))
    );

    // Following one's own connected account changes nothing.
    let e = refused(&s, Platform::X, "@alcance_br", s.x.id).await;
    assert!(e.message().contains("one of your connected X accounts"), "{e:#}");

    let all = accounts(&s).await;
    assert_eq!(all.len(), 2, "nothing was added: {all:?}");
    assert!(all.iter().all(|a| a.account.owned));
}

async fn the_owner_must_be_a_connected_account_of_the_platform(engine: Engine) {
    let Some(s) = setup(engine).await else { return };

    // Unknown owner: the store's NotFound.
    let e = refused(&s, Platform::X, "ana_influencer", 999).await;
    assert!(
        e.causes()
            .any(|c| matches!(c.downcast_ref::<StoreError>(), Some(StoreError::NotFound { .. }))),
        "{e:#}"
    );
    // Another platform's account.
    let e = refused(&s, Platform::Instagram, "ana.influencer", s.x.id).await;
    assert!(e.message().contains("belongs to X, not Instagram"), "{e:#}");
    // A tracked profile is no owner.
    let ana = track(&s, Platform::X, "ana_influencer", s.x.id).await;
    let e = refused(&s, Platform::X, "alcance_br", ana.id).await;
    assert!(e.message().contains("not an account you connected"), "{e:#}");

    // The owner's token is renewed first when due, then used for the lookup.
    let key = s.x.vault_key.clone().unwrap_or_default();
    let mut set = stored(&s.vault, &key);
    let old = set.access_token.expose_secret().to_string();
    set.expires_at = Some(Utc::now() + Duration::minutes(5));
    s.vault
        .put(&key, &set.to_vault_json())
        .unwrap_or_else(|e| panic!("vault: {e}"));
    let again = track(&s, Platform::X, "ana_influencer", s.x.id).await;
    assert_eq!(again.id, ana.id);
    assert_ne!(stored(&s.vault, &key).access_token.expose_secret(), old, "renewed");

    // A renewal the platform refuses: the owner needs re-authorization, nothing is looked up.
    let mut set = stored(&s.vault, &key);
    let refresh = set
        .refresh_token
        .as_ref()
        .map(|t| t.expose_secret().to_string())
        .unwrap_or_default();
    let answer: serde_json::Value = reqwest::Client::new()
        .post(
            s.sandbox
                .base_url()
                .join("__alcance/revoke")
                .unwrap_or_else(|e| panic!("url: {e}")),
        )
        .json(&serde_json::json!({ "token": refresh }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("revoke: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("revoke answer: {e}"));
    assert_eq!(answer["revoked"], true);
    set.expires_at = Some(Utc::now() + Duration::minutes(1));
    s.vault
        .put(&key, &set.to_vault_json())
        .unwrap_or_else(|e| panic!("vault: {e}"));
    let e = refused(&s, Platform::X, "ana_influencer", s.x.id).await;
    assert!(
        e.causes().any(|c| matches!(
            c.downcast_ref::<PlatformError>(),
            Some(PlatformError::Unauthorized { .. })
        )),
        "{e:#}"
    );
    assert!(e.message().contains("connect it again"), "{e:#}");
    let owner = accounts(&s).await.into_iter().find(|a| a.id == s.x.id);
    assert_eq!(owner.map(|a| a.status.to_string()), Some("needs_reauth".to_string()));

    // A disconnected owner (its token leaves the vault once no profile uses it).
    s.ws.delete_account(AccountId(ana.id))
        .await
        .unwrap_or_else(|e| panic!("delete: {e:#}"));
    s.ws.disconnect(AccountId(s.x.id))
        .await
        .unwrap_or_else(|e| panic!("disconnect: {e:#}"));
    let e = refused(&s, Platform::X, "ana_influencer", s.x.id).await;
    assert!(e.message().contains("is disconnected"), "{e:#}");
    assert!(accounts(&s).await.iter().all(|a| a.account.owned));
}

both_engines!(
    multi_thread:
    follows_x_and_instagram_profiles_by_handle_once_and_collects_them,
    refuses_unknown_illegal_and_unfollowable_handles,
    the_owner_must_be_a_connected_account_of_the_platform,
);
