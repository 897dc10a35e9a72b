#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Runs against the seeded sandbox: pause, cancel, interrupt and resume between accounts
//! keep everything collected; a resumed run does not collect done accounts again and ends
//! with the same rows as an uninterrupted run; schedules and refresh marks are updated.

use alcance_collector::{
    resume_run, run_planned, Clients, CollectError, ControlState, NextRun, PlannedTarget, Progress, RunControl,
    RunKind, RunPlan, RunSummary, Target,
};
use alcance_core::{AccountRef, Platform};
use alcance_platforms::instagram::{GraphHost, InstagramClient};
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, Provider, RedirectConfig};
use alcance_platforms::x::XClient;
use alcance_platforms::{CollectWindow, Endpoints, Http};
use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
use alcance_store::testing::{self, TestStore};
use alcance_store::{both_engines, Engine, Store, TableCounts};
use chrono::{DateTime, Duration, DurationRound, Utc};
use secrecy::SecretString;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A seeded sandbox with its clock fixed, the clients, and the four manifest accounts as
/// targets with tokens from the real OAuth flow (owned accounts; tracked ones use their
/// platform owner's token).
struct World {
    sandbox: Sandbox,
    clients: Clients,
    accounts: Vec<(AccountRef, SecretString)>,
    now: DateTime<Utc>,
}

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
    let http = Http::new().expect("http");
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
        let set = oauth::authorize(
            &app,
            &provider,
            &HeadlessBrowser::new(),
            std::time::Duration::from_secs(20),
        )
        .await
        .expect("OAuth against the sandbox");
        tokens.push((platform, set.access_token));
    }
    let accounts = sandbox
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
    assert_eq!(accounts.len(), 4, "two X and two Instagram accounts in the manifest");
    World {
        sandbox,
        clients,
        accounts,
        now,
    }
}

impl World {
    /// A fresh store on `engine` with the accounts, and their planned targets over the last
    /// week; `None` when the engine is skipped.
    async fn store_and_plan(&self, engine: Engine) -> Option<(TestStore, Vec<PlannedTarget>)> {
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
        Some((store, targets))
    }

    fn plan(&self, targets: &[PlannedTarget]) -> RunPlan {
        RunPlan {
            kind: RunKind::Scheduled,
            collected_at: self.now,
            targets: targets.to_vec(),
        }
    }
}

/// The data tables only (the run log differs by design between one run and a resumed one).
fn data(c: TableCounts) -> [i64; 5] {
    [c.accounts, c.posts, c.post_metrics, c.account_metrics, c.audience]
}

/// Starts `plan` in a task with a control that `pause_after` pauses (or cancels) once that
/// many accounts finished; returns the task and a channel of its progress events.
fn spawn_run(
    store: &Store,
    clients: &Clients,
    plan: RunPlan,
    control: &RunControl,
    after: usize,
    action: ControlState,
) -> (
    tokio::task::JoinHandle<Result<RunSummary, CollectError>>,
    mpsc::UnboundedReceiver<Progress>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (store, clients, control) = (store.clone(), clients.clone(), control.clone());
    let task = tokio::spawn(async move {
        let finished = std::sync::atomic::AtomicUsize::new(0);
        let progress = |p: Progress| {
            if matches!(p, Progress::AccountFinished(_))
                && finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == after
            {
                match action {
                    ControlState::Paused => control.pause(),
                    ControlState::Cancelled => control.cancel(),
                    ControlState::Interrupted => control.interrupt(),
                    ControlState::Running => {}
                }
            }
            let _ = tx.send(p);
        };
        run_planned(&store, &clients, &plan, &control, &progress).await
    });
    (task, rx)
}

async fn wait_for_pause(rx: &mut mpsc::UnboundedReceiver<Progress>) -> alcance_collector::RunProgress {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv()).await {
            Ok(Some(Progress::Paused(p))) => return p,
            Ok(Some(_)) => continue,
            other => panic!("no pause event: {other:?}"),
        }
    }
}

