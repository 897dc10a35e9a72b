#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Time limits (issue 15): one hanging endpoint does not hold an account for minutes — a
//! timed-out read is retried once and becomes a gap while the rest of the account is
//! stored; the account's deadline cuts an account whose calls all hang (what arrived is
//! kept, marked partial); the run's deadline skips the accounts left; the limits are
//! written in the run's events.
//!
//! A cancel or an interrupt acts between two requests of the account being collected.
//!
//! Real time, short limits: the clients time out after 1 s, the sandbox's faulted calls
//! answer after 30 s (or 0.6 s where they are only slow).

use alcance_collector::{
    resume_run, run_planned, Clients, PlannedTarget, RunControl, RunKind, RunLimits, RunPlan, Target,
};
use alcance_core::{AccountRef, EventLevel, Platform, RunAccountStatus};
use alcance_platforms::governor::Governor;
use alcance_platforms::instagram::{GraphHost, InstagramClient};
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, Provider, RedirectConfig};
use alcance_platforms::x::XClient;
use alcance_platforms::{CollectWindow, Endpoints, Http};
use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
use alcance_store::testing::{self, TestStore};
use alcance_store::{both_engines, on_pool, Engine};
use chrono::{DateTime, Duration, DurationRound, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

/// Instagram media ids of the seeded sandbox start with `179`: this prefix hits the media
/// insights calls and nothing else.
const MEDIA_INSIGHTS: &str = "/179";

struct World {
    sandbox: Sandbox,
    clients: Clients,
    accounts: Vec<(AccountRef, SecretString)>,
    now: DateTime<Utc>,
}

/// A seeded sandbox (clock fixed), X and Instagram clients whose requests time out after
/// 1 s, sharing a governor (retries as the app makes them), and the manifest's accounts
/// with tokens from the real OAuth flow, the owned Instagram account first.
async fn world() -> World {
    let sandbox = Sandbox::start(SandboxConfig {
        mode: Mode::Seeded { seed: 42 },
        bind: "127.0.0.1:0".parse().expect("loopback"),
    })
    .await
    .expect("sandbox");
    let now = Utc::now().duration_trunc(Duration::hours(1)).expect("hour");
    sandbox.state().set_clock(Some(now));
    let endpoints = Endpoints::sandbox(&sandbox.base_url());
    let http = Http::with_timeouts(StdDuration::from_secs(1), StdDuration::from_secs(1))
        .expect("http")
        .with_governor(Arc::new(Governor::new()));
    let clients = Clients::new()
        .with(Arc::new(XClient::new(http.clone(), endpoints.clone())))
        .with(Arc::new(InstagramClient::new(
            http,
            endpoints.clone(),
            GraphHost::InstagramLogin,
        )));
    let mut tokens = Vec::new();
    for (platform, provider, secret) in [
        (Platform::X, Provider::x(&endpoints), None),
        (
            Platform::Instagram,
            Provider::instagram_login(&endpoints),
            Some("test-secret"),
        ),
    ] {
        let app = OAuthApp {
            platform,
            client_id: format!("alcance-test-{}", platform.as_str()),
            client_secret: secret.map(|s| SecretString::from(s.to_string())),
            scopes: Vec::new(),
            redirect: RedirectConfig {
                port: 0,
                path: "/callback".into(),
            },
        };
        let set = oauth::authorize(&app, &provider, &HeadlessBrowser::new(), StdDuration::from_secs(20))
            .await
            .expect("OAuth against the sandbox");
        tokens.push((platform, set.access_token));
    }
    let mut accounts = sandbox
        .state()
        .manifest()
        .into_iter()
        .filter_map(|m| {
            let platform: Platform = m.platform.parse().ok()?;
            let token = tokens.iter().find(|(p, _)| *p == platform)?.1.clone();
            Some((
                AccountRef {
                    platform,
                    external_id: m.external_id,
                    username: m.username,
                    owned: m.owned,
                },
                token,
            ))
        })
        .collect::<Vec<_>>();
    accounts.sort_by_key(|(a, _)| !(a.platform == Platform::Instagram && a.owned));
    assert_eq!(accounts.len(), 4, "two X and two Instagram accounts in the manifest");
    World {
        sandbox,
        clients,
        accounts,
        now,
    }
}

impl World {
    async fn store_and_plan(&self, engine: Engine) -> Option<(TestStore, RunPlan)> {
        let store = testing::store(engine).await?;
        let mut targets = Vec::new();
        for (account, token) in &self.accounts {
            let id = store.upsert_account(account, None, None).await.expect("account");
            targets.push(PlannedTarget::new(
                Target {
                    account_id: id,
                    account: account.clone(),
                    token: Some(token.clone()),
                },
                CollectWindow {
                    since: self.now - Duration::days(7),
                    until: self.now,
                },
            ));
        }
        let plan = RunPlan {
            kind: RunKind::Scheduled,
            collected_at: self.now,
            targets,
        };
        Some((store, plan))
    }

    async fn arm(&self, fault: Value) {
        reqwest::Client::new()
            .post(self.sandbox.base_url().join("__alcance/faults").expect("url"))
            .json(&fault)
            .send()
            .await
            .expect("fault endpoint")
            .error_for_status()
            .expect("fault accepted");
    }

    async fn armed(&self) -> Vec<Value> {
        let listed: Value = reqwest::Client::new()
            .get(self.sandbox.base_url().join("__alcance/faults").expect("url"))
            .send()
            .await
            .expect("fault endpoint")
            .json()
            .await
            .expect("json");
        listed["faults"].as_array().cloned().expect("a list of faults")
    }
}

async fn one_hanging_call_is_retried_once_and_becomes_a_gap(engine: Engine) {
    let w = world().await;
    let Some((store, plan)) = w.store_and_plan(engine).await else {
        return;
    };
    // One media's insights call hangs, and its retry too.
    w.arm(json!({"path_prefix": MEDIA_INSIGHTS, "kind": "slow", "delay_ms": 30_000, "times": 2}))
        .await;
    let started = Instant::now();
    let run = run_planned(&store, &w.clients, &plan, &RunControl::new(), &|_| {})
        .await
        .expect("run");
    // Two time-outs of 1 s and a short backoff, not four of 30 s.
    assert!(
        started.elapsed() < StdDuration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(w.armed().await, Vec::<Value>::new(), "both hung");
    // The call that timed out was sent twice and not a third time (a third try would have
    // been answered).
    let timed_out: Vec<(String, i64)> = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT url, seen_count FROM raw_responses WHERE status = 0"
    )
    .fetch_all(p)
    .await
    .expect("archive"));
    assert_eq!(timed_out.len(), 1, "{timed_out:?}");
    assert_eq!(timed_out[0].1, 2, "{timed_out:?}");
    let answered: Vec<(String,)> = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT url FROM raw_responses WHERE status <> 0 AND url = $1"
    )
    .bind(&timed_out[0].0)
    .fetch_all(p)
    .await
    .expect("archive"));
    assert!(answered.is_empty(), "{answered:?}");
    // The rest of the account is stored; the account is incomplete (`transient`), so it is
    // collected again rather than keeping the hole.
    assert_eq!(run.status, "partial", "{run:?}");
    let ig = &run.accounts[0];
    assert_eq!(ig.account.platform, Platform::Instagram);
    assert!(!ig.ok && ig.partial && ig.posts > 0 && ig.metrics > 0, "{ig:?}");
    assert!(
        ig.error.as_deref().is_some_and(|e| e.starts_with("transient")),
        "{ig:?}"
    );
    assert!(run.accounts[1..].iter().all(|a| a.ok), "{run:?}");
    let events = store.run_events(run.run_id).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.account_id == Some(ig.account_id) && e.level == EventLevel::Gap && e.code == "timeout"),
        "the hanging call is a gap: {events:?}"
    );
    w.sandbox.shutdown().await;
}

