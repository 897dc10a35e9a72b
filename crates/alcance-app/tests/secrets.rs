//! No token or secret ever reaches the run log (`run_events`), the rest of the database or
//! the JSON log file. Collections run against the sandbox through successful and failing
//! OAuth, token refresh (renewed, refused, deferred), revoked access tokens (401, Graph
//! code 190), server errors and retries, with a JSON tracing subscriber at
//! `trace` level writing to a file; then the file, every text column, every archived body
//! and the raw database files are searched for every secret the vault has held.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::demo_app;
use alcance_app::tokens::app_secret_key;
use alcance_app::{Workspace, WorkspaceOptions};
use alcance_collector::RunKind;
use alcance_core::Platform;
use alcance_platforms::oauth::{HeadlessBrowser, OAuthApp, RedirectConfig, TokenSet};
use alcance_platforms::vault::{MemoryVault, TokenVault, VaultError};
use alcance_platforms::{CollectWindow, Endpoints};
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// A vault that remembers every secret ever written to it.
#[derive(Default)]
struct Recording {
    inner: MemoryVault,
    seen: Mutex<BTreeSet<String>>,
}

impl Recording {
    fn note(&self, secret: &SecretString) {
        let text = secret.expose_secret();
        let mut seen = self.seen.lock().expect("seen");
        // A token set is JSON: remember each secret inside it too.
        match TokenSet::from_vault_json(secret) {
            Ok(set) => {
                seen.insert(set.access_token.expose_secret().to_string());
                if let Some(r) = &set.refresh_token {
                    seen.insert(r.expose_secret().to_string());
                }
            }
            Err(_) => {
                seen.insert(text.to_string());
            }
        }
    }

    fn secrets(&self) -> BTreeSet<String> {
        self.seen.lock().expect("seen").clone()
    }
}

struct Shared(Arc<Recording>);

impl TokenVault for Shared {
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError> {
        self.0.note(secret);
        self.0.inner.put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError> {
        self.0.inner.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.0.inner.delete(key)
    }
    fn kind(&self) -> &'static str {
        "memory"
    }
}

fn log_to(path: &std::path::Path) {
    use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};
    let file = std::fs::File::create(path).expect("log file");
    let layer = fmt::layer()
        .json()
        .with_writer(Mutex::new(file))
        .with_filter(EnvFilter::new("trace"));
    tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .expect("the only subscriber");
}

