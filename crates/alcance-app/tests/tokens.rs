//! Token upkeep against the seeded sandbox: X and TikTok access tokens are refreshed ahead
//! of expiry and their rotated refresh tokens stored before use, Instagram's 60-day token is
//! refreshed once a day old, a revoked refresh token marks the account `needs_reauth` (it is
//! skipped and reported, the others keep collecting), and a refresh that fails for a passing
//! reason keeps the stored token. A TikTok account's API-for-Business token is renewed the
//! same way; when its refresh is refused the account keeps collecting with the Display API,
//! with a warning and a data gap instead of a re-authorization.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::demo_app;
use alcance_app::testing::{both_engines, open_workspace, TestWorkspace};
use alcance_app::tokens::{self, TokenAction, TokenEntry};
use alcance_app::views::SharedVault;
use alcance_app::{AccountId, WorkspaceOptions};
use alcance_collector::{RunKind, RunSummary};
use alcance_core::{EventLevel, Platform};
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, Provider, RedirectConfig, TokenSet};
use alcance_platforms::tiktok::TikTokBusinessClient;
use alcance_platforms::vault::{vault_key, MemoryVault, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints, Http};
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::{on_pool, Engine};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

struct Setup {
    sandbox: Sandbox,
    ws: TestWorkspace,
    vault: Arc<MemoryVault>,
    _dir: tempfile::TempDir,
}