async fn the_account_deadline_keeps_what_arrived_and_the_run_goes_on(engine: Engine) {
    let w = world().await;
    let Some((store, plan)) = w.store_and_plan(engine).await else {
        return;
    };
    // Every media's insights hang.
    w.arm(json!({"path_prefix": MEDIA_INSIGHTS, "kind": "slow", "delay_ms": 30_000, "times": 10_000}))
        .await;
    let limits = RunLimits {
        account_deadline: StdDuration::from_secs(4),
        ..RunLimits::default()
    };
    let started = Instant::now();
    let run = run_planned(
        &store,
        &w.clients,
        &plan,
        &RunControl::new().with_limits(limits),
        &|_| {},
    )
    .await
    .expect("run");
    assert!(
        started.elapsed() < StdDuration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(run.status, "partial", "{run:?}");
    let ig = &run.accounts[0];
    assert!(!ig.ok && ig.partial, "{ig:?}");
    assert!(ig.metrics > 0 && ig.posts > 0, "the profile and media are kept: {ig:?}");
    assert!(ig.error.as_deref().is_some_and(|e| e.starts_with("deadline")), "{ig:?}");
    assert!(ig.retry_at.is_none(), "{ig:?}");
    for other in &run.accounts[1..] {
        assert!(other.ok, "{other:?}");
    }
    let rows = store.run_accounts(run.run_id).await.expect("rows");
    let row = rows.iter().find(|r| r.account_id == ig.account_id).expect("row");
    assert!(row.status == RunAccountStatus::Failed && row.partial, "{row:?}");
    let events = store.run_events(run.run_id).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.code == "limits" && e.message.contains("account deadline 4 s")),
        "the deadline is written in the run's events: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.account_id == Some(ig.account_id) && e.level == EventLevel::Error && e.code == "deadline"),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.account_id == Some(ig.account_id) && e.level == EventLevel::Gap && e.code == "deadline"),
        "the rest is a gap: {events:?}"
    );
    w.sandbox.shutdown().await;
}

