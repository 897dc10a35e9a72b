//! Many collectors, one schedule (issue 11, point 3): four schedulers, each with its own
//! connection pool as a separate process would have, share one database and 200 tracked
//! X profiles on the sandbox. Every due account is collected exactly once per due slot
//! (one `done` row in `run_accounts` per account and slot), with no duplicate snapshot and
//! none missing; and the same when one worker dies mid-run (its loop aborted and its pool
//! dropped, as `kill -9` would leave it): its leases expire and another worker takes its
//! run over and finishes it.
//!
//! Time: a manual [`Clock`] the test moves (never tokio's paused time, whose auto-advance
//! would fire PostgreSQL pool timeouts); the schedulers nap a few real milliseconds and
//! read the clock again. Each profile has its own token copy (its own lease group), so the
//! 200 accounts spread over the workers. Waits poll the store; their only limit is a
//! generous guard against a hang, never a timed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::demo_app;
use alcance_app::lease::LeaseConfig;
use alcance_app::scheduler::{Clock, Scheduler, SchedulerConfig, SchedulerEvent};
use alcance_app::testing::both_engines;
use alcance_app::views::SharedVault;
use alcance_app::{AccountStatus, Workspace, WorkspaceOptions};
use alcance_collector::schedule::{Jitter, RefreshPolicy, RefreshTier};
use alcance_collector::Progress;
use alcance_core::{AccountRef, Platform};
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::Endpoints;
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::testing::TestStore;
use alcance_store::{on_pool, Engine, Store};
use chrono::{DateTime, Duration, DurationRound, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const ACCOUNTS: usize = 200;
const WORKERS: usize = 4;

/// A clock the test sets.
struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

struct Team {
    sandbox: Sandbox,
    vault: Arc<MemoryVault>,
    dir: tempfile::TempDir,
    /// The PostgreSQL test database (dropped last); `None` on SQLite.
    database: Option<TestStore>,
    /// Worker 0's workspace, also used to set up and to read the results.
    ws: Arc<Workspace>,
    /// The X account whose token was copied; paused, so only the profiles are scheduled.
    owner: i64,
    t0: DateTime<Utc>,
    clock: Arc<ManualClock>,
}

impl Team {
    fn options(&self) -> WorkspaceOptions {
        options(&self.sandbox, &self.vault)
    }

    /// A workspace on the team's database with a pool of its own, as another process
    /// would open it.
    async fn open_worker(&self) -> Arc<Workspace> {
        let ws = match &self.database {
            Some(db) => {
                let store = db.reopen().await.expect("postgres").expect("reopen");
                Workspace::open_on(self.dir.path(), store, self.options()).await
            }
            None => Workspace::open(self.dir.path(), self.options()).await,
        };
        Arc::new(ws.expect("worker workspace"))
    }

    fn store(&self) -> &Store {
        self.ws.store()
    }

    fn start(&self, ws: Arc<Workspace>, i: usize) -> Scheduler {
        let clock: Arc<dyn Clock> = self.clock.clone();
        Scheduler::start_with(ws, clock, config(i))
    }
}

fn options(sandbox: &Sandbox, vault: &Arc<MemoryVault>) -> WorkspaceOptions {
    WorkspaceOptions {
        endpoints: Endpoints::sandbox(&sandbox.base_url()),
        vault: Box::new(SharedVault(Arc::clone(vault) as Arc<dyn TokenVault>)),
    }
}

fn config(i: usize) -> SchedulerConfig {
    SchedulerConfig {
        jitter: Jitter::none(),
        backups: None,
        max_nap: std::time::Duration::from_millis(20),
        story_cadence: None,
        // A one-day window keeps each profile's batch small.
        refresh: RefreshPolicy {
            tiers: vec![RefreshTier {
                max_age: Duration::hours(24),
                every: None,
            }],
            tolerance: 0.15,
        },
        lease: Some(LeaseConfig {
            worker: format!("w{i}"),
            lease: Duration::seconds(30),
            heartbeat_every: std::time::Duration::from_millis(10),
            groups_per_run: 10,
        }),
        ..SchedulerConfig::default()
    }
}

/// The sandbox (limits off, clock at `t0`), a workspace on `engine`, one X account
/// connected through OAuth (then paused) and 200 tracked profiles, each with its own copy
/// of that token, hourly and due at `t0`. `None` when the engine is skipped.
async fn team(engine: Engine) -> Option<Team> {
    let t0 = Utc::now().duration_trunc(Duration::days(1)).expect("today") + Duration::hours(18);
    let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await.expect("sandbox");
    sandbox.state().set_limits_enabled(false);
    sandbox.state().set_clock(Some(t0));
    let vault = Arc::new(MemoryVault::new());
    let dir = tempfile::tempdir().expect("tempdir");
    let database = match engine {
        Engine::Postgres => Some(alcance_store::testing::store(Engine::Postgres).await?),
        _ => None,
    };
    let ws = match &database {
        Some(db) => Workspace::open_on(dir.path(), db.store().clone(), options(&sandbox, &vault)).await,
        None => Workspace::open(dir.path(), options(&sandbox, &vault)).await,
    }
    .expect("workspace");
    let owner = ws
        .connect(
            &demo_app(Platform::X),
            &HeadlessBrowser::new(),
            std::time::Duration::from_secs(30),
        )
        .await
        .expect("connect");
    let token = vault
        .get(owner.vault_key.as_deref().expect("vault key"))
        .expect("vault")
        .expect("token");
    let store = ws.store();
    store
        .set_account_status(owner.id, AccountStatus::Paused)
        .await
        .expect("pause owner");
    for i in 0..ACCOUNTS {
        let key = format!("alcance/x/team-{i:04}");
        vault.put(&key, &token).expect("vault put");
        let account = AccountRef {
            platform: Platform::X,
            external_id: format!("bench-{i:04}"),
            username: Some("ana_influencer".into()),
            owned: false,
        };
        let id = store.upsert_account(&account, None, Some(&key)).await.expect("account");
        store.set_cadence(id, "hourly", 3_600, t0).await.expect("cadence");
    }
    Some(Team {
        sandbox,
        vault,
        dir,
        database,
        ws: Arc::new(ws),
        owner: owner.id,
        t0,
        clock: Arc::new(ManualClock(Mutex::new(t0))),
    })
}

/// Polls `done` every 50 ms until it holds; panics (naming `what`) if it never does
/// within a generous guard against a hang.
async fn wait_for<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..3_600 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

/// An unfinished run as traced: id, status, worker, heartbeat, start.
type OpenRun = (i64, String, Option<String>, Option<String>, String);

/// `true` when every profile's last successful attempt is at or after `slot` and no run is
/// unfinished.
async fn slot_done(store: &Store, owner: i64, slot: DateTime<Utc>) -> bool {
    let schedules = store.schedules().await.expect("schedules");
    let collected = schedules
        .iter()
        .filter(|s| s.account_id != owner)
        .filter(|s| s.last_status.as_deref() == Some("ok") && s.last_run_at.is_some_and(|t| t >= slot))
        .count();
    let all = collected == ACCOUNTS;
    let open: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM collection_runs WHERE finished_at IS NULL"
    )
    .fetch_one(p)
    .await
    .expect("open runs"));
    if std::env::var_os("ALCANCE_TEST_TRACE").is_some() {
        println!("{slot}: {collected} collected, {open} runs open");
        for s in schedules
            .iter()
            .filter(|s| s.last_status.as_deref() == Some("failed"))
            .take(3)
        {
            println!(
                "  account {} failed: {:?}, next {}",
                s.account_id, s.last_error, s.next_run_at
            );
        }
        let runs: Vec<OpenRun> = on_pool!(store.pool(), |p| sqlx::query_as(
            "SELECT id, status, worker, heartbeat_at, started_at FROM collection_runs WHERE finished_at IS NULL"
        )
        .fetch_all(p)
        .await
        .expect("open runs"));
        for r in runs {
            println!("  open run {r:?}");
        }
    }
    all && open == 0
}