async fn an_interrupted_run_resumes_where_it_stopped_and_ends_with_the_rows_of_an_uninterrupted_one(engine: Engine) {
    let w = world().await;

    // Reference: the same plan, uninterrupted, in another store.
    let Some((reference, targets)) = w.store_and_plan(engine).await else {
        return;
    };
    let full = run_planned(&reference, &w.clients, &w.plan(&targets), &RunControl::new(), &|_| {})
        .await
        .expect("uninterrupted run");
    assert_eq!(full.status, "ok", "{full:?}");
    let want = data(reference.table_counts().await.expect("counts"));
    assert!(
        want[1] > 0 && want[2] > 0 && want[3] > 0,
        "the sandbox served data: {want:?}"
    );

    // Pause after the first account, then interrupt (the app quits while paused).
    let Some((store, targets)) = w.store_and_plan(engine).await else {
        return;
    };
    let control = RunControl::new();
    let (task, mut rx) = spawn_run(&store, &w.clients, w.plan(&targets), &control, 1, ControlState::Paused);
    let paused = wait_for_pause(&mut rx).await;
    assert_eq!(
        (paused.accounts_total, paused.accounts_ok, paused.accounts_pending()),
        (4, 1, 3)
    );
    assert_eq!(paused.percent(), 25.0);
    let run_id = paused.run_id;
    assert_eq!(store.run(run_id).await.expect("run").status, "paused");
    let rows = store.run_accounts(run_id).await.expect("run accounts");
    assert_eq!(
        rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
        vec!["done", "pending", "pending", "pending"]
    );
    let partial = data(store.table_counts().await.expect("counts"));
    assert!(
        partial[1] > 0 && partial[1] < want[1],
        "kept the first account only: {partial:?} vs {want:?}"
    );
    assert!(!task.is_finished(), "a paused run waits");

    control.interrupt();
    let interrupted = task.await.expect("join").expect("interrupted run");
    assert_eq!(interrupted.status, "paused");
    assert_eq!(interrupted.accounts.len(), 1);
    let first = interrupted.accounts[0].account_id;
    assert_eq!(store.run(run_id).await.expect("run").finished_at, None);
    assert_eq!(
        store
            .resumable_runs()
            .await
            .expect("resumable")
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![run_id]
    );
    assert_eq!(
        data(store.table_counts().await.expect("counts")),
        partial,
        "nothing lost"
    );

    // Resume from the store: the three pending accounts only.
    let events = std::sync::Mutex::new(Vec::new());
    let resumed = resume_run(&store, &w.clients, run_id, &targets, w.now, &RunControl::new(), &|p| {
        events.lock().expect("lock").push(p)
    })
    .await
    .expect("resume");
    assert_eq!(resumed.status, "ok", "{resumed:?}");
    assert_eq!(resumed.accounts.len(), 3);
    assert!(
        resumed.accounts.iter().all(|a| a.account_id != first),
        "the done account is not collected again"
    );
    assert_eq!(resumed.progress.accounts_ok, 4);
    assert_eq!(
        resumed.progress.metrics, full.progress.metrics,
        "tallies span both sessions"
    );
    let events = events.into_inner().expect("events");
    assert!(matches!(events.first(), Some(Progress::Resumed(p)) if p.accounts_ok == 1));
    let started: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Progress::AccountStarted { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(started, vec![1, 2, 3], "positions continue where the run stopped");
    assert!(matches!(events.last(), Some(Progress::Finished(p)) if p.status == "ok" && p.percent() == 100.0));

    assert_eq!(data(store.table_counts().await.expect("counts")), want);
    let run = store.run(run_id).await.expect("run");
    assert_eq!(run.status, "ok");
    assert_eq!(run.counts.accounts_ok, 4);
    assert!(run.finished_at.is_some());
    assert!(store.resumable_runs().await.expect("resumable").is_empty());
    assert_eq!(
        store.table_counts().await.expect("counts").collection_runs,
        1,
        "one run, not two"
    );
    let again = resume_run(&store, &w.clients, run_id, &targets, w.now, &RunControl::new(), &|_| {}).await;
    assert!(matches!(again, Err(CollectError::NotResumable { .. })), "{again:?}");
    w.sandbox.shutdown().await;
}

async fn a_paused_run_resumes_in_place_and_a_cancelled_one_keeps_what_it_collected(engine: Engine) {
    let w = world().await;
    let Some((reference, targets)) = w.store_and_plan(engine).await else {
        return;
    };
    run_planned(&reference, &w.clients, &w.plan(&targets), &RunControl::new(), &|_| {})
        .await
        .expect("reference");
    let want = data(reference.table_counts().await.expect("counts"));

    // Pause after two accounts, resume in place.
    let Some((store, targets)) = w.store_and_plan(engine).await else {
        return;
    };
    let control = RunControl::new();
    let (task, mut rx) = spawn_run(&store, &w.clients, w.plan(&targets), &control, 2, ControlState::Paused);
    let paused = wait_for_pause(&mut rx).await;
    assert_eq!(paused.accounts_ok, 2);
    assert_eq!(paused.status, "paused");
    control.resume();
    let summary = task.await.expect("join").expect("run");
    assert_eq!(summary.status, "ok");
    assert_eq!(summary.accounts.len(), 4);
    let mut saw_resumed = false;
    while let Ok(p) = rx.try_recv() {
        saw_resumed |= matches!(p, Progress::Resumed(_));
    }
    assert!(saw_resumed);
    assert_eq!(data(store.table_counts().await.expect("counts")), want);
    assert_eq!(store.run(summary.run_id).await.expect("run").status, "ok");

    // Cancel after the first account: the rest is skipped, the first account's data stays.
    let Some((store, targets)) = w.store_and_plan(engine).await else {
        return;
    };
    let control = RunControl::new();
    let (task, _rx) = spawn_run(
        &store,
        &w.clients,
        w.plan(&targets),
        &control,
        1,
        ControlState::Cancelled,
    );
    let summary = task.await.expect("join").expect("run");
    assert_eq!(summary.status, "cancelled");
    assert_eq!(summary.accounts.len(), 1);
    assert_eq!(
        (summary.progress.accounts_ok, summary.progress.accounts_skipped),
        (1, 3)
    );
    let rows = store.run_accounts(summary.run_id).await.expect("rows");
    assert_eq!(
        rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
        vec!["done", "skipped", "skipped", "skipped"]
    );
    let run = store.run(summary.run_id).await.expect("run");
    assert_eq!((run.status.as_str(), run.counts.accounts_ok), ("cancelled", 1));
    let kept = store
        .posts(&alcance_store::RowFilter {
            account_ids: vec![summary.accounts[0].account_id],
            ..Default::default()
        })
        .await
        .expect("posts");
    assert!(!kept.is_empty(), "the first account's posts are kept");
    let others = store
        .posts(&alcance_store::RowFilter {
            account_ids: rows[1..].iter().map(|r| r.account_id).collect(),
            ..Default::default()
        })
        .await
        .expect("posts");
    assert!(others.is_empty());
    let again = resume_run(
        &store,
        &w.clients,
        summary.run_id,
        &targets,
        w.now,
        &RunControl::new(),
        &|_| {},
    )
    .await;
    assert!(matches!(again, Err(CollectError::NotResumable { .. })));
    w.sandbox.shutdown().await;
}

async fn planned_runs_update_schedules_and_refresh_marks_and_skip_vanished_accounts_on_resume(engine: Engine) {
    let w = world().await;
    let Some((store, mut targets)) = w.store_and_plan(engine).await else {
        return;
    };
    let next = NextRun {
        on_success: w.now + Duration::hours(6),
        on_failure: w.now + Duration::minutes(15),
    };
    for t in &mut targets {
        t.refresh_horizons = vec![172_800, 604_800];
        t.next_run = Some(next);
    }
    // The tracked X profile has no token: it fails and needs re-authorization.
    targets[1].target.token = None;
    let summary = run_planned(&store, &w.clients, &w.plan(&targets), &RunControl::new(), &|_| {})
        .await
        .expect("run");
    assert_eq!(summary.status, "partial");
    for (i, t) in targets.iter().enumerate() {
        let s = store.schedule(t.target.account_id).await.expect("schedule");
        let marks = store.refresh_marks(t.target.account_id).await.expect("marks");
        assert_eq!(s.last_run_at, Some(w.now));
        if i == 1 {
            assert_eq!(s.last_status.as_deref(), Some("failed"));
            assert!(
                s.last_error.as_deref().unwrap_or_default().starts_with("no_token"),
                "{s:?}"
            );
            assert_eq!(s.next_run_at, next.on_failure);
            assert!(marks.is_empty(), "a failure marks nothing");
            assert_eq!(
                store.account(t.target.account_id).await.expect("row").status,
                "needs_reauth"
            );
        } else {
            assert_eq!(s.last_status.as_deref(), Some("ok"));
            assert_eq!(s.next_run_at, next.on_success);
            assert_eq!(marks, vec![(172_800, w.now), (604_800, w.now)]);
        }
    }
    let rows = store.run_accounts(summary.run_id).await.expect("rows");
    assert!(rows[1].needs_reauth && rows[1].status == "failed");
    assert_eq!(rows[0].window_since, w.now - Duration::days(7));

    // A run interrupted before its first account; on resume one account is gone.
    let control = RunControl::new();
    control.interrupt();
    let interrupted = run_planned(&store, &w.clients, &w.plan(&targets), &control, &|_| {})
        .await
        .expect("interrupted");
    assert_eq!(interrupted.status, "paused");
    assert!(interrupted.accounts.is_empty());
    let remaining: Vec<PlannedTarget> = targets.iter().skip(1).cloned().collect();
    let resumed = resume_run(
        &store,
        &w.clients,
        interrupted.run_id,
        &remaining,
        w.now + Duration::hours(1),
        &RunControl::new(),
        &|_| {},
    )
    .await
    .expect("resume");
    assert_eq!(resumed.accounts.len(), 3);
    assert_eq!(resumed.progress.accounts_skipped, 1);
    let rows = store.run_accounts(interrupted.run_id).await.expect("rows");
    assert_eq!(rows[0].status, "skipped");
    assert!(rows[0]
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("no longer collected"));
    w.sandbox.shutdown().await;
}

both_engines!(
    an_interrupted_run_resumes_where_it_stopped_and_ends_with_the_rows_of_an_uninterrupted_one,
    a_paused_run_resumes_in_place_and_a_cancelled_one_keeps_what_it_collected,
    planned_runs_update_schedules_and_refresh_marks_and_skip_vanished_accounts_on_resume,
);