async fn the_run_deadline_skips_the_accounts_left(engine: Engine) {
    let w = world().await;
    let Some((store, plan)) = w.store_and_plan(engine).await else {
        return;
    };
    w.arm(json!({"path_prefix": MEDIA_INSIGHTS, "kind": "slow", "delay_ms": 30_000, "times": 10_000}))
        .await;
    let limits = RunLimits {
        run_deadline: Some(StdDuration::from_secs(3)),
        ..RunLimits::default()
    };
    let started = Instant::now();
    let run = run_planned(
        &store,
        &w.clients,
        &plan,
        &RunControl::new().with_limits(limits),
        &|_| {},
    )
    .await
    .expect("run");
    assert!(
        started.elapsed() < StdDuration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // The owned Instagram account ran into the run's deadline: cut, its data kept.
    let ig = &run.accounts[0];
    assert!(ig.partial && ig.metrics > 0, "{ig:?}");
    assert!(run.progress.accounts_skipped >= 1, "{run:?}");
    let rows = store.run_accounts(run.run_id).await.expect("rows");
    let skipped: Vec<_> = rows.iter().filter(|r| r.status == RunAccountStatus::Skipped).collect();
    assert_eq!(skipped.len(), run.progress.accounts_skipped);
    assert!(
        skipped
            .iter()
            .all(|r| r.error.as_deref().is_some_and(|e| e.contains("run's deadline"))),
        "{skipped:?}"
    );
    let events = store.run_events(run.run_id).await.expect("events");
    assert!(events.iter().any(|e| e.code == "run_deadline"), "{events:?}");
    w.sandbox.shutdown().await;
}

/// How many media-insights calls reached the sandbox since [`stopped_during_the_first_account`]
/// armed its slow fault (read from the fault's uses left).
async fn media_insights_sent(sandbox: &url::Url) -> u32 {
    let url = sandbox.join("__alcance/faults").expect("url");
    let listed: serde_json::Value = reqwest::get(url).await.expect("faults").json().await.expect("json");
    let left = listed["faults"]
        .as_array()
        .expect("faults")
        .iter()
        .find(|f| f["path_prefix"] == MEDIA_INSIGHTS)
        .map_or(0, |f| f["times"].as_u64().expect("times"));
    SLOW_CALLS - u32::try_from(left).expect("times")
}

/// Uses of the slow media-insights fault armed by [`stopped_during_the_first_account`].
const SLOW_CALLS: u32 = 10_000;

/// Every media-insights call of the owned Instagram account (collected first) takes 0.6 s;
/// `act` is called on the control as soon as the first of them reaches the sandbox, while
/// it is in flight (the clients make an account's first insights call alone). Acting on
/// that event, not after a fixed time, keeps the test independent of how fast the machine
/// and the calls in flight are.
async fn stopped_during_the_first_account(
    w: &World,
    store: &alcance_store::Store,
    plan: &RunPlan,
    act: fn(&RunControl),
) -> (alcance_collector::RunSummary, StdDuration) {
    w.arm(json!({"path_prefix": MEDIA_INSIGHTS, "kind": "slow", "delay_ms": 600, "times": SLOW_CALLS}))
        .await;
    let control = RunControl::new();
    let acting = control.clone();
    let sandbox = w.sandbox.base_url();
    let timer = tokio::spawn(async move {
        let waiting = Instant::now();
        while media_insights_sent(&sandbox).await == 0 {
            assert!(
                waiting.elapsed() < StdDuration::from_secs(60),
                "no media-insights call came"
            );
            tokio::time::sleep(StdDuration::from_millis(5)).await;
        }
        act(&acting);
    });
    let started = Instant::now();
    let run = run_planned(store, &w.clients, plan, &control, &|_| {})
        .await
        .expect("run");
    timer.await.expect("timer");
    (run, started.elapsed())
}

async fn a_cancel_acts_between_two_requests_of_an_account(engine: Engine) {
    let w = world().await;
    let Some((store, plan)) = w.store_and_plan(engine).await else {
        return;
    };
    let (run, took) = stopped_during_the_first_account(&w, &store, &plan, RunControl::cancel).await;
    // The request in flight at the cancel ends; no further one is sent.
    assert_eq!(media_insights_sent(&w.sandbox.base_url()).await, 1);
    assert!(took < StdDuration::from_secs(4), "{took:?}");
    assert_eq!(run.status, "cancelled", "{run:?}");
    assert_eq!(run.accounts.len(), 1, "{run:?}");
    let ig = &run.accounts[0];
    assert!(!ig.ok && ig.partial && ig.metrics > 0, "what arrived is kept: {ig:?}");
    let rows = store.run_accounts(run.run_id).await.expect("rows");
    assert!(rows.iter().all(|r| r.status == RunAccountStatus::Skipped), "{rows:?}");
    assert!(rows[0].partial && rows[0].metrics_written > 0, "{:?}", rows[0]);
    w.sandbox.shutdown().await;
}

async fn an_interrupt_between_two_requests_leaves_the_account_to_the_resume(engine: Engine) {
    let w = world().await;
    let Some((reference, plan)) = w.store_and_plan(engine).await else {
        return;
    };
    let full = run_planned(&reference, &w.clients, &plan, &RunControl::new(), &|_| {})
        .await
        .expect("uninterrupted run");
    assert_eq!(full.status, "ok", "{full:?}");
    let want = reference.table_counts().await.expect("counts");
    let Some((store, plan)) = w.store_and_plan(engine).await else {
        return;
    };
    let (run, took) = stopped_during_the_first_account(&w, &store, &plan, RunControl::interrupt).await;
    assert_eq!(media_insights_sent(&w.sandbox.base_url()).await, 1);
    assert!(took < StdDuration::from_secs(4), "{took:?}");
    assert_eq!(run.status, "paused", "{run:?}");
    assert!(run.accounts.is_empty(), "nothing of the cut account is stored: {run:?}");
    let rows = store.run_accounts(run.run_id).await.expect("rows");
    assert!(rows.iter().all(|r| r.status == RunAccountStatus::Pending), "{rows:?}");

    reqwest::Client::new()
        .delete(w.sandbox.base_url().join("__alcance/faults").expect("url"))
        .send()
        .await
        .expect("clear faults");
    let resumed = resume_run(
        &store,
        &w.clients,
        run.run_id,
        &plan.targets,
        w.now,
        &RunControl::new(),
        &|_| {},
    )
    .await
    .expect("resume");
    assert_eq!(resumed.status, "ok", "{resumed:?}");
    let got = store.table_counts().await.expect("counts");
    assert_eq!(
        [got.posts, got.post_metrics, got.account_metrics, got.audience],
        [want.posts, want.post_metrics, want.account_metrics, want.audience],
        "the resumed run ends with the rows of an uninterrupted one"
    );
    w.sandbox.shutdown().await;
}

both_engines!(
    one_hanging_call_is_retried_once_and_becomes_a_gap,
    the_account_deadline_keeps_what_arrived_and_the_run_goes_on,
    the_run_deadline_skips_the_accounts_left,
    a_cancel_acts_between_two_requests_of_an_account,
    an_interrupt_between_two_requests_leaves_the_account_to_the_resume,
);