/// `true` when the only unfinished run is `victim_run` and every profile not collected in
/// the slot belongs to a token group the dead worker `w0` still leases.
async fn others_done(t: &Team, victim_run: i64) -> bool {
    let store = t.store();
    let open: Vec<i64> = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT id FROM collection_runs WHERE finished_at IS NULL"
    )
    .fetch_all(p)
    .await
    .expect("open runs"));
    if open != [victim_run] {
        return false;
    }
    let held: Vec<String> = store
        .live_leases(t.clock.now())
        .await
        .expect("leases")
        .into_iter()
        .filter(|(_, worker)| worker == "w0")
        .map(|(name, _)| name)
        .collect();
    let schedules: HashMap<i64, Option<DateTime<Utc>>> = store
        .schedules()
        .await
        .expect("schedules")
        .into_iter()
        .filter(|s| s.last_status.as_deref() == Some("ok"))
        .map(|s| (s.account_id, s.last_run_at))
        .collect();
    store
        .list_accounts()
        .await
        .expect("accounts")
        .into_iter()
        .filter(|a| a.id != t.owner)
        .filter(|a| !schedules.get(&a.id).is_some_and(|at| at.is_some_and(|at| at >= t.t0)))
        .all(|a| a.vault_key.as_ref().is_some_and(|k| held.contains(k)))
}

