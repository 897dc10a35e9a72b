//! The scheduler on tokio's paused clock against the seeded sandbox: due accounts fire at
//! their (virtual) times, per cadence, with the 6-hour story minimum for the owned Instagram
//! account and a daily backup; "sync now", pause / resume with catch-up, `needs_reauth`
//! events; stop interrupts a run after its current account and the next start resumes it.
//!
//! Time: each test pauses tokio's clock (`start_paused`) and holds a blocking task for its
//! whole length, which keeps tokio from auto-advancing the paused clock while real I/O (the
//! sandbox, SQLite's worker threads) is in flight; the test advances the clock itself, to
//! each wake-up time the scheduler announces.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::demo_app;
use alcance_app::scheduler::{BackupPolicy, Clock, Scheduler, SchedulerConfig, SchedulerEvent, TokioClock};
use alcance_app::views::SharedVault;
use alcance_app::{AccountId, RunId, RunStatus, Workspace, WorkspaceOptions};
use alcance_collector::schedule::{Cadence, Jitter};
use alcance_collector::{Progress, RunKind};
use alcance_core::Platform;
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::{vault_key, MemoryVault, TokenVault};
use alcance_platforms::Endpoints;
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::AccountRow;
use chrono::{DateTime, Duration, DurationRound, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Keeps tokio from auto-advancing its paused clock (a running blocking task inhibits it)
/// until dropped.
struct HoldClock(#[allow(dead_code)] std::sync::mpsc::Sender<()>);

fn hold_clock() -> HoldClock {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    tokio::task::spawn_blocking(move || {
        let _ = rx.recv();
    });
    HoldClock(tx)
}

struct Setup {
    sandbox: Sandbox,
    ws: Arc<Workspace>,
    vault: Arc<MemoryVault>,
    /// X owned, X tracked, Instagram owned, Instagram tracked.
    accounts: Vec<AccountRow>,
    t0: DateTime<Utc>,
    clock: Arc<TokioClock>,
    _dir: tempfile::TempDir,
}

/// 18:00 UTC today: a virtual start whose 13 following hours cross a UTC midnight.
fn evening() -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::days(1)).expect("today") + Duration::hours(18)
}