async fn post(base: &url::Url, path: &str, body: serde_json::Value) -> serde_json::Value {
    reqwest::Client::new()
        .post(base.join(path).expect("url"))
        .json(&body)
        .send()
        .await
        .expect("control")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_run_events_the_database_or_the_json_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("alcance.log.json");
    log_to(&log);

    let sandbox = Sandbox::start(SandboxConfig::seeded(5)).await.expect("sandbox");
    let base = sandbox.base_url();
    let vault = Arc::new(Recording::default());
    let ws_dir = dir.path().join("ws");
    let ws = Workspace::open(
        &ws_dir,
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&base),
            vault: Box::new(Shared(Arc::clone(&vault))),
        },
    )
    .await
    .expect("workspace");
    let browser = HeadlessBrowser::new();
    let timeout = std::time::Duration::from_secs(30);
    let x_app = demo_app(Platform::X);
    let ig_app = demo_app(Platform::Instagram);
    let x = ws.connect(&x_app, &browser, timeout).await.expect("connect X");
    let ig = ws.connect(&ig_app, &browser, timeout).await.expect("connect Instagram");
    ws.track(Platform::X, "1580000000000000002", Some("ana_influencer"), &x)
        .await
        .expect("track");
    let ig_secret = ig_app
        .client_secret
        .as_ref()
        .expect("secret")
        .expose_secret()
        .to_string();
    assert!(vault.secrets().contains(&ig_secret), "the app secret went to the vault");

    // Failing OAuth: Instagram without its app secret, and an X token endpoint failing;
    // the errors are logged the way the CLI logs a failed command.
    let no_secret = OAuthApp {
        client_secret: None,
        redirect: RedirectConfig::ephemeral(),
        ..ig_app.clone()
    };
    let err = ws
        .connect(&no_secret, &browser, timeout)
        .await
        .expect_err("IG needs a secret");
    tracing::error!(error = %format!("{err:#}"), "command failed");
    post(
        &base,
        "__alcance/faults",
        serde_json::json!({"path_prefix": "/2/oauth2/token", "kind": "html", "times": 1}),
    )
    .await;
    let err = ws
        .connect(&x_app, &browser, timeout)
        .await
        .expect_err("token endpoint down");
    tracing::error!(error = %format!("{err:#}"), "command failed");

    let run = |day: i64| {
        let at = Utc::now() - Duration::days(day);
        (
            CollectWindow {
                since: at - Duration::days(7),
                until: at,
            },
            at,
        )
    };
    let collect = |day: i64| {
        let (window, at) = run(day);
        let ws = &ws;
        async move {
            ws.collect(window, at, RunKind::Manual, &[], &|_| {})
                .await
                .expect("run")
        }
    };

    // 1. A normal run, with server errors (retried) and a broken page on the way.
    post(
        &base,
        "__alcance/faults",
        serde_json::json!([
            {"path_prefix": "/2/users/me", "kind": "status_500", "times": 1},
            {"path_prefix": "/2/users/by", "kind": "truncated", "times": 1},
        ]),
    )
    .await;
    let first = collect(3).await;
    assert!(first.accounts.iter().any(|a| a.ok));

    // 2. Renewals: X due (renewed, rotated), Instagram a day old (renewed).
    let age = |key: &str, by: Duration| {
        let stored = vault.inner.get(key).expect("get").expect("entry");
        let mut set = TokenSet::from_vault_json(&stored).expect("set");
        set.expires_at = Some(Utc::now() + by);
        vault.inner.put(key, &set.to_vault_json()).expect("put");
    };
    let x_key = x.vault_key.clone().expect("key");
    let ig_key = ig.vault_key.clone().expect("key");
    age(&x_key, Duration::minutes(5));
    age(&ig_key, Duration::days(58));
    let second = collect(2).await;
    assert!(second.accounts.iter().all(|a| a.ok), "{second:?}");

    // 3. Renewal deferred (token endpoint answers 500), then refused (refresh token
    //    revoked); and the Instagram access token revoked: 401 / Graph code 190.
    age(&x_key, Duration::minutes(5));
    post(
        &base,
        "__alcance/faults",
        serde_json::json!({"path_prefix": "/2/oauth2/token", "kind": "status_500", "times": 5}),
    )
    .await;
    collect(1).await;
    let current =
        |key: &str| TokenSet::from_vault_json(&vault.inner.get(key).expect("get").expect("entry")).expect("set");
    let x_now = current(&x_key);
    reqwest::Client::new()
        .delete(base.join("__alcance/faults").expect("url"))
        .send()
        .await
        .expect("clear faults");
    post(
        &base,
        "__alcance/revoke",
        serde_json::json!({"token": x_now.refresh_token.as_ref().expect("rt").expose_secret()}),
    )
    .await;
    post(
        &base,
        "__alcance/revoke",
        serde_json::json!({"token": current(&ig_key).access_token.expose_secret()}),
    )
    .await;
    let last = collect(0).await;
    assert!(last.accounts.iter().all(|a| !a.ok && a.needs_reauth), "{last:?}");
    ws.close().await;
    sandbox.shutdown().await;

    // Every secret the vault has held, plus the app secret.
    let mut secrets = vault.secrets();
    secrets.insert(ig_secret);
    assert!(secrets.len() >= 6, "{} secrets", secrets.len());
    assert!(
        secrets.iter().all(|s| s.len() >= 16),
        "secrets long enough to search for"
    );
    assert!(vault
        .inner
        .get(&app_secret_key(Platform::Instagram))
        .expect("get")
        .is_some());

    let scan = |what: &str, text: &str| {
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "a secret appears in {what}");
        }
    };
    // The JSON log file: every line is JSON, and none holds a secret.
    let log_text = std::fs::read_to_string(&log).expect("log");
    assert!(log_text.lines().count() > 50, "the log captured the runs");
    for line in log_text.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("JSON log line");
    }
    assert!(log_text.contains("token renewed") && log_text.contains("needs re-authorization"));
    scan("the JSON log", &log_text);

    // The database: run events, every text column, every archived body, the raw files.
    // The workspace is encrypted at rest; its key (one of the vault's secrets scanned for
    // here) comes from the vault.
    let store = alcance_app::at_rest::open_database(
        &ws_dir.join("alcance.db"),
        &Shared(Arc::clone(&vault)),
        alcance_app::at_rest::NewDatabase::Plain,
    )
    .await
    .expect("reopen");
    assert!(store.is_encrypted());
    let mut events = Vec::new();
    for r in store.last_runs(100).await.expect("runs") {
        events.extend(store.run_events(r.id).await.expect("events"));
    }
    let codes: BTreeSet<&str> = events.iter().map(|e| e.code.as_str()).collect();
    for code in ["refresh_refused", "refresh_deferred", "token_renewed", "unauthorized"] {
        assert!(codes.contains(code), "{code} missing from {codes:?}");
    }
    for e in &events {
        scan("run_events", &e.message);
        scan("run_events", &e.code);
    }
    let tables: Vec<(String,)> = sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("tables");
    for (table,) in tables {
        let columns: Vec<(String, String)> =
            sqlx::query_as(&format!("SELECT name, type FROM pragma_table_info('{table}')"))
                .fetch_all(store.sqlite_pool().expect("an SQLite store"))
                .await
                .expect("columns");
        for (column, kind) in columns.iter().filter(|(_, k)| k.eq_ignore_ascii_case("TEXT")) {
            let values: Vec<(Option<String>,)> = sqlx::query_as(&format!("SELECT \"{column}\" FROM \"{table}\""))
                .fetch_all(store.sqlite_pool().expect("an SQLite store"))
                .await
                .expect("values");
            for v in values.into_iter().filter_map(|(v,)| v) {
                scan(&format!("{table}.{column} ({kind})"), &v);
            }
        }
    }
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM raw_responses")
        .fetch_all(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("raw ids");
    assert!(ids.len() > 10);
    for (id,) in ids {
        let body = store.raw_body(id).await.expect("body");
        scan("an archived body", &String::from_utf8_lossy(&body));
    }
    store.close().await;
    for name in ["alcance.db", "alcance.db-wal"] {
        if let Ok(bytes) = std::fs::read(ws_dir.join(name)) {
            scan(name, &String::from_utf8_lossy(&bytes));
        }
    }
}