/// `done` rows of `run_accounts` per account.
async fn done_per_account(store: &Store) -> HashMap<i64, i64> {
    let rows: Vec<(i64, i64)> = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT account_id, count(*) FROM run_accounts WHERE status = 'done' GROUP BY account_id"
    )
    .fetch_all(p)
    .await
    .expect("done"));
    rows.into_iter().collect()
}

/// Checks the dataset after `slots` due slots: each profile collected exactly `slots`
/// times, no run account left pending or failed, every profile's `followers` snapshot read
/// in the last slot (none lost), no duplicate snapshot, no lease left behind.
async fn check_dataset(t: &Team, slots: i64, last_slot: DateTime<Utc>) {
    let store = t.store();
    let done = done_per_account(store).await;
    let profiles: Vec<i64> = store
        .list_accounts()
        .await
        .expect("accounts")
        .into_iter()
        .map(|a| a.id)
        .filter(|id| *id != t.owner)
        .collect();
    assert_eq!(profiles.len(), ACCOUNTS);
    let wrong: Vec<(i64, i64)> = profiles
        .iter()
        .map(|id| (*id, done.get(id).copied().unwrap_or(0)))
        .filter(|(_, n)| *n != slots)
        .collect();
    assert!(
        wrong.is_empty(),
        "accounts not collected exactly {slots} times: {wrong:?}"
    );
    let (pending, failed): (i64, i64) = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT coalesce(sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
                coalesce(sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
         FROM run_accounts"
    )
    .fetch_one(p)
    .await
    .expect("pending"));
    assert_eq!((pending, failed), (0, 0), "run accounts left pending / failed");
    // Nothing lost: each profile's `followers` snapshot was read by its last slot (an
    // unchanged value moves `last_seen_at` instead of adding a row), and every collection
    // wrote metrics.
    let seen: Vec<(i64, String)> = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT account_id, max(last_seen_at) FROM account_metrics
         WHERE metric = 'followers' AND period = 'snapshot' GROUP BY account_id"
    )
    .fetch_all(p)
    .await
    .expect("snapshots"));
    let seen: HashMap<i64, String> = seen.into_iter().collect();
    let last = alcance_store::time::to_db(last_slot);
    for id in &profiles {
        assert!(
            seen.get(id).is_some_and(|at| *at >= last),
            "followers snapshot of account {id} last read at {:?}, before {last}",
            seen.get(id)
        );
    }
    let empty: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM run_accounts WHERE status = 'done' AND metrics_written = 0"
    )
    .fetch_one(p)
    .await
    .expect("empty collections"));
    assert_eq!(empty, 0, "collections that wrote nothing");
    let duplicates: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT account_id, metric, period, period_start FROM account_metrics
                               GROUP BY account_id, metric, period, period_start HAVING count(*) > 1) d"
    )
    .fetch_one(p)
    .await
    .expect("duplicates"));
    assert_eq!(duplicates, 0, "duplicate snapshots");
    let leases = store.live_leases(t.clock.now()).await.expect("leases");
    assert!(leases.is_empty(), "leases left behind: {leases:?}");
}

