//! Threads against the seeded sandbox through the app: a pasted long-lived token is
//! validated with `/me` and kept only in the vault, token upkeep refreshes it once a day
//! old (`th_refresh_token`, no developer app needed), the code a hosted callback page hands
//! back is exchanged for a 60-day token (the app's secret kept in the vault for later), a
//! refused token is refused at connect with no secret in the message, and the loopback
//! flow says why Threads cannot use it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::testing::{open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::WorkspaceOptions;
use alcance_collector::RunKind;
use alcance_core::{AccountStatus, ConnectionKind, Platform};
use alcance_platforms::oauth::{AuthorizeRequest, HeadlessBrowser, OAuthApp, Provider, RedirectConfig, TokenSet};
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints};
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::sync::Arc;

const USER_ID: &str = "27000000000000001";
const CALLBACK: &str = "https://alcance.example/threads-callback/";

struct Setup {
    sandbox: Sandbox,
    endpoints: Endpoints,
    ws: TestWorkspace,
    vault: Arc<MemoryVault>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start(SandboxConfig::seeded(14)).await.expect("sandbox");
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
    Setup {
        sandbox,
        endpoints,
        ws,
        vault,
        _dir: dir,
    }
}

async fn generator_token(s: &Setup) -> SecretString {
    let grant: Value = reqwest::get(s.sandbox.base_url().join("__alcance/threads-token").expect("url"))
        .await
        .expect("control")
        .json()
        .await
        .expect("json");
    SecretString::from(grant["access_token"].as_str().expect("token").to_string())
}

fn app() -> OAuthApp {
    OAuthApp {
        platform: Platform::Threads,
        client_id: "threads-app-id".into(),
        client_secret: Some(SecretString::from("threads-app-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::default(),
    }
}

/// How the accounts screen says account `id` is connected.
async fn connection(s: &Setup, id: i64) -> ConnectionKind {
    let views = alcance_app::views::accounts(&s.ws, None, Utc::now())
        .await
        .expect("accounts view");
    views
        .iter()
        .find(|v| v.id.get() == id)
        .expect("account in the view")
        .connection
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_token_is_validated_stored_and_refreshed_once_a_day_old() {
    let s = setup().await;
    let token = generator_token(&s).await;
    let row =
        s.ws.connect_threads_token(SecretString::from(format!("  {}\n", token.expose_secret())))
            .await
            .expect("connect with a pasted token");
    assert_eq!(row.account.external_id, USER_ID);
    assert_eq!(row.account.username.as_deref(), Some("alcance.br"));
    assert_eq!(row.status, AccountStatus::Active);
    let key = row.vault_key.clone().expect("vault key");
    let stored = TokenSet::from_vault_json(&s.vault.get(&key).expect("get").expect("entry")).expect("set");
    assert_eq!(stored.access_token.expose_secret(), token.expose_secret(), "trimmed");
    assert!(stored.expires_at.is_some_and(|t| t > Utc::now() + Duration::days(59)));
    assert_eq!(
        connection(&s, row.id).await,
        ConnectionKind::Token,
        "a pasted token, not OAuth"
    );

    // A day later: the upkeep refreshes it with the token itself (no app was ever given).
    let aged = TokenSet {
        expires_at: Some(Utc::now() + Duration::days(59)),
        ..stored
    };
    s.vault.put(&key, &aged.to_vault_json()).expect("put");
    let now = Utc::now();
    let run =
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
        .expect("run");
    assert!(run.accounts.iter().all(|a| a.ok && a.metrics > 0), "{run:?}");
    let events = s.ws.store().run_events(run.run_id).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.code == "token_renewed" && e.message.contains("Threads")),
        "{events:?}"
    );
    let renewed = TokenSet::from_vault_json(&s.vault.get(&key).expect("get").expect("entry")).expect("set");
    assert_ne!(renewed.access_token.expose_secret(), token.expose_secret());
    assert!(renewed.expires_at.is_some_and(|t| t > Utc::now() + Duration::days(59)));
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_and_the_loopback_flow_are_refused_clearly() {
    let s = setup().await;
    let err =
        s.ws.connect_threads_token(SecretString::from("THQVJnotarealtoken0000000000000000".to_string()))
            .await
            .expect_err("refused");
    let text = format!("{err:#}");
    assert!(text.contains("/me"), "{text}");
    assert!(!text.contains("THQVJnotarealtoken"), "no secret in the message: {text}");
    assert!(s
        .ws
        .connect_threads_token(SecretString::from("  ".to_string()))
        .await
        .is_err());
    let loopback =
        s.ws.connect(&app(), &HeadlessBrowser::new(), std::time::Duration::from_secs(5))
            .await
            .expect_err("no loopback for Threads");
    assert!(format!("{loopback:#}").contains("HTTPS"), "{loopback:#}");
    assert!(s.ws.store().list_accounts().await.expect("accounts").is_empty());
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_code_from_the_callback_page_connects_the_account() {
    let s = setup().await;
    let provider = Provider::threads(&s.endpoints);
    let request = AuthorizeRequest::new(&app(), &provider, CALLBACK).expect("authorize url");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let answer = http.get(request.url.clone()).send().await.expect("authorize");
    let location = url::Url::parse(answer.headers()["location"].to_str().expect("location")).expect("url");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| SecretString::from(v.into_owned()))
        .expect("code");
    let row =
        s.ws.connect_threads_authorized(&app(), request, &code)
            .await
            .expect("code → 60-day token");
    assert_eq!(row.account.external_id, USER_ID);
    let key = row.vault_key.clone().expect("key");
    let stored = TokenSet::from_vault_json(&s.vault.get(&key).expect("get").expect("entry")).expect("set");
    assert_eq!(stored.user_id.as_deref(), Some(USER_ID));
    assert!(stored.expires_at.is_some_and(|t| t > Utc::now() + Duration::days(59)));
    // The app secret is in the vault for renewals, never in the store.
    let secret = s
        .vault
        .get(&alcance_app::tokens::app_secret_key(Platform::Threads))
        .expect("vault")
        .expect("the app secret is kept for renewals");
    assert_eq!(secret.expose_secret(), "threads-app-secret");
    assert_eq!(
        connection(&s, row.id).await,
        ConnectionKind::Oauth,
        "the authorization code flow"
    );
    s.sandbox.shutdown().await;
}
