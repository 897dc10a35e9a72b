//! Issue 15, point 1: faults in the middle of one account, for every platform's client —
//! a 429 without rate-limit headers, a 429 whose reset is far in the future, a 401 and a
//! 403 after the profile arrived, a connection that drops in the middle of a listing. In
//! every case the run finishes (without waiting for the platform), the other accounts
//! complete, what the faulted account fetched before the fault is stored, a rate-limited
//! account is deferred with its retry time in its run entry, and the retry stores nothing
//! twice (the data tables end as after one fault-free run).
//!
//! The whole stack runs: a workspace with the six platforms connected against the seeded
//! sandbox (the app's governor included), faults armed through `/__alcance/faults`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_app::{SharedVault, Workspace, WorkspaceOptions};
use alcance_collector::{AccountOutcome, RunKind, RunStatus, RunSummary};
use alcance_core::{AccountStatus, EventLevel, Platform, RunAccountStatus};
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints};
use alcance_sandbox::Sandbox;
use alcance_store::TableCounts;
use alcance_tests::{clear_faults, seeded_sandbox, set_clock};
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 13, 0, 0).single().expect("date")
}

fn window() -> CollectWindow {
    CollectWindow {
        since: at() - Duration::days(60),
        until: at(),
    }
}

/// The owned accounts' ids in the seeded sandbox (seed 42).
const X_ID: &str = "1580000000000000001";
const IG_ID: &str = "17841400000000001";
const FB_PAGE: &str = "104000000000001";
const WABA: &str = "105000000000001";
const TT_ID: &str = "tt_alcance_br";
const YT_ID: &str = "UCalcanceBR0000000000001";
const BS_DID: &str = "did:plc:alcancebrdemoaccount2345";
const RD_ID: &str = "t2_alcbr01";
const LI_ORG: &str = "107000001";
const TH_ID: &str = "27000000000000001";

/// A workspace in `dir` against `sandbox`, its tokens in `vault`.
async fn open(dir: &Path, sandbox: &Sandbox, vault: &Arc<MemoryVault>) -> Workspace {
    Workspace::open(
        dir,
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(SharedVault(Arc::clone(vault) as Arc<dyn TokenVault>)),
        },
    )
    .await
    .expect("workspace opens")
}

/// A workspace against `sandbox` with the owned account of each of the six platforms
/// connected the way the demo connects them.
async fn five_platforms(dir: &Path, sandbox: &Sandbox, vault: &Arc<MemoryVault>) -> Workspace {
    let ws = open(dir, sandbox, vault).await;
    alcance_tests::connect_like_the_demo(
        &ws,
        &sandbox.base_url(),
        &[
            Platform::X,
            Platform::Instagram,
            Platform::Tiktok,
            Platform::Youtube,
            Platform::Reddit,
            Platform::Linkedin,
        ],
    )
    .await;
    ws.connect_bluesky(
        "alcance.bsky.social",
        SecretString::from(alcance_app::demo::DEMO_APP_PASSWORD.to_string()),
    )
    .await
    .expect("Bluesky app password");
    let grant: Value = reqwest::Client::new()
        .get(sandbox.base_url().join("__alcance/threads-token").expect("url"))
        .send()
        .await
        .expect("threads token")
        .json()
        .await
        .expect("json");
    ws.connect_threads_token(SecretString::from(
        grant["access_token"].as_str().expect("token").to_string(),
    ))
    .await
    .expect("Threads long-lived token");
    ws
}

async fn arm(sandbox: &Sandbox, fault: Value) {
    reqwest::Client::new()
        .post(sandbox.base_url().join("__alcance/faults").expect("url"))
        .json(&fault)
        .send()
        .await
        .expect("fault endpoint")
        .error_for_status()
        .expect("fault accepted");
}

/// One collection of every account at [`at`], which must end within 60 s (a run that
/// waited for a rate limit to reset would not).
async fn collect(ws: &Workspace) -> RunSummary {
    tokio::time::timeout(
        StdDuration::from_secs(60),
        ws.collect(window(), at(), RunKind::Manual, &[], &|_| {}),
    )
    .await
    .expect("the run finishes without waiting for the platform")
    .expect("run")
}

fn data(c: &TableCounts) -> [i64; 4] {
    [c.posts, c.post_metrics, c.account_metrics, c.audience]
}