/// Four workers, two hourly slots: every profile collected exactly once in each.
async fn four_workers_collect_each_due_account_once_per_slot(engine: Engine) {
    let Some(t) = team(engine).await else { return };
    let mut workers = vec![(Arc::clone(&t.ws), t.start(Arc::clone(&t.ws), 0))];
    for i in 1..WORKERS {
        let ws = t.open_worker().await;
        workers.push((Arc::clone(&ws), t.start(ws, i)));
    }
    wait_for("slot 1 collected", || slot_done(t.store(), t.owner, t.t0)).await;
    let slot2 = t.t0 + Duration::hours(1);
    t.clock.set(slot2);
    wait_for("slot 2 collected", || slot_done(t.store(), t.owner, slot2)).await;
    for (_, scheduler) in &workers {
        scheduler.stop().await;
    }
    check_dataset(&t, 2, slot2).await;
    // Every worker took part: the schedule was shared, not collected by the first to look.
    let by_worker: Vec<(String, i64)> = on_pool!(t.store().pool(), |p| sqlx::query_as(
        "SELECT worker, count(*) FROM collection_runs WHERE worker IS NOT NULL GROUP BY worker ORDER BY worker"
    )
    .fetch_all(p)
    .await
    .expect("runs per worker"));
    assert_eq!(by_worker.len(), WORKERS, "runs per worker: {by_worker:?}");
    drop(workers);
    t.sandbox.shutdown().await;
}

/// Four workers; worker 0 dies in the middle of a run. The others collect every account
/// outside its leases meanwhile; after the lease time its run is taken over and finished
/// by another worker. Every profile is still collected exactly once.
async fn a_dead_workers_run_is_taken_over_and_each_account_collected_once(engine: Engine) {
    let Some(t) = team(engine).await else { return };
    // Worker 0 starts first and takes big runs (50 token groups), so it is the one in the
    // middle of a run when it is killed, right after its first account is saved.
    let victim_ws = t.open_worker().await;
    let clock: Arc<dyn Clock> = t.clock.clone();
    let victim = Scheduler::start_with(
        Arc::clone(&victim_ws),
        clock,
        SchedulerConfig {
            lease: Some(LeaseConfig {
                groups_per_run: 50,
                ..config(0).lease.expect("lease")
            }),
            ..config(0)
        },
    );
    let mut events = victim.subscribe();
    let mut workers = Vec::new();
    for i in 1..WORKERS {
        let ws = t.open_worker().await;
        workers.push((Arc::clone(&ws), t.start(ws, i)));
    }
    let mut victim_run = None;
    loop {
        match events.recv().await.expect("victim events") {
            SchedulerEvent::RunStarted { run_id, .. } => victim_run = Some(run_id),
            SchedulerEvent::Progress(Progress::AccountFinished(_)) if victim_run.is_some() => break,
            _ => {}
        }
    }
    let victim_run = victim_run.expect("victim run").0;
    victim.abort();
    drop(victim);
    drop(victim_ws);
    let pending: i64 = on_pool!(t.store().pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM run_accounts WHERE run_id = $1 AND status = 'pending'"
    )
    .bind(victim_run)
    .fetch_one(p)
    .await
    .expect("pending"));
    assert!(pending > 0, "worker 0 was killed mid-run");
    // The rest of the team keeps collecting: everything but the accounts of the dead
    // worker's leased token groups is collected while those leases hold.
    wait_for("the others collected the rest", || others_done(&t, victim_run)).await;
    // Then the lease time passes (in one step: no live worker holds a lease to renew now),
    // and the dead worker's leases and heartbeat are stale.
    t.clock.set(t.t0 + Duration::seconds(31));
    wait_for("slot collected after the takeover", || {
        slot_done(t.store(), t.owner, t.t0)
    })
    .await;
    for (_, scheduler) in &workers {
        scheduler.stop().await;
    }
    let (worker, finished): (Option<String>, Option<String>) = on_pool!(t.store().pool(), |p| sqlx::query_as(
        "SELECT worker, finished_at FROM collection_runs WHERE id = $1"
    )
    .bind(victim_run)
    .fetch_one(p)
    .await
    .expect("victim run"));
    assert!(finished.is_some(), "the dead worker's run was finished");
    assert_ne!(worker.as_deref(), Some("w0"), "the dead worker's run was taken over");
    check_dataset(&t, 1, t.t0).await;
    drop(workers);
    t.sandbox.shutdown().await;
}

