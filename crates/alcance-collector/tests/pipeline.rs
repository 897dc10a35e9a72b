#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The run pipeline: the next account is fetched while the current one is written, at most
//! one ahead; progress keeps its order; a pause, cancel or interrupt drops the early fetch
//! unwritten; a client that panics fails its account only.
//!
//! A scripted client stands in for a platform: it logs when each account's fetch starts,
//! ends, or is dropped half way, next to the run's own progress events.

use alcance_collector::{
    run_planned, Clients, ControlState, PlannedTarget, Progress, RunControl, RunKind, RunPlan, RunSummary, Target,
};
use alcance_core::{
    AccountMetric, AccountRef, CollectionBatch, ContentType, Period, Platform, PostMetric, PostRecord, Profile,
    RawExchange,
};
use alcance_platforms::{CollectCtx, CollectWindow, PlatformClient, PlatformError, Recorder};
use alcance_store::testing::{self, TestStore};
use alcance_store::{both_engines, Engine, RowFilter};
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrecy::SecretString;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

type Log = Arc<Mutex<Vec<String>>>;

fn push(log: &Log, entry: String) {
    log.lock().unwrap_or_else(|e| panic!("log lock: {e}")).push(entry);
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap_or_else(|e| panic!("log lock: {e}")).clone()
}

/// Position of `entry` in `log` (its first occurrence).
fn pos(log: &[String], entry: &str) -> usize {
    log.iter()
        .position(|e| e == entry)
        .unwrap_or_else(|| panic!("{entry} not in {log:?}"))
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 13, 0, 0)
        .single()
        .unwrap_or_else(|| panic!("valid time"))
}

/// Logs `dropped:<id>` when a fetch is dropped before it ended.
struct DropGuard {
    log: Log,
    id: String,
    ended: bool,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.ended {
            push(&self.log, format!("dropped:{}", self.id));
        }
    }
}

/// Serves every account three posts with two metrics each and a followers snapshot.
/// Accounts named `slow-…` take 30 s (unless dropped), `panic-…` panic.
struct Scripted {
    log: Log,
}

async fn scripted_collect(log: Log, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
    let id = ctx.account.external_id.clone();
    push(&log, format!("fetch:{id}"));
    let mut guard = DropGuard {
        log: log.clone(),
        id: id.clone(),
        ended: false,
    };
    if id.starts_with("slow-") {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
    if id.starts_with("panic-") {
        panic!("scripted client panics for {id}");
    }
    // A yield, as a real client has between its requests.
    tokio::task::yield_now().await;
    ctx.recorder.push(RawExchange {
        method: "GET".into(),
        url: format!("https://api.x.com/2/users/{id}/tweets"),
        status: 200,
        body: format!(r#"{{"data":[],"meta":{{"user":"{id}"}}}}"#).into_bytes(),
        fetched_at: now(),
    });
    let posts: Vec<String> = (0..3).map(|i| format!("{id}-post-{i}")).collect();
    let batch = CollectionBatch {
        profile: Some(Profile {
            external_id: id.clone(),
            username: Some(id.clone()),
            display_name: None,
            avatar_url: None,
        }),
        account_metrics: vec![AccountMetric {
            metric: "followers".into(),
            period: Period::Snapshot,
            period_start: now(),
            period_end: now(),
            value: Some(100.0),
        }],
        posts: posts
            .iter()
            .map(|p| PostRecord {
                external_id: p.clone(),
                published_at: Some(now() - Duration::days(1)),
                content_type: ContentType::Text,
                permalink: None,
                caption: None,
            })
            .collect(),
        post_metrics: posts
            .iter()
            .flat_map(|p| {
                ["likes", "reposts"].map(|m| PostMetric {
                    post_external_id: p.clone(),
                    metric: m.into(),
                    value: Some(7.0),
                })
            })
            .collect(),
        ..Default::default()
    };
    guard.ended = true;
    push(&log, format!("fetched:{id}"));
    Ok(batch)
}

// `PlatformClient` is an `async_trait`; written out by hand (the future is boxed).
impl PlatformClient for Scripted {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn whoami<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        _token: &'life1 SecretString,
        _recorder: &'life2 Recorder,
    ) -> Pin<Box<dyn Future<Output = Result<Profile, PlatformError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async { Ok(Profile::default()) })
    }

    fn collect<'life0, 'life1, 'async_trait>(
        &'life0 self,
        ctx: &'life1 CollectCtx,
    ) -> Pin<Box<dyn Future<Output = Result<CollectionBatch, PlatformError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(scripted_collect(self.log.clone(), ctx))
    }
}