/// Where each platform's collection is hit after its profile arrived: the second page of
/// its listing (X timeline, Instagram media, Facebook posts, TikTok videos), YouTube's first
/// video batch, or WhatsApp's first analytics call (after the account and its phone numbers).
fn mid_account(platform: Platform) -> (String, u32) {
    match platform {
        Platform::X => (format!("/2/users/{X_ID}/tweets"), 1),
        Platform::Instagram => (format!("/{IG_ID}/media"), 1),
        Platform::Facebook => (format!("/{FB_PAGE}/posts"), 1),
        Platform::Tiktok => ("/v2/video/list/".to_string(), 1),
        Platform::Whatsapp => (format!("/{WABA}"), 2),
        // The first video batch, after the channel and the uploads page arrived.
        Platform::Youtube => ("/youtube/v3/videos".to_string(), 0),
        // The first feed page, after the profile (the seeded feed fits one page of 100).
        Platform::Bluesky => ("/xrpc/app.bsky.feed.getAuthorFeed".to_string(), 0),
        // The first submissions page, after `/api/v1/me` (60 days fit one page of 100).
        Platform::Reddit => ("/user/alcance_br/submitted".to_string(), 0),
        // The first posts page, after the page, its follower count and statistics arrived.
        Platform::Linkedin => ("/rest/posts".to_string(), 0),
        // The first page of posts, after the profile, follower count, insights and
        // demographics arrived.
        Platform::Threads => ("/me/threads".to_string(), 0),
    }
}

fn owned_id(platform: Platform) -> &'static str {
    match platform {
        Platform::X => X_ID,
        Platform::Instagram => IG_ID,
        Platform::Facebook => FB_PAGE,
        Platform::Tiktok => TT_ID,
        Platform::Whatsapp => WABA,
        Platform::Youtube => YT_ID,
        Platform::Bluesky => BS_DID,
        Platform::Reddit => RD_ID,
        Platform::Linkedin => LI_ORG,
        Platform::Threads => TH_ID,
    }
}

/// The faults of point 1, and what each must leave behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// 429 without any rate-limit header.
    RateLimitedBare,
    /// 429 whose reset is two hours away.
    RateLimitedFar,
    /// 401: the token refused after the profile arrived.
    Unauthorized,
    /// 403: access refused after the profile arrived.
    Forbidden,
    /// The connection drops in the middle of a listing (every retry too).
    Disconnect,
}

impl Fault {
    const ALL: [Fault; 5] = [
        Fault::RateLimitedBare,
        Fault::RateLimitedFar,
        Fault::Unauthorized,
        Fault::Forbidden,
        Fault::Disconnect,
    ];

    fn json(self, prefix: &str, after: u32) -> Value {
        let (kind, times) = match self {
            Fault::RateLimitedBare => ("status_429_bare", 1),
            Fault::RateLimitedFar => ("status_429", 1),
            Fault::Unauthorized => ("status_401", 1),
            Fault::Forbidden => ("status_403", 1),
            Fault::Disconnect => ("disconnect", 8),
        };
        let mut f = json!({"path_prefix": prefix, "kind": kind, "times": times, "after": after});
        if self == Fault::RateLimitedFar {
            f["reset_s"] = json!(7200);
        }
        f
    }
}