both_engines!(multi_thread: four_workers_collect_each_due_account_once_per_slot);

/// PostgreSQL only: on SQLite an aborted task is not a dead process (its connection thread
/// can hold the file's write lock a while longer, and the others' writes then wait on it),
/// and a team runs on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_workers_run_is_taken_over_postgres() {
    a_dead_workers_run_is_taken_over_and_each_account_collected_once(Engine::Postgres).await
}

/// Issue 11, point 8: a worker's connection is terminated by the server in the middle of
/// an account's batch (`pg_terminate_backend` on a backend inside a batch transaction).
/// The batch rolls back (nothing of it is stored), that account fails and is retried at its
/// retry time, and the team keeps collecting: in the end every profile is collected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_mid_batch_rolls_the_batch_back_and_the_team_goes_on() {
    let Some(t) = team(Engine::Postgres).await else { return };
    let mut workers = vec![(Arc::clone(&t.ws), t.start(Arc::clone(&t.ws), 0))];
    for i in 1..WORKERS {
        let ws = t.open_worker().await;
        workers.push((Arc::clone(&ws), t.start(ws, i)));
    }
    // The observer's own connection (not a worker's pool).
    let db = t.database.as_ref().expect("postgres");
    let observer = db.reopen().await.expect("postgres").expect("reopen");
    let mut terminated = 0_i64;
    for _ in 0..20_000 {
        terminated += on_pool!(observer.pool(), |p| sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                   WHERE datname = current_database() AND pid <> pg_backend_pid()
                                     AND xact_start IS NOT NULL
                                     AND query ~ 'INSERT INTO (posts|post_metrics|account_metrics)') k"
        )
        .fetch_one(p)
        .await
        .expect("terminate"));
        // A backend can commit between the look at `pg_stat_activity` and the signal: keep
        // cutting until an account's batch has failed (or the slot is over).
        let failed: i64 = on_pool!(observer.pool(), |p| sqlx::query_scalar(
            "SELECT count(*) FROM run_accounts WHERE status = 'failed'"
        )
        .fetch_one(p)
        .await
        .expect("failed"));
        if failed > 0 || slot_done(t.store(), t.owner, t.t0).await {
            break;
        }
    }
    assert!(terminated > 0, "no batch was caught in flight");
    // Every profile has been attempted in the slot; then the retry time passes.
    wait_for("every profile attempted", || async {
        let schedules = t.store().schedules().await.expect("schedules");
        schedules
            .iter()
            .filter(|s| s.account_id != t.owner)
            .all(|s| s.last_run_at.is_some_and(|at| at >= t.t0))
    })
    .await;
    t.clock.set(t.t0 + Duration::minutes(16));
    wait_for("every profile collected after the retry", || {
        slot_done(t.store(), t.owner, t.t0)
    })
    .await;
    for (_, scheduler) in &workers {
        scheduler.stop().await;
    }
    // The accounts whose batch was cut: nothing of that batch is stored (rows stamped with
    // the failed run's time), and they were collected on retry.
    let failed: Vec<(i64, i64, String)> = on_pool!(t.store().pool(), |p| sqlx::query_as(
        "SELECT a.run_id, a.account_id, r.started_at FROM run_accounts a JOIN collection_runs r ON r.id = a.run_id
         WHERE a.status = 'failed'"
    )
    .fetch_all(p)
    .await
    .expect("failed"));
    assert!(!failed.is_empty(), "the cut batch failed its account");
    let done = done_per_account(t.store()).await;
    for (run_id, account_id, started_at) in &failed {
        let partial: i64 = on_pool!(t.store().pool(), |p| sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM account_metrics WHERE account_id = $1 AND collected_at = $2)
                  + (SELECT count(*) FROM posts WHERE account_id = $1 AND first_seen_at = $2)
                  + (SELECT count(*) FROM post_metrics m JOIN posts p ON p.id = m.post_id
                     WHERE p.account_id = $1 AND m.collected_at = $2)"
        )
        .bind(account_id)
        .bind(started_at)
        .fetch_one(p)
        .await
        .expect("partial"));
        assert_eq!(partial, 0, "rows of run {run_id}'s cut batch for account {account_id}");
        assert_eq!(
            done.get(account_id),
            Some(&1),
            "account {account_id} collected on retry"
        );
    }
    drop(workers);
    t.sandbox.shutdown().await;
}