/// A seeded sandbox (clock fixed at `t0`), a workspace with the X and Instagram accounts
/// connected through OAuth and their influencers tracked.
async fn setup() -> Setup {
    let t0 = evening();
    let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await.expect("sandbox");
    sandbox.state().set_clock(Some(t0));
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let ws = Workspace::open(
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await
    .expect("workspace");
    let browser = HeadlessBrowser::new();
    let mut accounts = Vec::new();
    for platform in [Platform::X, Platform::Instagram] {
        let owner = ws
            .connect(&demo_app(platform), &browser, std::time::Duration::from_secs(30))
            .await
            .expect("connect");
        let tracked = sandbox
            .state()
            .manifest()
            .into_iter()
            .find(|m| m.platform == platform.as_str() && !m.owned)
            .expect("a tracked account in the manifest");
        let tracked = ws
            .track(platform, &tracked.external_id, tracked.username.as_deref(), &owner)
            .await
            .expect("track");
        accounts.push(owner);
        accounts.push(tracked);
    }
    Setup {
        sandbox,
        ws: Arc::new(ws),
        vault,
        accounts,
        t0,
        clock: Arc::new(TokioClock::starting_at(t0)),
        _dir: dir,
    }
}

impl Setup {
    async fn cadence(&self, index: usize, cadence: Cadence, next: DateTime<Utc>) {
        self.ws
            .store()
            .set_cadence(self.accounts[index].id, cadence.key(), cadence.every_seconds(), next)
            .await
            .expect("cadence");
    }

    fn name(&self, platform: Platform, username: &Option<String>) -> String {
        format!("{}:{}", platform.as_str(), username.as_deref().unwrap_or("?"))
    }

    fn start(&self, config: SchedulerConfig) -> (Scheduler, broadcast::Receiver<SchedulerEvent>) {
        let clock: Arc<dyn Clock> = self.clock.clone();
        let scheduler = Scheduler::start_with(Arc::clone(&self.ws), clock, config);
        let rx = scheduler.subscribe();
        (scheduler, rx)
    }

    /// Advances tokio's clock to `at` (never backwards).
    async fn advance_to(&self, at: DateTime<Utc>) {
        let wait = (at - self.clock.now()).to_std().unwrap_or_default();
        tokio::time::advance(wait).await;
    }
}

fn quiet_config() -> SchedulerConfig {
    SchedulerConfig {
        jitter: Jitter::none(),
        backups: None,
        ..SchedulerConfig::default()
    }
}

async fn next(rx: &mut broadcast::Receiver<SchedulerEvent>) -> SchedulerEvent {
    match rx.recv().await {
        Ok(e) => e,
        Err(broadcast::error::RecvError::Lagged(n)) => panic!("the test fell {n} events behind"),
        Err(broadcast::error::RecvError::Closed) => panic!("the scheduler's channel closed"),
    }
}

/// One observed run: when it started (virtual time, minutes after t0) and which accounts.
type Runs = BTreeMap<RunId, (i64, Vec<String>, RunKind)>;

#[tokio::test(start_paused = true)]
async fn due_accounts_fire_at_their_virtual_times_and_a_backup_is_taken_each_day() {
    let _hold = hold_clock();
    let s = setup().await;
    let t0 = s.t0;
    // X owned hourly; X tracked daily; Instagram owned daily (→ every 6 h for stories);
    // Instagram tracked every 3 h, first due half an hour in.
    s.cadence(0, Cadence::Hourly, t0).await;
    s.cadence(1, Cadence::Daily, t0).await;
    s.cadence(2, Cadence::Daily, t0).await;
    s.cadence(3, Cadence::Custom { seconds: 3 * 3_600 }, t0 + Duration::minutes(30))
        .await;
    let (scheduler, mut rx) = s.start(SchedulerConfig {
        jitter: Jitter::none(),
        backups: Some(BackupPolicy { keep: 7 }),
        ..SchedulerConfig::default()
    });

    let end = t0 + Duration::hours(13);
    let mut runs: Runs = BTreeMap::new();
    let mut current = None;
    let mut backups = Vec::new();
    loop {
        match next(&mut rx).await {
            SchedulerEvent::Idle { wake_at, next_run_at } => {
                if let Some(next) = next_run_at {
                    assert!(wake_at <= next, "never sleeps past the next due account");
                }
                assert!(
                    wake_at - s.clock.now() <= Duration::seconds(60),
                    "naps are at most 60 s"
                );
                if wake_at > end {
                    break;
                }
                s.advance_to(wake_at).await;
            }
            SchedulerEvent::RunStarted {
                run_id,
                kind,
                at,
                resumed,
                ..
            } => {
                assert!(!resumed);
                runs.insert(run_id, ((at - t0).num_minutes(), Vec::new(), kind));
                current = Some(run_id);
            }
            SchedulerEvent::Progress(Progress::AccountStarted { account, .. }) => {
                let run = current.and_then(|id| runs.get_mut(&id)).expect("inside a run");
                run.1.push(s.name(account.platform, &account.username));
            }
            SchedulerEvent::RunFinished { status, .. } => assert_eq!(status, "ok"),
            SchedulerEvent::RunFailed { message, .. } => panic!("run failed: {message}"),
            SchedulerEvent::BackupTaken { path, .. } => backups.push(path),
            SchedulerEvent::BackupFailed { message } => panic!("backup failed: {message}"),
            _ => {}
        }
    }
    scheduler.stop().await;

    let xo = s.name(Platform::X, &s.accounts[0].account.username);
    let xt = s.name(Platform::X, &s.accounts[1].account.username);
    let igo = s.name(Platform::Instagram, &s.accounts[2].account.username);
    let igt = s.name(Platform::Instagram, &s.accounts[3].account.username);
    let mut want: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for h in 0..=13 {
        want.entry(h * 60).or_default().push(xo.clone());
    }
    want.entry(0).or_default().push(xt.clone());
    for h in [0, 6, 12] {
        want.entry(h * 60).or_default().push(igo.clone());
    }
    for m in [30, 210, 390, 570, 750] {
        want.entry(m).or_default().push(igt.clone());
    }
    let got: BTreeMap<i64, Vec<String>> = runs
        .values()
        .map(|(minute, accounts, kind)| {
            assert_eq!(*kind, RunKind::Scheduled);
            (*minute, accounts.clone())
        })
        .collect();
    assert_eq!(got.len(), runs.len(), "one run per due time: {runs:?}");
    assert_eq!(got, want);

    // The store agrees: every run ok, schedules moved on by their cadences.
    let store = s.ws.store();
    assert_eq!(
        store.table_counts().await.expect("counts").collection_runs,
        runs.len() as i64
    );
    for run in store.last_runs(100).await.expect("runs") {
        assert_eq!((run.kind.as_str(), run.status.as_str()), ("scheduled", "ok"));
    }
    let next_of = |i: usize| {
        let id = s.accounts[i].id;
        async move { store.schedule(id).await.expect("schedule").next_run_at }
    };
    assert_eq!(next_of(0).await, t0 + Duration::hours(14));
    assert_eq!(next_of(1).await, t0 + Duration::days(1));
    assert_eq!(next_of(2).await, t0 + Duration::hours(18));
    assert_eq!(next_of(3).await, t0 + Duration::minutes(930));
    // The first run re-read 90 days (never collected); later ones only the young posts.
    let marks = store.refresh_marks(s.accounts[0].id).await.expect("marks");
    assert_eq!(marks.len(), 3, "{marks:?}");

    // One backup per UTC day: at the start and at midnight.
    let names: Vec<String> = backups
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec![
            format!("alcance-{}.db", t0.format("%Y-%m-%d")),
            format!("alcance-{}.db", (t0 + Duration::days(1)).format("%Y-%m-%d")),
        ]
    );
    assert!(backups.iter().all(|p| p.exists()));
    s.sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn sync_now_pause_resume_with_catch_up_and_needs_reauth_events() {
    let _hold = hold_clock();
    let s = setup().await;
    let t0 = s.t0;
    for i in 0..4 {
        s.cadence(i, Cadence::Daily, t0 + Duration::hours(10)).await;
    }
    let (scheduler, mut rx) = s.start(quiet_config());
    loop {
        if let SchedulerEvent::Idle { next_run_at, .. } = next(&mut rx).await {
            assert_eq!(next_run_at, Some(t0 + Duration::hours(10)));
            break;
        }
    }

    // The Instagram token disappears; "Sync now" runs everything at once anyway.
    s.vault
        .delete(&vault_key(Platform::Instagram, &s.accounts[2].account.external_id))
        .expect("delete");
    scheduler.sync_now();
    let mut reauth = Vec::new();
    let (run_id, accounts) = loop {
        match next(&mut rx).await {
            SchedulerEvent::RunStarted {
                run_id,
                kind,
                accounts,
                at,
                ..
            } => {
                assert_eq!(kind, RunKind::Manual);
                assert_eq!(at, t0);
                break (run_id, accounts);
            }
            SchedulerEvent::Idle { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(accounts, 4);
    loop {
        match next(&mut rx).await {
            SchedulerEvent::NeedsReauth { account_id, account } => {
                assert_eq!(account.platform, Platform::Instagram);
                reauth.push(account_id);
            }
            SchedulerEvent::RunFinished {
                run_id: finished,
                status,
                accounts_ok,
                accounts_failed,
                ..
            } => {
                assert_eq!(
                    (finished, status, accounts_ok, accounts_failed),
                    (run_id, RunStatus::Partial, 2, 2)
                );
                break;
            }
            _ => {}
        }
    }
    reauth.sort();
    assert_eq!(reauth, vec![AccountId(s.accounts[2].id), AccountId(s.accounts[3].id)]);
    for a in &s.accounts[2..] {
        assert_eq!(s.ws.store().account(a.id).await.expect("row").status, "needs_reauth");
    }
    // The manual run moved the X accounts' schedules a day on.
    assert_eq!(
        s.ws.store()
            .schedule(s.accounts[0].id)
            .await
            .expect("schedule")
            .next_run_at,
        t0 + Duration::days(1)
    );
    for i in 0..2 {
        s.cadence(i, Cadence::Daily, t0 + Duration::hours(10)).await;
    }

    // Paused: nothing scheduled runs, even past the due time.
    scheduler.pause();
    let mut paused_seen = false;
    loop {
        match next(&mut rx).await {
            SchedulerEvent::Paused => paused_seen = true,
            SchedulerEvent::Idle { next_run_at, wake_at } if paused_seen => {
                assert_eq!(next_run_at, None, "nothing is due while paused");
                if wake_at > t0 + Duration::hours(11) {
                    break;
                }
                s.advance_to(wake_at).await;
            }
            SchedulerEvent::RunStarted { .. } => panic!("a run started while paused"),
            _ => {}
        }
    }
    assert!(paused_seen);

    // Resumed an hour late: the two overdue X accounts run once each, 30 s apart; the
    // Instagram accounts wait for a new connection.
    let resumed_at = s.clock.now();
    scheduler.resume();
    let mut started = Vec::new();
    let mut finished = 0;
    while finished < 2 {
        match next(&mut rx).await {
            SchedulerEvent::RunStarted { kind, accounts, at, .. } => {
                assert_eq!((kind, accounts), (RunKind::Scheduled, 1));
                started.push(at);
            }
            SchedulerEvent::Idle { wake_at, .. } => s.advance_to(wake_at).await,
            SchedulerEvent::RunFinished { status, .. } => {
                assert_eq!(status, "ok");
                finished += 1;
            }
            _ => {}
        }
    }
    assert_eq!(started, vec![resumed_at, resumed_at + Duration::seconds(30)]);
    for a in &s.accounts[..2] {
        let schedule = s.ws.store().schedule(a.id).await.expect("schedule");
        assert!(schedule.next_run_at > resumed_at + Duration::hours(23), "{schedule:?}");
    }
    scheduler.stop().await;
    loop {
        if next(&mut rx).await == SchedulerEvent::Stopped {
            break;
        }
    }
    s.sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn stop_interrupts_after_the_current_account_and_the_next_start_resumes_the_run() {
    let _hold = hold_clock();
    let s = setup().await;
    let t0 = s.t0;
    for i in 0..4 {
        s.cadence(i, Cadence::Daily, t0).await;
    }
    let (scheduler, mut rx) = s.start(quiet_config());
    let run_id = loop {
        if let SchedulerEvent::Progress(Progress::AccountFinished(_)) = next(&mut rx).await {
            if let Some(run) = s.ws.store().last_runs(1).await.expect("runs").first() {
                break run.id;
            }
        }
    };
    scheduler.stop().await;
    let mut finished = None;
    while let Ok(event) = rx.try_recv() {
        if let SchedulerEvent::RunFinished {
            status, accounts_ok, ..
        } = event
        {
            finished = Some((status, accounts_ok));
        }
    }
    let (status, done) = finished.expect("the run reported its end");
    assert_eq!(status, "paused");
    assert!((1..4).contains(&done), "stopped after the current account: {done}");
    let store = s.ws.store();
    assert_eq!(store.run(run_id).await.expect("run").status, "paused");
    let pending = store
        .run_accounts(run_id)
        .await
        .expect("rows")
        .iter()
        .filter(|r| r.status == "pending")
        .count();
    assert_eq!(pending, 4 - done);

    // The next start resumes the same run with the pending accounts only.
    let (scheduler, mut rx) = s.start(quiet_config());
    let mut collected = 0;
    loop {
        match next(&mut rx).await {
            SchedulerEvent::RunStarted {
                run_id: id,
                resumed,
                accounts,
                ..
            } => {
                assert_eq!((id, resumed, accounts), (RunId(run_id), true, pending));
            }
            SchedulerEvent::Progress(Progress::AccountStarted { .. }) => collected += 1,
            SchedulerEvent::RunFinished {
                run_id: id,
                status,
                accounts_ok,
                ..
            } => {
                assert_eq!((id, status, accounts_ok), (RunId(run_id), RunStatus::Ok, 4));
                break;
            }
            SchedulerEvent::RunFailed { message, .. } => panic!("{message}"),
            _ => {}
        }
    }
    assert_eq!(collected, pending, "done accounts are not collected again");
    // Nothing else was due: the next run is the owned Instagram account's, 6 h on (stories).
    loop {
        match next(&mut rx).await {
            SchedulerEvent::Idle { next_run_at, .. } => {
                assert_eq!(next_run_at, Some(t0 + Duration::hours(6)));
                break;
            }
            SchedulerEvent::RunStarted { .. } => panic!("no new run was due"),
            _ => {}
        }
    }
    scheduler.stop().await;
    assert_eq!(store.table_counts().await.expect("counts").collection_runs, 1);
    assert!(store.resumable_runs().await.expect("resumable").is_empty());
    s.sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn cancel_skips_the_rest_of_the_run_and_skipped_accounts_wait_for_their_cadence() {
    let _hold = hold_clock();
    let s = setup().await;
    let t0 = s.t0;
    for i in 0..4 {
        s.cadence(i, Cadence::Daily, t0).await;
    }
    let (scheduler, mut rx) = s.start(quiet_config());
    // Cancel as soon as the first account is under way.
    loop {
        if let SchedulerEvent::Progress(Progress::AccountStarted { .. }) = next(&mut rx).await {
            scheduler.cancel_current();
            break;
        }
    }
    let (run_id, ok) = loop {
        match next(&mut rx).await {
            SchedulerEvent::RunFinished {
                run_id,
                status,
                accounts_ok,
                ..
            } => {
                assert_eq!(status, "cancelled");
                break (run_id, accounts_ok);
            }
            SchedulerEvent::RunFailed { message, .. } => panic!("{message}"),
            _ => {}
        }
    };
    assert!(ok < 4, "the run went on after the cancel: {ok} accounts");
    // No new run starts at once: the skipped accounts moved a day on, the collected ones too
    // (the owned Instagram account 6 h on, for stories).
    let next_run_at = loop {
        match next(&mut rx).await {
            SchedulerEvent::Idle { next_run_at, .. } => break next_run_at,
            SchedulerEvent::RunStarted { .. } => panic!("the cancelled accounts were started again at once"),
            _ => {}
        }
    };
    let next_run_at = next_run_at.expect("a next run");
    assert!(
        next_run_at > t0 + Duration::hours(1),
        "next run {next_run_at} right after the cancel"
    );
    let store = s.ws.store();
    assert_eq!(store.run(run_id.get()).await.expect("run").status, "cancelled");
    for schedule in store.schedules().await.expect("schedules") {
        assert!(schedule.next_run_at > t0, "{schedule:?}");
    }
    // Cancel with no run going does nothing; the loop still answers "sync now".
    scheduler.cancel_current();
    scheduler.sync_now();
    loop {
        match next(&mut rx).await {
            SchedulerEvent::RunFinished { status, .. } => {
                assert_eq!(status, "ok");
                break;
            }
            SchedulerEvent::RunFailed { message, .. } => panic!("{message}"),
            _ => {}
        }
    }
    scheduler.stop().await;
    s.sandbox.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_paused_scheduler_runs_nothing_until_asked_and_sync_now_is_not_stuck_behind_a_paused_run() {
    let _hold = hold_clock();
    let s = setup().await;
    let t0 = s.t0;
    for i in 0..4 {
        s.cadence(i, Cadence::Daily, t0).await;
    }
    // Started paused: every account is due, yet nothing runs.
    let (scheduler, mut rx) = s.start(SchedulerConfig {
        start_paused: true,
        ..quiet_config()
    });
    loop {
        match next(&mut rx).await {
            SchedulerEvent::Idle { next_run_at, .. } => {
                assert_eq!(next_run_at, None, "paused: no next run is announced");
                break;
            }
            SchedulerEvent::RunStarted { .. } => panic!("a paused scheduler started a run"),
            _ => {}
        }
    }
    // Resume, then pause again as soon as the scheduled run is under way: the run waits.
    scheduler.resume();
    loop {
        if let SchedulerEvent::Progress(Progress::AccountStarted { .. }) = next(&mut rx).await {
            scheduler.pause();
            break;
        }
    }
    loop {
        if let SchedulerEvent::Progress(Progress::Paused(p)) = next(&mut rx).await {
            assert!(p.accounts_done() < 4, "{p:?}");
            break;
        }
    }
    // "Sync now" while that run is paused: it goes on, then the manual run follows.
    scheduler.sync_now();
    let mut finished = 0;
    while finished < 2 {
        match next(&mut rx).await {
            SchedulerEvent::RunFinished { status, .. } => {
                assert_eq!(status, "ok");
                finished += 1;
            }
            SchedulerEvent::RunFailed { message, .. } => panic!("{message}"),
            _ => {}
        }
    }
    let runs = s.ws.store().last_runs(5).await.expect("runs");
    let kinds: Vec<(&str, &str)> = runs.iter().map(|r| (r.kind.as_str(), r.status.as_str())).collect();
    assert_eq!(kinds, vec![("manual", "ok"), ("scheduled", "ok")], "newest first");
    scheduler.stop().await;
    s.sandbox.shutdown().await;
}