fn tiktok_app() -> OAuthApp {
    OAuthApp {
        platform: Platform::Tiktok,
        client_id: "alcance-test-tiktok".into(),
        client_secret: Some(SecretString::from("tiktok-client-secret-4411".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    }
}

/// X and Instagram connected through the workspace, the X influencer tracked with the
/// owner's token, and a TikTok account connected through the TikTok OAuth flow.
/// `None` when the engine is skipped (see `alcance_store::testing`).
async fn setup(engine: Engine) -> Option<Setup> {
    let sandbox = Sandbox::start(SandboxConfig::seeded(11)).await.expect("sandbox");
    let endpoints = Endpoints::sandbox(&sandbox.base_url());
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let ws = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: endpoints.clone(),
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await?;
    let browser = HeadlessBrowser::new();
    let x = ws
        .connect(&demo_app(Platform::X), &browser, std::time::Duration::from_secs(30))
        .await
        .expect("connect X");
    ws.connect(
        &demo_app(Platform::Instagram),
        &browser,
        std::time::Duration::from_secs(30),
    )
    .await
    .expect("connect Instagram");
    ws.track(Platform::X, "1580000000000000002", Some("ana_influencer"), &x)
        .await
        .expect("track");

    let app = tiktok_app();
    let set = oauth::authorize(
        &app,
        &Provider::tiktok(&endpoints),
        &browser,
        std::time::Duration::from_secs(30),
    )
    .await
    .expect("TikTok OAuth");
    let open_id = set.user_id.clone().expect("open_id");
    let key = vault_key(Platform::Tiktok, &open_id);
    vault.put(&key, &set.to_vault_json()).expect("vault");
    tokens::remember_app(
        ws.store(),
        &SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>),
        &app,
    )
    .await
    .expect("remember app");
    ws.store()
        .upsert_account(
            &alcance_core::AccountRef {
                platform: Platform::Tiktok,
                external_id: open_id,
                username: None,
                owned: true,
            },
            None,
            Some(&key),
        )
        .await
        .expect("account");
    Some(Setup {
        sandbox,
        ws,
        vault,
        _dir: dir,
    })
}

fn stored(vault: &MemoryVault, key: &str) -> TokenSet {
    TokenSet::from_vault_json(&vault.get(key).expect("get").expect("entry")).expect("token set")
}

/// Makes the stored set of `key` expire at `at` (the tokens themselves are untouched).
fn age(vault: &MemoryVault, key: &str, at: DateTime<Utc>) {
    let mut set = stored(vault, key);
    set.expires_at = Some(at);
    vault.put(key, &set.to_vault_json()).expect("put");
}

async fn key_of(s: &Setup, platform: Platform) -> String {
    let rows = s.ws.store().list_accounts().await.expect("accounts");
    rows.iter()
        .find(|a| a.account.platform == platform && a.account.owned)
        .and_then(|a| a.vault_key.clone())
        .expect("vault key")
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

fn secret(t: &Option<SecretString>) -> String {
    t.as_ref().map(|s| s.expose_secret().to_string()).unwrap_or_default()
}

async fn tokens_due_are_renewed_and_rotated_refresh_tokens_stored_before_use(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let (x_key, ig_key, tt_key) = (
        key_of(&s, Platform::X).await,
        key_of(&s, Platform::Instagram).await,
        key_of(&s, Platform::Tiktok).await,
    );
    let now = Utc::now();
    age(&s.vault, &x_key, now + Duration::minutes(5));
    age(&s.vault, &tt_key, now + Duration::minutes(5));
    age(&s.vault, &ig_key, now + Duration::days(58));
    let (x_old, ig_old, tt_old) = (
        stored(&s.vault, &x_key),
        stored(&s.vault, &ig_key),
        stored(&s.vault, &tt_key),
    );

    let run = collect(&s).await;

    let x_new = stored(&s.vault, &x_key);
    assert_ne!(x_new.access_token.expose_secret(), x_old.access_token.expose_secret());
    assert_ne!(secret(&x_new.refresh_token), secret(&x_old.refresh_token), "X rotates");
    assert!(!secret(&x_new.refresh_token).is_empty());
    let x_expiry = x_new.expires_at.expect("expiry") - Utc::now();
    assert!(
        x_expiry > Duration::minutes(110) && x_expiry <= Duration::hours(2),
        "{x_expiry}"
    );

    let tt_new = stored(&s.vault, &tt_key);
    assert_ne!(tt_new.access_token.expose_secret(), tt_old.access_token.expose_secret());
    assert_ne!(secret(&tt_new.refresh_token), secret(&tt_old.refresh_token));
    assert_eq!(tt_new.user_id, tt_old.user_id, "open_id kept");
    // The old TikTok refresh token no longer works: only the stored new one does.
    let provider = Provider::tiktok(s.ws.endpoints());
    let stale = oauth::refresh(&tiktok_app(), &provider, tt_old.refresh_token.as_ref().expect("rt")).await;
    assert!(
        matches!(stale, Err(alcance_platforms::PlatformError::OAuth { .. })),
        "{stale:?}"
    );

    let ig_new = stored(&s.vault, &ig_key);
    assert_ne!(ig_new.access_token.expose_secret(), ig_old.access_token.expose_secret());
    let ig_expiry = ig_new.expires_at.expect("expiry") - Utc::now();
    assert!(ig_expiry > Duration::days(59), "{ig_expiry}");
    assert_eq!(
        secret(&ig_new.refresh_token),
        ig_new.access_token.expose_secret(),
        "Instagram refreshes a token with itself"
    );

    // The run used the new tokens: X and Instagram collected; each renewal is logged.
    for a in &run.accounts {
        match a.account.platform {
            Platform::X | Platform::Instagram => assert!(a.ok && a.metrics > 0, "{a:?}"),
            _ => {}
        }
    }
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    let renewed: Vec<_> = events.iter().filter(|e| e.code == "token_renewed").collect();
    // X owner + its tracked profile, Instagram, TikTok.
    assert_eq!(renewed.len(), 4, "{events:?}");
    assert!(renewed.iter().all(|e| e.level == EventLevel::Info));

    // Nothing is due on the next run.
    let again =
        s.ws.refresh_tokens(&s.ws.store().list_accounts().await.expect("rows"))
            .await;
    assert!(again.iter().all(|c| c.action == TokenAction::Valid), "{again:?}");
    s.sandbox.shutdown().await;
}

async fn a_revoked_refresh_token_marks_the_account_needs_reauth_and_the_rest_keep_collecting(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let x_key = key_of(&s, Platform::X).await;
    let x = stored(&s.vault, &x_key);
    let revoked: serde_json::Value = reqwest::Client::new()
        .post(s.sandbox.base_url().join("__alcance/revoke").expect("url"))
        .json(&serde_json::json!({ "token": secret(&x.refresh_token) }))
        .send()
        .await
        .expect("revoke")
        .json()
        .await
        .expect("json");
    assert_eq!(revoked["revoked"], true);
    age(&s.vault, &x_key, Utc::now() + Duration::minutes(1));

    let run = collect(&s).await;
    assert_eq!(run.status, "partial", "{run:?}");
    let rows = s.ws.store().list_accounts().await.expect("rows");
    for a in &run.accounts {
        let status = &rows.iter().find(|r| r.id == a.account_id).expect("row").status;
        match a.account.platform {
            Platform::X => {
                assert!(!a.ok && a.needs_reauth, "{a:?}");
                assert_eq!(status, "needs_reauth");
            }
            Platform::Instagram => {
                assert!(a.ok && a.metrics > 0, "{a:?}");
                assert_eq!(status, "active");
            }
            _ => {}
        }
    }
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    let refused: Vec<_> = events.iter().filter(|e| e.code == "refresh_refused").collect();
    assert_eq!(refused.len(), 2, "owner and tracked profile: {events:?}");
    assert!(refused.iter().all(|e| e.level == EventLevel::Error
        && e.message.contains("connect the account again")
        && !e.message.contains(x.access_token.expose_secret())
        && !e.message.contains(&secret(&x.refresh_token))));
    // Skipped means skipped: no X API request was made in this run.
    let x_requests: i64 = sqlx_count(
        &s,
        "SELECT count(*) FROM raw_responses WHERE run_id = $1 AND url LIKE '%/2/%'",
        run.run_id,
    )
    .await;
    assert_eq!(x_requests, 0);
    // The dead token stays in the vault (a reconnect replaces it).
    assert_eq!(
        stored(&s.vault, &x_key).access_token.expose_secret(),
        x.access_token.expose_secret()
    );
    s.sandbox.shutdown().await;
}

async fn a_refresh_that_fails_for_a_passing_reason_keeps_the_stored_token(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let x_key = key_of(&s, Platform::X).await;
    age(&s.vault, &x_key, Utc::now() + Duration::minutes(5));
    let before = stored(&s.vault, &x_key);
    reqwest::Client::new()
        .post(s.sandbox.base_url().join("__alcance/faults").expect("url"))
        .json(&serde_json::json!({"path_prefix": "/2/oauth2/token", "kind": "status_500", "times": 5}))
        .send()
        .await
        .expect("fault")
        .error_for_status()
        .expect("armed");
    let run = collect(&s).await;
    let x = run
        .accounts
        .iter()
        .find(|a| a.account.platform == Platform::X && a.account.owned)
        .expect("X");
    assert!(x.ok && !x.needs_reauth, "the still-valid token collects: {x:?}");
    assert_eq!(
        stored(&s.vault, &x_key).access_token.expose_secret(),
        before.access_token.expose_secret()
    );
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.code == "refresh_deferred" && e.level == EventLevel::Warn),
        "{events:?}"
    );
    s.sandbox.shutdown().await;
}