struct World {
    store: TestStore,
    clients: Clients,
    plan: RunPlan,
    log: Log,
}

/// The accounts in a fresh store on `engine`; `None` when the engine is skipped.
async fn world(engine: Engine, accounts: &[&str]) -> Option<World> {
    let log: Log = Arc::default();
    let store = testing::store(engine).await?;
    let mut targets = Vec::new();
    for name in accounts {
        let account = AccountRef {
            platform: Platform::X,
            external_id: (*name).into(),
            username: Some((*name).into()),
            owned: false,
        };
        let id = store
            .upsert_account(&account, None, None)
            .await
            .unwrap_or_else(|e| panic!("account: {e}"));
        targets.push(PlannedTarget::new(
            Target {
                account_id: id,
                account,
                token: Some(SecretString::from("token".to_string())),
            },
            CollectWindow {
                since: now() - Duration::days(7),
                until: now(),
            },
        ));
    }
    Some(World {
        store,
        clients: Clients::new().with(Arc::new(Scripted { log: log.clone() })),
        plan: RunPlan {
            kind: RunKind::Manual,
            collected_at: now(),
            targets,
        },
        log,
    })
}

impl World {
    /// Runs the plan, logging `started:<id>` / `finished:<id>` progress events and acting
    /// on `control` once `after` accounts finished.
    async fn run(&self, control: &RunControl, after: usize, action: ControlState) -> RunSummary {
        let finished = std::sync::atomic::AtomicUsize::new(0);
        let progress = |p: Progress| match p {
            Progress::AccountStarted { account, .. } => push(&self.log, format!("started:{}", account.external_id)),
            Progress::AccountFinished(o) => {
                push(&self.log, format!("finished:{}", o.account.external_id));
                if finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == after {
                    match action {
                        ControlState::Paused => control.pause(),
                        ControlState::Cancelled => control.cancel(),
                        ControlState::Interrupted => control.interrupt(),
                        ControlState::Running => {}
                    }
                }
            }
            Progress::Paused(_) => {
                push(&self.log, "paused".into());
                control.resume();
            }
            _ => {}
        };
        run_planned(&self.store, &self.clients, &self.plan, control, &progress)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"))
    }