/// `alcance collect --now` on a team: the token group another worker holds is left out
/// (reported busy) instead of collected twice at once; the rest is collected under leases
/// of its own, released afterwards. On a folder nothing is left out.
async fn a_manual_collection_leaves_out_accounts_another_worker_holds(engine: Engine) {
    let Some(t) = team(engine).await else { return };
    let store = t.store();
    let accounts: Vec<alcance_app::AccountRow> = store
        .list_accounts()
        .await
        .expect("accounts")
        .into_iter()
        .filter(|a| a.id != t.owner)
        .take(3)
        .collect();
    let elsewhere = alcance_app::lease::lease_group(&accounts[0]);
    assert!(store
        .claim_lease(&elsewhere, "another-worker", t.t0, t.t0 + Duration::minutes(10))
        .await
        .expect("lease"));
    let run = alcance_app::scheduler::collect_now(
        &t.ws,
        &config(9),
        &accounts,
        t.t0,
        &alcance_collector::RunControl::new(),
        &|_| {},
    )
    .await
    .expect("manual run");
    let summary = run.summary.expect("a run");
    let collected: Vec<i64> = summary.accounts.iter().map(|o| o.account_id).collect();
    let busy: Vec<i64> = run.busy.iter().map(|a| a.id).collect();
    match engine {
        Engine::Postgres => {
            assert_eq!(busy, [accounts[0].id]);
            assert_eq!(collected, [accounts[1].id, accounts[2].id]);
        }
        _ => {
            assert!(busy.is_empty(), "a folder has no other worker: {busy:?}");
            assert_eq!(collected, accounts.iter().map(|a| a.id).collect::<Vec<_>>());
        }
    }
    assert!(summary.accounts.iter().all(|o| o.ok), "{:?}", summary.accounts);
    // Only the other worker's lease is left.
    let live = store.live_leases(t.t0).await.expect("leases");
    assert_eq!(live, [(elsewhere, "another-worker".to_string())]);
    t.sandbox.shutdown().await;
}

both_engines!(multi_thread: a_manual_collection_leaves_out_accounts_another_worker_holds);
