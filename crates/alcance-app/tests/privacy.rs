#![allow(clippy::unwrap_used, clippy::expect_used)]
//! LGPD / GDPR end to end on the demo workspace (docs/PRIVACY.md): the demo records its
//! consent; "export everything about this account" writes a ZIP whose manifest's counts and
//! SHA-256 sums match its files and which holds no token; withdrawing deletes the audience
//! rows and later runs collect none (saying so once); consenting again brings them back;
//! the retention deletes old raw responses after a run. Every action is in the audit log.
//! The store's part is tested on both engines in alcance-store/tests/privacy.rs.

use alcance_app::demo::{self, DemoOptions};
use alcance_app::privacy::{os_user, AccountExportManifest};
use alcance_app::sandbox::{Sandbox, SandboxConfig};
use alcance_app::{AccountId, Platform, RunKind, Session, Store};
use alcance_store::on_pool;
use chrono::{Duration, Utc};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::io::Read;

async fn count(store: &Store, sql: &str) -> i64 {
    on_pool!(store.pool(), |p| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(p)
        .await
        .expect(sql))
}

const DEMOGRAPHIC: &str =
    "SELECT count(*) FROM audience WHERE account_id IN (SELECT id FROM accounts WHERE platform <> 'whatsapp')";

/// Every file of the ZIP at `path`, by name.
fn unzip(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_export_withdrawal_and_retention_on_the_demo_workspace() {
    let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await.unwrap();
    let base = sandbox.base_url();
    let dir = tempfile::tempdir().unwrap();
    demo::run(
        DemoOptions {
            out: dir.path().to_path_buf(),
            sandbox_url: Some(base.clone()),
            days: 2,
        },
        &|_| {},
    )
    .await
    .expect("demo");
    let session = Session::demo_at(dir.path(), &base).await.unwrap();
    let ws = session.workspace();
    let store = ws.store();

    // The demo recorded its consent explicitly (synthetic data), so it has audience rows.
    let consent = ws.audience_consent().await.unwrap().expect("the demo's consent");
    assert_eq!(consent.granted_by, "alcance demo");
    assert!(consent.text.contains("synthetic"));
    assert!(count(store, DEMOGRAPHIC).await > 0);

    // Export everything about the owned Instagram account.
    let ig = store
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.account.platform == Platform::Instagram && a.account.owned)
        .expect("the demo's Instagram account");
    let out = dir.path().join("exports").join("instagram-account.zip");
    let manifest = ws.export_account(AccountId(ig.id), &out, "os:tester").await.unwrap();
    let files = unzip(&out);
    let (_, manifest_bytes) = files.iter().find(|(n, _)| n == "manifest.json").expect("manifest");
    let written: serde_json::Value = serde_json::from_slice(manifest_bytes).unwrap();
    assert_eq!(written["account"]["id"], ig.id);
    assert_eq!(written["format"], "alcance-account-export");
    assert!(written["generated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(files.len(), manifest.files.len() + 1);
    for f in &manifest.files {
        let (_, bytes) = files.iter().find(|(n, _)| *n == f.name).expect(&f.name);
        assert_eq!(hex::encode(Sha256::digest(bytes)), f.sha256, "{}", f.name);
        assert_eq!(bytes.len() as u32, f.bytes, "{}", f.name);
        if f.name.ends_with(".json") {
            let rows: Vec<serde_json::Value> = serde_json::from_slice(bytes).expect(&f.name);
            assert_eq!(rows.len() as u32, f.rows, "{}", f.name);
        } else {
            let rows = csv::Reader::from_reader(bytes.as_slice()).records().count();
            assert_eq!(rows as u32, f.rows, "{}", f.name);
        }
    }
    for table in [
        "accounts",
        "posts",
        "post_metrics",
        "account_metrics",
        "audience",
        "raw_responses",
    ] {
        assert!(manifest.rows_of(table) > 0, "{table}: {:?}", manifest_rows(&manifest));
    }
    assert_eq!(manifest.rows_of("accounts"), 1);
    // Only this account's rows.
    let posts: i64 = count(
        store,
        &format!("SELECT count(*) FROM posts WHERE account_id = {}", ig.id),
    )
    .await;
    assert_eq!(i64::from(manifest.rows_of("posts")), posts);
    // No token, no vault entry name anywhere in it.
    let vault = session.vault().expect("the demo vault");
    let mut secrets = Vec::new();
    for account in store.list_accounts().await.unwrap() {
        let Some(key) = account.vault_key else { continue };
        if let Some(json) = vault.0.get(&key).unwrap() {
            match serde_json::from_str::<serde_json::Value>(json.expose_secret()) {
                Ok(tokens) => {
                    for field in ["access_token", "refresh_token"] {
                        if let Some(t) = tokens[field].as_str().filter(|t| t.len() >= 8) {
                            secrets.push(t.to_string());
                        }
                    }
                }
                Err(_) => secrets.push(json.expose_secret().to_string()),
            }
        }
        secrets.push(key);
    }
    assert!(!secrets.is_empty());
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{name} holds a secret");
        }
    }
    let audit = store.audit_log(20).await.unwrap();
    assert!(audit
        .iter()
        .any(|l| l.action == "privacy-export" && l.actor.as_deref() == Some("os:tester")));

    // Withdraw: every demographic row goes at once, and the next run collects none.
    let deleted = ws.withdraw_audience_consent("os:tester").await.unwrap().unwrap();
    assert!(deleted > 0);
    assert_eq!(count(store, DEMOGRAPHIC).await, 0);
    let window = alcance_platforms::CollectWindow {
        since: Utc::now() - Duration::days(7),
        until: Utc::now(),
    };
    let run = ws
        .collect(window, Utc::now(), RunKind::Manual, &[], &|_| {})
        .await
        .unwrap();
    assert_eq!(count(store, DEMOGRAPHIC).await, 0, "nothing collected without consent");
    assert!(count(store, "SELECT count(*) FROM posts").await > 0);
    let skipped = count(
        store,
        &format!(
            "SELECT count(*) FROM run_events WHERE run_id = {} AND code = 'audience_skipped' AND level = 'info'",
            run.run_id
        ),
    )
    .await;
    assert_eq!(skipped, 1, "said once per run");
    assert!(run.progress.accounts_ok > 0);

    // Consent again: audience data comes back with the next run.
    ws.grant_audience_consent("pt-BR", &os_user()).await.unwrap();
    let consent = ws.audience_consent().await.unwrap().unwrap();
    assert_eq!(consent.language, "pt-BR");
    assert!(consent.text.starts_with("Concordo"));
    let later = Utc::now() + Duration::days(2);
    let run = ws.collect(window, later, RunKind::Manual, &[], &|_| {}).await.unwrap();
    assert!(count(store, DEMOGRAPHIC).await > 0);
    let skipped = count(
        store,
        &format!(
            "SELECT count(*) FROM run_events WHERE run_id = {} AND code = 'audience_skipped'",
            run.run_id
        ),
    )
    .await;
    assert_eq!(skipped, 0);

    // Retention: after a run, raw responses last fetched more than N days before it go.
    let before = count(store, "SELECT count(*) FROM raw_responses").await;
    assert!(before > 0);
    ws.set_raw_retention_days(Some(1), "os:tester").await.unwrap();
    let far = Utc::now() + Duration::days(30);
    ws.collect(window, far, RunKind::Manual, &[], &|_| {}).await.unwrap();
    let cutoff = alcance_store::time::to_db(far - Duration::days(1));
    let old = count(
        store,
        &format!("SELECT count(*) FROM raw_responses WHERE last_fetched_at < '{cutoff}'"),
    )
    .await;
    assert_eq!(old, 0, "nothing older than the retention is left");
    let actions: Vec<String> = store
        .audit_log(50)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.action)
        .collect();
    for action in [
        "privacy-consent-grant",
        "privacy-consent-withdraw",
        "privacy-export",
        "privacy-retention",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }

    // Deleting the account is logged too.
    ws.delete_account_by(AccountId(ig.id), "os:tester").await.unwrap();
    let line = store.audit_log(1).await.unwrap().remove(0);
    assert_eq!(line.action, "privacy-delete");
    assert!(line.subject.unwrap().starts_with("instagram:"));

    drop(session);
    sandbox.shutdown().await;
}

fn manifest_rows(m: &AccountExportManifest) -> Vec<(String, u32)> {
    m.files.iter().map(|f| (f.name.clone(), f.rows)).collect()
}