/// The data tables after one fault-free run of the five accounts.
async fn baseline() -> [i64; 4] {
    let sandbox = seeded_sandbox().await;
    set_clock(&sandbox, at()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let ws = five_platforms(dir.path(), &sandbox, &vault).await;
    let run = collect(&ws).await;
    assert_eq!(run.status, RunStatus::Ok, "{run:?}");
    let counts = data(&ws.store().table_counts().await.expect("counts"));
    ws.close().await;
    sandbox.shutdown().await;
    counts
}

/// One fault in the middle of `platform`'s owned account, then a retry.
async fn case(platform: Platform, fault: Fault, expected: [i64; 4]) {
    let label = format!("{platform:?} / {fault:?}");
    let sandbox = seeded_sandbox().await;
    set_clock(&sandbox, at()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let ws = five_platforms(dir.path(), &sandbox, &vault).await;
    let (prefix, after) = mid_account(platform);
    arm(&sandbox, fault.json(&prefix, after)).await;

    let started = Instant::now();
    let run = collect(&ws).await;
    assert!(
        started.elapsed() < StdDuration::from_secs(45),
        "{label}: the run took {:?}",
        started.elapsed()
    );
    // The other accounts complete.
    for a in run.accounts.iter().filter(|a| a.account.platform != platform) {
        assert!(a.ok && a.error.is_none(), "{label}: another account failed: {a:?}");
    }
    let hit: &AccountOutcome = run
        .accounts
        .iter()
        .find(|a| a.account.platform == platform && a.account.external_id == owned_id(platform))
        .unwrap_or_else(|| panic!("{label}: the account is in the run"));
    // What arrived before the fault is stored.
    assert!(hit.metrics > 0, "{label}: nothing stored: {hit:?}");
    let rows = ws.store().run_accounts(run.run_id).await.expect("run accounts");
    let row = rows.iter().find(|r| r.account_id == hit.account_id).expect("run entry");
    let events = ws.store().run_events(run.run_id).await.expect("events");
    let mine: Vec<_> = events.iter().filter(|e| e.account_id == Some(hit.account_id)).collect();
    assert!(
        events
            .iter()
            .any(|e| e.code == "limits" && e.message.contains("account deadline")),
        "{label}: the run's limits are in its events"
    );
    match fault {
        Fault::Forbidden => {
            // A refused part is a warning or gap of an account that otherwise completes.
            assert!(
                mine.iter().any(|e| e.level != EventLevel::Info),
                "{label}: the refusal is in the run's events: {mine:?}"
            );
            assert_eq!(row.retry_at, None, "{label}");
        }
        _ => {
            assert!(!hit.ok && hit.partial, "{label}: partial: {hit:?}");
            assert_eq!(row.status, RunAccountStatus::Failed, "{label}");
            assert!(row.partial, "{label}: the run entry says partial");
            assert_eq!(row.metrics_written, hit.metrics as i64, "{label}");
            assert!(
                mine.iter().any(|e| e.level == EventLevel::Error),
                "{label}: the failure is an error event: {mine:?}"
            );
            assert!(
                mine.iter()
                    .any(|e| e.level == EventLevel::Gap && e.message.starts_with("collection on ")),
                "{label}: the rest is a data gap: {mine:?}"
            );
            assert_eq!(run.status, RunStatus::Partial, "{label}");
        }
    }
    match fault {
        Fault::RateLimitedBare | Fault::RateLimitedFar => {
            let retry_at = hit.retry_at.unwrap_or_else(|| panic!("{label}: deferred: {hit:?}"));
            assert_eq!(row.retry_at, Some(retry_at), "{label}: the run entry says when");
            let least = match (fault, platform) {
                (Fault::RateLimitedFar, _) => Duration::seconds(7000),
                (_, Platform::X) => Duration::minutes(14),
                // Bluesky's window is 5 minutes (`ratelimit-policy: …;w=300`).
                (_, Platform::Bluesky) => Duration::minutes(4),
                _ => Duration::seconds(50),
            };
            assert!(retry_at >= at() + least, "{label}: retry at {retry_at}");
            assert!(
                mine.iter()
                    .any(|e| e.code == "rate_limited" && e.message.contains("deferred")),
                "{label}: the limit is recorded: {mine:?}"
            );
            assert!(!hit.needs_reauth, "{label}");
        }
        Fault::Unauthorized => {
            assert!(hit.needs_reauth, "{label}: {hit:?}");
            assert!(row.needs_reauth && row.retry_at.is_none(), "{label}");
            let account = ws.store().account(hit.account_id).await.expect("account");
            assert_eq!(account.status, AccountStatus::NeedsReauth, "{label}");
        }
        Fault::Disconnect => {
            assert!(
                hit.error.as_deref().is_some_and(|e| e.starts_with("transport")),
                "{label}: {hit:?}"
            );
            assert_eq!(row.retry_at, None, "{label}");
        }
        Fault::Forbidden => {}
    }

    // The retry (a later start: a fresh governor, the platform's limit over) stores
    // nothing twice: the data tables end as after one fault-free run.
    clear_faults(&sandbox).await;
    ws.close().await;
    let ws = open(dir.path(), &sandbox, &vault).await;
    let again = collect(&ws).await;
    assert!(
        again.accounts.iter().all(|a| a.ok),
        "{label}: the retry completes: {again:?}"
    );
    let counts = data(&ws.store().table_counts().await.expect("counts"));
    assert_eq!(
        counts, expected,
        "{label}: posts, post metrics, account metrics, audience"
    );
    ws.close().await;
    sandbox.shutdown().await;
}

async fn every_fault(platform: Platform) {
    let expected = baseline().await;
    for fault in Fault::ALL {
        case(platform, fault, expected).await;
    }
}

#[tokio::test]
async fn x_mid_account_faults() {
    every_fault(Platform::X).await;
}

#[tokio::test]
async fn instagram_mid_account_faults() {
    every_fault(Platform::Instagram).await;
}

#[tokio::test]
async fn facebook_mid_account_faults() {
    every_fault(Platform::Facebook).await;
}

#[tokio::test]
async fn youtube_mid_account_faults() {
    every_fault(Platform::Youtube).await;
}

#[tokio::test]
async fn tiktok_mid_account_faults() {
    every_fault(Platform::Tiktok).await;
}

#[tokio::test]
async fn whatsapp_mid_account_faults() {
    every_fault(Platform::Whatsapp).await;
}

#[tokio::test]
async fn bluesky_mid_account_faults() {
    every_fault(Platform::Bluesky).await;
}

#[tokio::test]
async fn reddit_mid_account_faults() {
    every_fault(Platform::Reddit).await;
}

#[tokio::test]
async fn linkedin_mid_account_faults() {
    every_fault(Platform::Linkedin).await;
}

#[tokio::test]
async fn threads_mid_account_faults() {
    every_fault(Platform::Threads).await;
}