/// Connects the TikTok account's API for Business: a second TikTok grant (the sandbox's
/// Business API takes its TikTok tokens) stored beside the Display one. Returns its key.
async fn connect_business(s: &Setup) -> String {
    let set = oauth::authorize(
        &tiktok_app(),
        &Provider::tiktok(s.ws.endpoints()),
        &HeadlessBrowser::new(),
        std::time::Duration::from_secs(30),
    )
    .await
    .expect("TikTok Business grant");
    let open_id = set.user_id.clone().expect("open_id");
    s.ws.set_tiktok_business_token(&open_id, &set).expect("store");
    alcance_app::workspace::tiktok_business_key(&open_id)
}

async fn revoke(s: &Setup, token: &str) {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(s.sandbox.base_url().join("__alcance/revoke").expect("url"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .expect("revoke")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["revoked"], true);
}

fn tiktok_outcome(run: &RunSummary) -> &alcance_collector::AccountOutcome {
    run.accounts
        .iter()
        .find(|a| a.account.platform == Platform::Tiktok)
        .expect("TikTok outcome")
}

async fn an_aged_tiktok_business_token_is_renewed_and_stored_before_use(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let biz_key = connect_business(&s).await;
    let tt_key = key_of(&s, Platform::Tiktok).await;
    age(&s.vault, &biz_key, Utc::now() + Duration::minutes(5));
    let (old, display) = (stored(&s.vault, &biz_key), stored(&s.vault, &tt_key));
    // Only a renewed token can read the API for Business in this run.
    revoke(&s, old.access_token.expose_secret()).await;

    let run = collect(&s).await;

    let new = stored(&s.vault, &biz_key);
    assert_ne!(new.access_token.expose_secret(), old.access_token.expose_secret());
    let lifetime = new.expires_at.expect("expiry") - Utc::now();
    assert!(
        lifetime > Duration::hours(23) + Duration::minutes(50) && lifetime <= Duration::hours(24),
        "24 h Business tokens: {lifetime}"
    );
    assert_eq!(new.user_id, old.user_id, "open_id kept");
    // The API for Business keeps the refresh token (no rotation): it still works.
    assert_eq!(secret(&new.refresh_token), secret(&old.refresh_token));
    let app = tiktok_app();
    let again = TikTokBusinessClient::new(Http::new().expect("http"), s.ws.endpoints().clone())
        .refresh(
            &app.client_id,
            app.client_secret.as_ref().expect("secret"),
            new.refresh_token.as_ref().expect("refresh token"),
        )
        .await
        .expect("the stored refresh token still works");
    assert!(again.refresh_token_expires_in.is_some_and(|s| s <= 31_536_000));
    // The Display entry was not due and is untouched.
    assert_eq!(
        stored(&s.vault, &tt_key).access_token.expose_secret(),
        display.access_token.expose_secret()
    );

    // The run read the API for Business with the new token: no gap, no warning.
    let tiktok = tiktok_outcome(&run);
    assert!(tiktok.ok && tiktok.gaps == 0 && tiktok.metrics > 0, "{tiktok:?}");
    let business_calls = sqlx_count(
        &s,
        "SELECT count(*) FROM raw_responses WHERE run_id = $1 AND url LIKE '%/open_api/v1.3/business/%'",
        run.run_id,
    )
    .await;
    assert!(business_calls > 0);
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    let renewed: Vec<_> = events
        .iter()
        .filter(|e| e.code == "token_renewed" && e.account_id == Some(tiktok.account_id))
        .collect();
    assert_eq!(renewed.len(), 1, "{events:?}");
    assert_eq!(renewed[0].level, EventLevel::Info);
    assert!(
        renewed[0].message.contains("API for Business"),
        "{}",
        renewed[0].message
    );
    assert!(
        events
            .iter()
            .all(|e| e.account_id != Some(tiktok.account_id) || e.level == EventLevel::Info),
        "{events:?}"
    );

    // Nothing is due on the next run; the Business check is reported as such.
    let checks =
        s.ws.refresh_tokens(&s.ws.store().list_accounts().await.expect("rows"))
            .await;
    let business = checks
        .iter()
        .find(|c| c.entry == TokenEntry::TiktokBusiness)
        .expect("a Business check");
    assert_eq!(
        (business.vault_key.as_str(), &business.action),
        (biz_key.as_str(), &TokenAction::Valid)
    );
    s.sandbox.shutdown().await;
}

async fn a_refused_tiktok_business_refresh_keeps_the_account_collecting_with_a_warning(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let biz_key = connect_business(&s).await;
    let old = stored(&s.vault, &biz_key);
    // The account holder revoked the Business authorization: both tokens are dead.
    revoke(&s, &secret(&old.refresh_token)).await;
    revoke(&s, old.access_token.expose_secret()).await;
    age(&s.vault, &biz_key, Utc::now() + Duration::minutes(5));

    let run = collect(&s).await;

    assert_eq!(run.progress.accounts_failed, 0, "{run:?}");
    let tiktok = tiktok_outcome(&run);
    assert!(tiktok.ok && !tiktok.needs_reauth, "{tiktok:?}");
    assert!(tiktok.metrics > 0, "Display metrics collected: {tiktok:?}");
    let rows = s.ws.store().list_accounts().await.expect("rows");
    let row = rows.iter().find(|r| r.id == tiktok.account_id).expect("row");
    assert_eq!(row.status, "active");
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    let mine: Vec<_> = events
        .iter()
        .filter(|e| e.account_id == Some(tiktok.account_id))
        .collect();
    let warned: Vec<_> = mine.iter().filter(|e| e.code == "tiktok_business_reauth").collect();
    assert_eq!(warned.len(), 1, "{events:?}");
    assert_eq!(warned[0].level, EventLevel::Warn);
    assert!(
        warned[0].message.contains("connect TikTok Business again"),
        "{}",
        warned[0].message
    );
    assert!(
        !mine.iter().any(|e| e.level == EventLevel::Error),
        "no error for the account: {events:?}"
    );
    // The Business metrics are a data gap of the run, not a failure.
    assert!(
        mine.iter()
            .any(|e| e.level == EventLevel::Gap && e.code == "unauthorized"),
        "{events:?}"
    );
    // No secret in any event.
    let app_secret = secret(&tiktok_app().client_secret);
    for e in &events {
        for token in [
            old.access_token.expose_secret(),
            &secret(&old.refresh_token),
            &app_secret,
        ] {
            assert!(!e.message.contains(token), "{e:?}");
        }
    }
    // The Business entry stays (a reconnect replaces it); the Display one is untouched.
    assert_eq!(
        stored(&s.vault, &biz_key).access_token.expose_secret(),
        old.access_token.expose_secret()
    );
    s.sandbox.shutdown().await;
}

async fn a_business_entry_sharing_the_display_grant_follows_the_display_renewal(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let tt_key = key_of(&s, Platform::Tiktok).await;
    let rows = s.ws.store().list_accounts().await.expect("rows");
    let account = rows
        .iter()
        .find(|a| a.account.platform == Platform::Tiktok)
        .expect("TikTok row");
    // The demo's shortcut: the Display grant stored as the Business token too.
    s.ws.use_display_token_for_tiktok_business(account).expect("copy");
    let biz_key = alcance_app::workspace::tiktok_business_key(&account.account.external_id);
    let soon = Utc::now() + Duration::minutes(5);
    age(&s.vault, &tt_key, soon);
    age(&s.vault, &biz_key, soon);
    let old = stored(&s.vault, &tt_key);

    let run = collect(&s).await;

    let (display, business) = (stored(&s.vault, &tt_key), stored(&s.vault, &biz_key));
    assert_ne!(secret(&display.refresh_token), secret(&old.refresh_token), "rotated");
    assert_eq!(
        business.access_token.expose_secret(),
        display.access_token.expose_secret()
    );
    assert_eq!(secret(&business.refresh_token), secret(&display.refresh_token));
    let tiktok = tiktok_outcome(&run);
    assert!(tiktok.ok && tiktok.gaps == 0, "{tiktok:?}");
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    assert!(!events.iter().any(|e| e.code == "tiktok_business_reauth"), "{events:?}");
    s.sandbox.shutdown().await;
}

/// `SELECT count(*) ...` with one bound id.
async fn sqlx_count(s: &Setup, sql: &str, id: i64) -> i64 {
    let row: (i64,) =
        on_pool!(s.ws.store().pool(), |p| sqlx::query_as(sql).bind(id).fetch_one(p).await).expect("count");
    row.0
}

/// Disconnect keeps the data and drops the token once no account uses it; delete drops both.
async fn disconnect_keeps_data_and_forgets_unshared_tokens_delete_removes_everything(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let first = collect(&s).await;
    assert_eq!(first.progress.accounts_failed, 0, "{first:?}");
    let accounts = s.ws.store().list_accounts().await.expect("accounts");
    let find = |platform: Platform, owned: bool| {
        accounts
            .iter()
            .find(|a| a.account.platform == platform && a.account.owned == owned)
            .cloned()
            .expect("account")
    };
    let (x_owner, x_tracked, instagram) = (
        find(Platform::X, true),
        find(Platform::X, false),
        find(Platform::Instagram, true),
    );
    let x_key = x_owner.vault_key.clone().expect("x key");
    let ig_key = instagram.vault_key.clone().expect("ig key");

    // The tracked profile still collects with the owner's token: the token stays.
    let row = s.ws.disconnect(AccountId(x_owner.id)).await.expect("disconnect owner");
    assert_eq!(row.status, "disconnected");
    assert!(
        s.vault.get(&x_key).expect("get").is_some(),
        "a shared token was removed"
    );
    let metrics_before = sqlx_count(
        &s,
        "SELECT COUNT(*) FROM account_metrics WHERE account_id = $1",
        x_owner.id,
    )
    .await;
    assert!(metrics_before > 0);
    // Once nobody uses it, it goes; the data stays.
    s.ws.disconnect(AccountId(x_tracked.id))
        .await
        .expect("disconnect tracked");
    assert!(
        s.vault.get(&x_key).expect("get").is_none(),
        "the token outlived its accounts"
    );
    assert_eq!(
        sqlx_count(
            &s,
            "SELECT COUNT(*) FROM account_metrics WHERE account_id = $1",
            x_owner.id
        )
        .await,
        metrics_before
    );
    // Disconnected accounts are not collected.
    let second = collect(&s).await;
    assert!(
        second.accounts.iter().all(|a| a.account.platform != Platform::X),
        "{second:?}"
    );

    // Delete: rows and token gone, the rest untouched.
    let ig_posts = sqlx_count(&s, "SELECT COUNT(*) FROM posts WHERE account_id = $1", instagram.id).await;
    assert!(ig_posts > 0);
    s.ws.delete_account(AccountId(instagram.id)).await.expect("delete");
    assert!(s.ws.account(AccountId(instagram.id)).await.is_err());
    for table in ["posts", "account_metrics", "audience"] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE account_id = $1");
        assert_eq!(
            sqlx_count(&s, &sql, instagram.id).await,
            0,
            "{table} kept rows of a deleted account"
        );
    }
    assert!(s.vault.get(&ig_key).expect("get").is_none());
    assert!(
        s.ws.delete_account(AccountId(instagram.id)).await.is_err(),
        "deleting twice must fail"
    );
    assert_eq!(
        sqlx_count(
            &s,
            "SELECT COUNT(*) FROM account_metrics WHERE account_id = $1",
            x_owner.id
        )
        .await,
        metrics_before
    );
    s.sandbox.shutdown().await;
}

both_engines!(
    multi_thread:
    tokens_due_are_renewed_and_rotated_refresh_tokens_stored_before_use,
    a_revoked_refresh_token_marks_the_account_needs_reauth_and_the_rest_keep_collecting,
    a_refresh_that_fails_for_a_passing_reason_keeps_the_stored_token,
    an_aged_tiktok_business_token_is_renewed_and_stored_before_use,
    a_refused_tiktok_business_refresh_keeps_the_account_collecting_with_a_warning,
    a_business_entry_sharing_the_display_grant_follows_the_display_renewal,
);

both_engines!(disconnect_keeps_data_and_forgets_unshared_tokens_delete_removes_everything);