    async fn posts_of(&self, account: usize) -> usize {
        self.store
            .posts(&RowFilter {
                account_ids: vec![self.plan.targets[account].target.account_id],
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("posts: {e}"))
            .len()
    }
}

async fn the_next_account_is_fetched_while_the_current_one_is_written_one_ahead_at_most(engine: Engine) {
    let Some(w) = world(engine, &["a", "b", "c", "d"]).await else {
        return;
    };
    let summary = w.run(&RunControl::new(), 0, ControlState::Running).await;
    assert_eq!(summary.status, "ok", "{summary:?}");
    assert_eq!(summary.metrics(), 4 * (1 + 3 * 2));
    let log = entries(&w.log);

    // Progress keeps its order: each account starts after the previous one finished.
    let progress: Vec<&str> = log
        .iter()
        .filter(|e| e.starts_with("started:") || e.starts_with("finished:"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        progress,
        [
            "started:a",
            "finished:a",
            "started:b",
            "finished:b",
            "started:c",
            "finished:c",
            "started:d",
            "finished:d"
        ]
    );
    for (prev, next) in [("a", "b"), ("b", "c"), ("c", "d")] {
        // Overlap: the next fetch begins before the current account is written.
        assert!(
            pos(&log, &format!("fetch:{next}")) < pos(&log, &format!("finished:{prev}")),
            "{next} is fetched while {prev} is written: {log:?}"
        );
        // One ahead at most: it begins only once the current account's own fetch ended.
        assert!(
            pos(&log, &format!("fetched:{prev}")) < pos(&log, &format!("fetch:{next}")),
            "{log:?}"
        );
    }
    for (before, after) in [("a", "c"), ("b", "d")] {
        assert!(
            pos(&log, &format!("finished:{before}")) < pos(&log, &format!("fetch:{after}")),
            "never two accounts ahead: {log:?}"
        );
    }
    assert!(!log.iter().any(|e| e.starts_with("dropped:")), "{log:?}");
    let counts = w.store.table_counts().await.unwrap_or_else(|e| panic!("counts: {e}"));
    assert_eq!((counts.posts, counts.post_metrics, counts.raw_responses), (12, 24, 4));
}

async fn a_cancel_drops_the_fetch_made_ahead_unwritten(engine: Engine) {
    let Some(w) = world(engine, &["a", "slow-b", "c"]).await else {
        return;
    };
    let summary = w.run(&RunControl::new(), 1, ControlState::Cancelled).await;
    assert_eq!(summary.status, "cancelled");
    assert_eq!(
        (summary.progress.accounts_ok, summary.progress.accounts_skipped),
        (1, 2)
    );
    // The cancel came while slow-b was being fetched ahead; it was dropped at once (the
    // run did not wait its 30 s) and nothing of it was stored.
    let log = entries(&w.log);
    assert!(log.contains(&"fetch:slow-b".to_string()), "{log:?}");
    assert!(!log.contains(&"fetched:slow-b".to_string()), "{log:?}");
    assert!(
        !log.contains(&"started:slow-b".to_string()),
        "its turn never came: {log:?}"
    );
    for _ in 0..100 {
        if entries(&w.log).contains(&"dropped:slow-b".to_string()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        entries(&w.log).contains(&"dropped:slow-b".to_string()),
        "the early fetch was aborted"
    );
    assert_eq!(
        (w.posts_of(0).await, w.posts_of(1).await, w.posts_of(2).await),
        (3, 0, 0)
    );
    let rows = w
        .store
        .run_accounts(summary.run_id)
        .await
        .unwrap_or_else(|e| panic!("rows: {e}"));
    assert_eq!(
        rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
        ["done", "skipped", "skipped"]
    );
    let raw = w
        .store
        .table_counts()
        .await
        .unwrap_or_else(|e| panic!("counts: {e}"))
        .raw_responses;
    assert_eq!(raw, 1, "only the first account's exchange is archived");
}

async fn after_a_pause_the_next_account_is_fetched_again_in_its_turn(engine: Engine) {
    let Some(w) = world(engine, &["a", "b", "c"]).await else {
        return;
    };
    // Pause once `a` finished; the progress callback resumes at once.
    let summary = w.run(&RunControl::new(), 1, ControlState::Paused).await;
    assert_eq!(summary.status, "ok", "{summary:?}");
    let log = entries(&w.log);
    let paused = pos(&log, "paused");
    let fetches_of_b: Vec<usize> = log
        .iter()
        .enumerate()
        .filter(|(_, e)| e.as_str() == "fetch:b")
        .map(|(i, _)| i)
        .collect();
    // `b` was fetched ahead before the pause (that fetch is thrown away, whether it had
    // ended or not), then fetched again after it.
    assert_eq!(fetches_of_b.len(), 2, "{log:?}");
    assert!(fetches_of_b[0] < paused && paused < fetches_of_b[1], "{log:?}");
    assert!(pos(&log, "started:b") > paused);
    assert_eq!(
        (w.posts_of(0).await, w.posts_of(1).await, w.posts_of(2).await),
        (3, 3, 3)
    );
}

async fn a_client_that_panics_fails_its_account_and_the_run_goes_on(engine: Engine) {
    let Some(w) = world(engine, &["a", "panic-b", "c"]).await else {
        return;
    };
    let summary = w.run(&RunControl::new(), 0, ControlState::Running).await;
    assert_eq!(summary.status, "partial");
    let failed = &summary.accounts[1];
    assert!(!failed.ok);
    let error = failed.error.as_deref().unwrap_or_default();
    assert!(error.starts_with("internal: "), "{error}");
    assert!(summary.accounts[0].ok && summary.accounts[2].ok, "{summary:?}");
    assert_eq!(
        (w.posts_of(0).await, w.posts_of(1).await, w.posts_of(2).await),
        (3, 0, 3)
    );
    let events = w
        .store
        .run_events(summary.run_id)
        .await
        .unwrap_or_else(|e| panic!("events: {e}"));
    assert!(events.iter().any(|e| e.code == "internal"), "{events:?}");
}

both_engines!(
    multi_thread:
    the_next_account_is_fetched_while_the_current_one_is_written_one_ahead_at_most,
    a_cancel_drops_the_fetch_made_ahead_unwritten,
    after_a_pause_the_next_account_is_fetched_again_in_its_turn,
    a_client_that_panics_fails_its_account_and_the_run_goes_on,
);
